package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Loader writes rows in bulk within one transaction: the store's bulk-load
// API, for the tools that fill a database wholesale (the demo data, the
// benchmarks' tables). Callers name tables and columns and pass rows of
// plain Go values — strings, integers, floats (exact for numeric columns
// of a fixed scale), times, [16]byte for a UUID, JSON text for jsonb, nil
// for NULL — and never see pgx. The product's writes are the services'
// methods, which keep their invariants; a Loader keeps none beyond the
// schema's.
type Loader struct {
	tx pgx.Tx
}

// BulkLoad runs load in one transaction and commits it when load returns
// nil; an error rolls everything back. Errors carry domain codes as the
// services' do: a duplicate key is ECONFLICT, a broken constraint EINVALID.
func (db *DB) BulkLoad(ctx context.Context, load func(*Loader) error) (err error) {
	defer wrap(&err, "DB.BulkLoad")
	return db.inTx(ctx, func(tx pgx.Tx) error { return load(&Loader{tx: tx}) })
}

// Copy streams rows into the columns of table with COPY and returns how
// many it wrote. next returns one row at a time, its values in the order of
// columns, and nil when there are no more.
func (l *Loader) Copy(ctx context.Context, table string, columns []string, next func() ([]any, error)) (int64, error) {
	n, err := l.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(next))
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", table, err)
	}
	return n, nil
}

// Rows returns a source for Copy that yields the given rows in order.
func Rows(rows [][]any) func() ([]any, error) {
	return func() ([]any, error) {
		if len(rows) == 0 {
			return nil, nil
		}
		row := rows[0]
		rows = rows[1:]
		return row, nil
	}
}

// Exec runs one statement with parameters $1, $2, … bound to args, or,
// without args, several statements separated by semicolons, and returns how
// many rows the last one affected.
func (l *Loader) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := l.tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// Query runs a query within the load; see DB.Query.
func (l *Loader) Query(ctx context.Context, sql string, args []any, dest []any, row func() error) error {
	return query(ctx, l.tx, sql, args, dest, row)
}

// QueryRow runs a query that returns one row within the load; see
// DB.QueryRow.
func (l *Loader) QueryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return l.tx.QueryRow(ctx, sql, args...).Scan(dest...)
}

// NotifyOutbox announces, when the load commits, that it wrote outbox
// messages of topic, so that the relays waiting for that topic claim them
// at once.
func (l *Loader) NotifyOutbox(ctx context.Context, topic string) error {
	return notifyOutbox(ctx, l.tx, topic)
}

// Query runs a query and, for each row it returns, scans the columns into
// dest and calls row. dest holds one pointer per column (a pointer to a
// pointer reads NULL as nil). Like QueryRow it is for the tools and tests
// that read what a bulk load wrote; the product reads through the services.
func (db *DB) Query(ctx context.Context, sql string, args []any, dest []any, row func() error) (err error) {
	defer wrap(&err, "DB.Query")
	return query(ctx, db.pool, sql, args, dest, row)
}

// QueryRow runs a query and scans its first row into dest, one pointer per
// column. A query that returns no row answers ENOTFOUND.
func (db *DB) QueryRow(ctx context.Context, sql string, args []any, dest ...any) (err error) {
	defer wrap(&err, "DB.QueryRow")
	return db.pool.QueryRow(ctx, sql, args...).Scan(dest...)
}

func query(ctx context.Context, q querier, sql string, args []any, dest []any, row func() error) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, row)
	return err
}
