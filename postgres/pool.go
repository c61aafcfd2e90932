package postgres

import "time"

// PoolStats is a moment's state of the connection pool, and its totals
// since the pool opened.
type PoolStats struct {
	// Acquired, Idle, Constructing and Total count connections: in use,
	// waiting in the pool, being opened, and all of them.
	Acquired, Idle, Constructing, Total int
	// Max is the most connections the pool opens.
	Max int
	// Acquires counts the connections handed out, and EmptyAcquires
	// those of them the caller had to wait for because none was idle;
	// CanceledAcquires counts the waits given up.
	Acquires, EmptyAcquires, CanceledAcquires int64
	// AcquireDuration is the total time acquiring connections took, and
	// EmptyAcquireWait the part of it spent waiting because none was idle.
	AcquireDuration, EmptyAcquireWait time.Duration
}

// PoolStats returns the connection pool's state now.
func (db *DB) PoolStats() PoolStats {
	s := db.pool.Stat()
	return PoolStats{
		Acquired:         int(s.AcquiredConns()),
		Idle:             int(s.IdleConns()),
		Constructing:     int(s.ConstructingConns()),
		Total:            int(s.TotalConns()),
		Max:              int(s.MaxConns()),
		Acquires:         s.AcquireCount(),
		EmptyAcquires:    s.EmptyAcquireCount(),
		CanceledAcquires: s.CanceledAcquireCount(),
		AcquireDuration:  s.AcquireDuration(),
		EmptyAcquireWait: s.EmptyAcquireWaitTime(),
	}
}
