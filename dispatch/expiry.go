package dispatch

import (
	"math"
	"time"
)

// instant is a time as the index compares certification expiries with a
// request's Now: seconds and nanoseconds since the Unix epoch, which order
// exactly as the times do and compare without a time.Time's monotonic and
// location fields.
type instant struct {
	sec  int64
	nsec int32
}

// never is later than the instant of any time.Time: a certification
// without an expiry.
var never = instant{sec: math.MaxInt64}

// instantOf returns the instant of t.
func instantOf(t time.Time) instant {
	return instant{sec: t.Unix(), nsec: int32(t.Nanosecond())}
}

// before reports whether a is earlier than b.
func (a instant) before(b instant) bool {
	return a.sec < b.sec || a.sec == b.sec && a.nsec < b.nsec
}

// expiryOf returns when the certification on a line lapses: its entry in
// expires, or never.
func expiryOf(expires map[string]time.Time, line string) instant {
	if at, ok := expires[line]; ok {
		return instantOf(at)
	}
	return never
}
