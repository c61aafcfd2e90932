// Package postgres implements Aftercare's service interfaces on PostgreSQL.
// It is the only package that imports pgx: it owns the connection pool,
// applies the migrations of package schema, and maps PostgreSQL errors to the
// domain codes of package aftercare. Exported methods own their transaction
// and call unexported helpers that take it. Tools that fill a database
// wholesale (packages demo and bench) write through its bulk-load API,
// DB.BulkLoad, and never import pgx themselves.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"sync"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// DB is a pool of connections to Aftercare's database.
type DB struct {
	pool *pgxpool.Pool
	url  string

	listenOnce sync.Once
	listener   *listener
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string, opts ...Option) (_ *DB, err error) {
	defer wrap(&err, "postgres.Open")
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return open(ctx, url, o.tracer)
}

// OpenObserved is Open with a function that is told of every round trip to
// PostgreSQL before it starts, with its context (which carries the request
// ID of the API request it serves) and its SQL: each statement sent on its
// own, and each batch of statements sent together once, with their SQL
// joined by ";\n". For tests and benchmarks that count the round trips a
// request costs.
func OpenObserved(ctx context.Context, url string, observe func(ctx context.Context, sql string)) (_ *DB, err error) {
	defer wrap(&err, "postgres.OpenObserved")
	return open(ctx, url, statementObserver(observe))
}

// statementObserver is a query tracer that tells a function of each
// statement as it starts.
type statementObserver func(ctx context.Context, sql string)

// TraceQueryStart tells the function of the statement.
func (o statementObserver) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	o(ctx, data.SQL)
	return ctx
}

// TraceQueryEnd does nothing.
func (statementObserver) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart tells the function of the batch, as one round trip.
func (o statementObserver) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	sqls := make([]string, len(data.Batch.QueuedQueries))
	for i, q := range data.Batch.QueuedQueries {
		sqls[i] = q.SQL
	}
	o(ctx, strings.Join(sqls, ";\n"))
	return ctx
}

// TraceBatchQuery does nothing: the batch was told of as a whole.
func (statementObserver) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (statementObserver) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// open is Open with an optional tracer that sees every query: spans when
// traces are on, and tests that look at the SQL a service runs.
func open(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "database URL: %v", err)
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return &DB{pool: pool, url: url}, nil
}

// Close stops the change listener and closes every connection.
func (db *DB) Close() {
	if db.listener != nil {
		db.listener.close()
	}
	db.pool.Close()
}

// Ping checks that the database answers; it backs the readiness endpoint.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// Migrate applies every migration of package schema that the database lacks.
// Concurrent callers are serialised by the migrator's advisory lock.
func (db *DB) Migrate(ctx context.Context) (err error) {
	defer wrap(&err, "DB.Migrate")
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "schema_version")
	if err != nil {
		return err
	}
	files, err := fs.Sub(schema.Migrations, "migrations")
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(files); err != nil {
		return err
	}
	return m.Migrate(ctx)
}

// ExecScript runs SQL statements (separated by semicolons, no parameters)
// in one transaction: for test fixtures and one-off admin scripts.
func (db *DB) ExecScript(ctx context.Context, sql string) (err error) {
	defer wrap(&err, "DB.ExecScript")
	return db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	})
}

// inTx runs fn in a transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// wrap prefixes a non-nil error with the operation that failed and maps
// PostgreSQL errors to domain codes, so every error names where it came from.
func wrap(errp *error, op string) {
	if *errp == nil {
		return
	}
	*errp = fmt.Errorf("%s: %w", op, mapError(*errp))
}

// mapError turns errors that carry meaning for a client into *aftercare.Error
// wrapping the original, and leaves others as they are (EINTERNAL).
func mapError(err error) error {
	var ae *aftercare.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &codedError{aftercare.Errorf(aftercare.ENOTFOUND, "not found"), err}
	}
	if unavailable(err) {
		return &codedError{aftercare.Errorf(aftercare.EUNAVAILABLE, "the database is unavailable for a moment; try again"), err}
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505", "42P04": // unique_violation, duplicate_database
		return &codedError{aftercare.Errorf(aftercare.ECONFLICT, "already exists"), err}
	case "23503", "23514", "23502", "22P02", "22001", "22003", "22007", "22008", "22021", "22P05":
		// foreign key, check, not null, bad text, too long, out of range,
		// bad date, bytes that are not text in the database's encoding
		return &codedError{aftercare.Errorf(aftercare.EINVALID, "invalid input"), err}
	case "40001", "40P01": // serialization failure, deadlock
		return &codedError{aftercare.Errorf(aftercare.ECONFLICT, "concurrent change, try again"), err}
	}
	return err
}

// codedError gives a database error a domain code while keeping the original
// for logs.
type codedError struct {
	coded *aftercare.Error
	cause error
}

func (e *codedError) Error() string { return e.coded.Error() + ": " + e.cause.Error() }

func (e *codedError) Unwrap() []error { return []error{e.coded, e.cause} }

// unavailable reports whether err means that PostgreSQL could not be
// reached or went away (a restart, a failover): no connection, a
// connection cut, or a server shutting down or starting up. The client
// may try again; a change it sends again carries its own idempotency (a
// client request ID) or is refused as a conflict if it went through.
func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		pgconn.SafeToRetry(err)
}
