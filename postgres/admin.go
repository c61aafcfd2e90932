package postgres

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"
)

var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates an empty database called name on the server that
// serverURL points at, and returns the URL of the new database. A database
// of that name that exists already is ECONFLICT.
func CreateDatabase(ctx context.Context, serverURL, name string) (_ string, err error) {
	defer wrap(&err, fmt.Sprintf("postgres.CreateDatabase(ctx, %q)", name))
	if !databaseName.MatchString(name) {
		return "", fmt.Errorf("database name %q is not a plain lower-case identifier", name)
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropDatabase drops the database called name, closing its connections.
func DropDatabase(ctx context.Context, serverURL, name string) (err error) {
	defer wrap(&err, fmt.Sprintf("postgres.DropDatabase(ctx, %q)", name))
	if !databaseName.MatchString(name) {
		return fmt.Errorf("database name %q is not a plain lower-case identifier", name)
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}
