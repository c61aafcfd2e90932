package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// UserService finds the people and systems that call the API.
type UserService struct {
	db *DB
}

var _ aftercare.UserService = (*UserService)(nil)

// NewUserService returns a UserService backed by db.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db}
}

const userSelect = `
	SELECT u.id, u.username, u.display_name, u.email, u.role, coalesce(u.account_id::text, ''), u.disabled_at
	FROM users u`

// activeUserSelect selects only users who are not disabled.
const activeUserSelect = `
	SELECT u.id, u.username, u.display_name, u.email, u.role, coalesce(u.account_id::text, ''), u.disabled_at
	FROM (SELECT * FROM users WHERE disabled_at IS NULL) u`

func scanUser(row pgx.CollectableRow) (*aftercare.User, error) {
	var u aftercare.User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, &u.AccountID, &u.DisabledAt)
	return &u, err
}

// FindUserByID returns the enabled user with the given ID, or ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id string) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserService.FindUserByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, activeUserSelect, "u.id", "user", id, &scopeUsers, scanUser)
}

// FindUsersByIDs returns the enabled users with the given IDs in one
// query, in the order of ids, nil for each FindUserByID would not find.
func (s *UserService) FindUsersByIDs(ctx context.Context, ids []string) (_ []*aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserService.FindUsersByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, activeUserSelect, "u.id", ids, &scopeUsers, scanUser,
		func(u *aftercare.User) string { return u.ID })
}

// FindUserByUsername returns the enabled user with the given username, or
// ENOTFOUND.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserService.FindUserByUsername(ctx, %q)", username))
	return findOneBy(ctx, s.db.pool, activeUserSelect, "u.username", "user", username, &scopeUsers, scanUser)
}

// FindUsers returns every enabled user, ordered by username.
func (s *UserService) FindUsers(ctx context.Context) (_ []*aftercare.User, err error) {
	defer wrap(&err, "UserService.FindUsers")
	rows, err := s.db.pool.Query(ctx, userSelect+" WHERE u.disabled_at IS NULL ORDER BY u.username")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanUser)
}
