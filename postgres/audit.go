package postgres

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what a pool and a transaction share for reading.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// execer runs statements whose results the caller does not read: a
// transaction, or a pipeline that sends them later in one round trip.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// pipeline queues a transaction's writes whose results nobody reads, to
// send them in one round trip: Exec queues the statement and reports
// nothing (an empty command tag, no error); send runs them all in order and
// returns the first error. Writers that read what a statement affected
// must not be given one.
type pipeline struct{ b pgx.Batch }

func (p *pipeline) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	p.b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

// send runs the queued statements in tx.
func (p *pipeline) send(ctx context.Context, tx pgx.Tx) error {
	if p.b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, &p.b).Close()
}

// writeAudit records, in the caller's transaction, who did what to which
// object, with the object before and after as JSON.
func writeAudit(ctx context.Context, tx execer, actor *aftercare.User, action, objectType, objectID string, before, after any) error {
	var actorID *string
	role := "system"
	if actor != nil {
		role = string(actor.Role)
		if actor.ID != "" { // a survey link's holder is no user
			actorID = &actor.ID
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_events (actor_id, actor_role, action, object_type, object_id, before, after, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		actorID, role, action, objectType, objectID, before, after, aftercare.RequestIDFromContext(ctx))
	return err
}
