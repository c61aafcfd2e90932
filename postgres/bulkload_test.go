package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBulkLoad copies rows of plain Go values, reads them back within the
// load and after it, and rolls a failed load back whole.
func TestBulkLoad(t *testing.T) {
	db := postgrestest.MustOpen(t)
	ctx := context.Background()
	id := [16]byte{0x5e, 0x7a, 0x1c, 15: 1}
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	rows := [][]any{
		{id, "first", 1234.56, at, `{"a": 1}`, []string{"x", "y"}},
		{[16]byte{15: 2}, "second", 0.1, nil, `[]`, nil},
	}
	err := db.BulkLoad(ctx, func(l *postgres.Loader) error {
		if _, err := l.Exec(ctx, `CREATE TABLE bulk (id uuid PRIMARY KEY, name text, price numeric(12, 2),
			at timestamptz, doc jsonb, tags text[])`); err != nil {
			return err
		}
		k := 0
		n, err := l.Copy(ctx, "bulk", []string{"id", "name", "price", "at", "doc", "tags"}, func() ([]any, error) {
			if k == len(rows) {
				return nil, nil
			}
			k++
			return rows[k-1], nil
		})
		if err != nil {
			return err
		}
		assert.Equal(t, int64(2), n)
		var names []string
		var name string
		require.NoError(t, l.Query(ctx, `SELECT name FROM bulk ORDER BY name`, nil, []any{&name}, func() error {
			names = append(names, name)
			return nil
		}))
		assert.Equal(t, []string{"first", "second"}, names)
		affected, err := l.Exec(ctx, `UPDATE bulk SET name = upper(name) WHERE price > $1`, 1)
		assert.Equal(t, int64(1), affected)
		return err
	})
	require.NoError(t, err)

	var got [16]byte
	var price string
	var when *time.Time
	require.NoError(t, db.QueryRow(ctx, `SELECT id, price::text, at FROM bulk WHERE name = $1`, []any{"FIRST"}, &got, &price, &when))
	assert.Equal(t, id, got)
	assert.Equal(t, "1234.56", price)
	require.NotNil(t, when)
	assert.True(t, at.Equal(*when))
	require.NoError(t, db.QueryRow(ctx, `SELECT at FROM bulk WHERE name = 'second'`, nil, &when))
	assert.Nil(t, when, "NULL reads as nil")
	assert.Equal(t, `["x", "y"]`, postgrestest.MustQueryString(t, db, `SELECT to_jsonb(tags)::text FROM bulk WHERE name = 'FIRST'`))

	err = db.QueryRow(ctx, `SELECT name FROM bulk WHERE name = 'third'`, nil, new(string))
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "no row: %v", err)

	boom := errors.New("boom")
	err = db.BulkLoad(ctx, func(l *postgres.Loader) error {
		if _, err := l.Exec(ctx, `DELETE FROM bulk`); err != nil {
			return err
		}
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, int64(2), postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM bulk`), "a failed load leaves nothing behind")

	err = db.BulkLoad(ctx, func(l *postgres.Loader) error {
		_, err := l.Copy(ctx, "bulk", []string{"id", "name"}, postgres.Rows(nil))
		if err != nil {
			return err
		}
		_, err = l.Exec(ctx, `INSERT INTO bulk (id, name) VALUES ($1, 'again')`, id)
		return err
	})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "a duplicate key: %v", err)
}

// TestCreateDatabaseThatExists: creating a database that is there already
// is ECONFLICT, which callers that reuse it look for.
func TestCreateDatabaseThatExists(t *testing.T) {
	ctx := context.Background()
	name := "aftercare_exists_" + time.Now().UTC().Format("150405000000")
	_, err := postgres.CreateDatabase(ctx, postgrestest.ServerURL(), name)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, postgres.DropDatabase(context.Background(), postgrestest.ServerURL(), name)) })
	_, err = postgres.CreateDatabase(ctx, postgrestest.ServerURL(), name)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "CreateDatabase twice: %v", err)
}
