package aftercare

import (
	"context"
	"time"
)

// SignInService keeps what signing in with a user name and password needs:
// password hashes, the failed attempts counted against guessing, and the
// sessions whose tokens signing out ends. Hashing and checking passwords
// is the caller's (authz); this service stores and audits.
type SignInService interface {
	// FindCredentials returns the enabled user named username and their
	// password hash ("" when they have none), or ENOTFOUND.
	FindCredentials(ctx context.Context, username string) (*User, string, error)
	// CountSignInFailures returns how many attempts failed since then for
	// the user name and from the client address.
	CountSignInFailures(ctx context.Context, username, client string, since time.Time) (byUsername, byClient int, err error)
	// RecordSignInFailure counts and audits an attempt that failed, saying
	// why ("wrong_password", "unknown_user", "rate_limited"); u is the user
	// the name belongs to, nil when it is nobody's.
	RecordSignInFailure(ctx context.Context, u *User, username, client, reason string) error
	// StartSession opens and audits a session for u until expires, and
	// returns its ID.
	StartSession(ctx context.Context, u *User, client string, expires time.Time) (string, error)
	// EndSession ends and audits a session; ending one already ended does
	// nothing. ENOTFOUND for a session that never was.
	EndSession(ctx context.Context, sessionID string) error
	// FindSessionUser returns the enabled user of a session that has neither
	// ended nor expired at now, or ENOTFOUND.
	FindSessionUser(ctx context.Context, sessionID string, now time.Time) (*User, error)
	// SetPassword replaces a user's password hash, ends their open
	// sessions and returns them, audited with the caller in ctx as the
	// actor; ENOTFOUND for a user who does not exist.
	SetPassword(ctx context.Context, userID, hash string) (*User, error)
}
