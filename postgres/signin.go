package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// SignInService keeps password hashes, failed sign-in attempts and
// sign-in sessions.
type SignInService struct {
	db *DB
}

var _ aftercare.SignInService = (*SignInService)(nil)

// NewSignInService returns a SignInService backed by db.
func NewSignInService(db *DB) *SignInService {
	return &SignInService{db: db}
}

// signInFailureRetention is how long failed attempts are kept for counting;
// older ones are deleted as new ones are recorded.
const signInFailureRetention = 24 * time.Hour

// FindCredentials returns the enabled user named username and their
// password hash, or ENOTFOUND.
func (s *SignInService) FindCredentials(ctx context.Context, username string) (_ *aftercare.User, _ string, err error) {
	defer wrap(&err, fmt.Sprintf("SignInService.FindCredentials(ctx, %q)", username))
	var u aftercare.User
	var hash string
	err = s.db.pool.QueryRow(ctx, `
		SELECT id, username, display_name, email, role, coalesce(account_id::text, ''), coalesce(password_hash, '')
		FROM users WHERE username = $1 AND disabled_at IS NULL`, username).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, &u.AccountID, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", aftercare.Errorf(aftercare.ENOTFOUND, "user %q not found", username)
	}
	return &u, hash, err
}

// CountSignInFailures returns the failed attempts since then for the user
// name and from the client.
func (s *SignInService) CountSignInFailures(ctx context.Context, username, client string, since time.Time) (byUsername, byClient int, err error) {
	defer wrap(&err, "SignInService.CountSignInFailures")
	err = s.db.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM sign_in_failures WHERE username = $1 AND at >= $3),
		       (SELECT count(*) FROM sign_in_failures WHERE client = $2 AND at >= $3)`,
		username, client, since).Scan(&byUsername, &byClient)
	return byUsername, byClient, err
}

// RecordSignInFailure counts the attempt, audits it against the user (or,
// for a name that is nobody's, against the name) and forgets attempts past
// their retention.
func (s *SignInService) RecordSignInFailure(ctx context.Context, u *aftercare.User, username, client, reason string) (err error) {
	defer wrap(&err, "SignInService.RecordSignInFailure")
	objectID := "name:" + username
	if u != nil {
		objectID = u.ID
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var p pipeline
		p.Exec(ctx, `INSERT INTO sign_in_failures (username, client) VALUES ($1, $2)`, username, client)
		p.Exec(ctx, `DELETE FROM sign_in_failures WHERE at < now() - $1::interval`, signInFailureRetention.String())
		p.Exec(ctx, `
			INSERT INTO audit_events (actor_role, action, object_type, object_id, after, request_id)
			VALUES ('anonymous', 'sign_in_failed', 'user', $1, $2, $3)`,
			objectID, map[string]string{"username": username, "client": client, "reason": reason},
			aftercare.RequestIDFromContext(ctx))
		return p.send(ctx, tx)
	})
}

// StartSession opens a session for u, audited as u signing in.
func (s *SignInService) StartSession(ctx context.Context, u *aftercare.User, client string, expires time.Time) (id string, err error) {
	defer wrap(&err, "SignInService.StartSession")
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO sign_in_sessions (user_id, client, expires_at) VALUES ($1, $2, $3) RETURNING id`,
			u.ID, client, expires).Scan(&id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, u, "sign_in", "user", u.ID, nil,
			map[string]any{"session": id, "client": client, "expires": expires})
	})
	return id, err
}

// EndSession ends a session, audited as its user signing out.
func (s *SignInService) EndSession(ctx context.Context, sessionID string) (err error) {
	defer wrap(&err, fmt.Sprintf("SignInService.EndSession(ctx, %q)", sessionID))
	if !validID(sessionID) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "session %q not found", sessionID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var u aftercare.User
		var ended bool
		err := tx.QueryRow(ctx, `
			SELECT u.id, u.role, s.ended_at IS NOT NULL FROM sign_in_sessions s JOIN users u ON u.id = s.user_id
			WHERE s.id = $1 FOR UPDATE OF s`, sessionID).Scan(&u.ID, &u.Role, &ended)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "session %q not found", sessionID)
		}
		if err != nil || ended {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE sign_in_sessions SET ended_at = now() WHERE id = $1`, sessionID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, &u, "sign_out", "user", u.ID, nil, map[string]string{"session": sessionID})
	})
}

// FindSessionUser returns the enabled user of a session open at now.
func (s *SignInService) FindSessionUser(ctx context.Context, sessionID string, now time.Time) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("SignInService.FindSessionUser(ctx, %q)", sessionID))
	if !validID(sessionID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "session %q not found", sessionID)
	}
	rows, err := s.db.pool.Query(ctx, userSelect+`
		JOIN sign_in_sessions s ON s.user_id = u.id
		WHERE s.id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`, sessionID, now)
	if err != nil {
		return nil, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "session %q not found", sessionID)
	}
	return u, err
}

// SetPassword replaces a user's password hash, ends their open sessions
// and returns them, audited without the hash.
func (s *SignInService) SetPassword(ctx context.Context, userID, hash string) (u *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("SignInService.SetPassword(ctx, %q)", userID))
	if !validID(userID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "user %q not found", userID)
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE users u SET password_hash = $2 WHERE id = $1
			RETURNING u.id, u.username, u.display_name, u.email, u.role, coalesce(u.account_id::text, ''), u.disabled_at`,
			userID, hash)
		if err != nil {
			return err
		}
		u, err = pgx.CollectExactlyOneRow(rows, scanUser)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "user %q not found", userID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE sign_in_sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL`, userID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "set_password", "user", userID, nil, nil)
	})
	return u, err
}
