package postgres_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignInSessionsEnd checks every way a sign-in session ends: its
// expiry, signing out, the user being disabled, a new password; and that
// failed attempts are counted by name and by address within their window.
func TestSignInSessionsEnd(t *testing.T) {
	w := mustRegistryWorld(t)
	s := postgres.NewSignInService(w.db)
	am := &aftercare.User{ID: w.amID, Role: aftercare.RoleAccountManager}

	u, hash, err := s.FindCredentials(w.admin, "reg.am")
	require.NoError(t, err)
	assert.Equal(t, w.amID, u.ID)
	assert.Empty(t, hash, "no password yet")
	_, err = s.SetPassword(w.admin, w.amID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5")
	require.NoError(t, err)
	_, hash, err = s.FindCredentials(w.admin, "reg.am")
	require.NoError(t, err)
	assert.Equal(t, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", hash)
	_, _, err = s.FindCredentials(w.admin, "nobody")
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))

	now := time.Now()
	short, err := s.StartSession(w.admin, am, "10.0.0.1", now.Add(time.Minute))
	require.NoError(t, err)
	found, err := s.FindSessionUser(w.admin, short, now)
	require.NoError(t, err)
	assert.Equal(t, w.amID, found.ID)
	_, err = s.FindSessionUser(w.admin, short, now.Add(2*time.Minute))
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "expired")

	out, err := s.StartSession(w.admin, am, "10.0.0.1", now.Add(time.Hour))
	require.NoError(t, err)
	require.NoError(t, s.EndSession(w.admin, out))
	require.NoError(t, s.EndSession(w.admin, out), "ending it again does nothing")
	_, err = s.FindSessionUser(w.admin, out, now)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "signed out")
	assert.Equal(t, 1, auditCount(t, w.db, "sign_out"))

	disabled, err := s.StartSession(w.admin, am, "10.0.0.1", now.Add(time.Hour))
	require.NoError(t, err)
	_, err = postgres.NewUserRegistry(w.db).DisableUser(w.admin, w.amID, "left")
	require.NoError(t, err)
	_, err = s.FindSessionUser(w.admin, disabled, now)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "disabled")
	_, err = postgres.NewUserRegistry(w.db).EnableUser(w.admin, w.amID)
	require.NoError(t, err)
	_, err = s.FindSessionUser(w.admin, disabled, now)
	require.NoError(t, err, "enabled again, the session holds")
	_, err = s.SetPassword(w.admin, w.amID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$b3RoZXI")
	require.NoError(t, err)
	_, err = s.FindSessionUser(w.admin, disabled, now)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "a new password ends every session")
	assert.Equal(t, 3, auditCount(t, w.db, "sign_in"))
	assert.Equal(t, 2, auditCount(t, w.db, "set_password"))

	for range 3 {
		require.NoError(t, s.RecordSignInFailure(w.admin, am, "reg.am", "10.0.0.1", "wrong_password"))
	}
	require.NoError(t, s.RecordSignInFailure(w.admin, nil, "reg.ghost", "10.0.0.2", "unknown_user"))
	byName, byClient, err := s.CountSignInFailures(w.admin, "reg.am", "10.0.0.1", now.Add(-time.Minute))
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 3}, [2]int{byName, byClient})
	byName, byClient, err = s.CountSignInFailures(w.admin, "reg.am", "10.0.0.2", time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, [2]int{0, 0}, [2]int{byName, byClient}, "outside the window")
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, w.db,
		`SELECT count(*) FROM audit_events WHERE action = 'sign_in_failed' AND object_id = 'name:reg.ghost'`))

	_, err = s.FindSessionUser(w.admin, "not-an-id", now)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(s.EndSession(w.admin, "8f3c2a10-0000-4000-8000-00000000ffff")))
	_, err = s.SetPassword(w.admin, "8f3c2a10-0000-4000-8000-00000000ffff", "x")
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
}
