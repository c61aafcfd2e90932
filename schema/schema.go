// Package schema holds Aftercare's contracts written as text: the GraphQL
// schema (*.graphqls, compiled by gqlgen into graph/generated) and the
// numbered SQL migrations applied by postgres.Migrate. It imports only the
// standard library.
package schema

import "embed"

// Migrations holds the numbered SQL migrations, oldest first, in the format
// of github.com/jackc/tern/v2.
//
//go:embed migrations/*.sql
var Migrations embed.FS
