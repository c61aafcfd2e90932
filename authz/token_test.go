package authz_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustTokens(t *testing.T, key string) *authz.Tokens {
	t.Helper()
	tokens, err := authz.NewTokens([]byte(key))
	require.NoError(t, err)
	return tokens
}

func TestTokens(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	user := &aftercare.User{ID: "u-1", Username: "am.li", Role: aftercare.RoleAccountManager}
	tokens := mustTokens(t, strings.Repeat("k", 32))
	token, err := tokens.Mint(user, now, time.Hour)
	require.NoError(t, err)

	claims, err := tokens.Verify(token, now.Add(59*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, &authz.Claims{UserID: "u-1", Username: "am.li", Role: aftercare.RoleAccountManager,
		Expiry: now.Add(time.Hour)}, claims)

	other := mustTokens(t, strings.Repeat("x", 32))
	forged, err := other.Mint(&aftercare.User{ID: "u-1", Username: "am.li", Role: aftercare.RoleAdmin}, now, time.Hour)
	require.NoError(t, err)
	badRole, err := tokens.Mint(&aftercare.User{ID: "u-1", Role: "root"}, now, time.Hour)
	require.NoError(t, err)
	parts := strings.Split(token, ".")

	tests := []struct {
		name  string
		token string
		at    time.Time
		want  string
	}{
		{"expired", token, now.Add(61 * time.Minute), "token expired"},
		{"signed with another key", forged, now, "token is not valid"},
		{"unknown role", badRole, now, "token is not valid"},
		{"tampered payload", parts[0] + "." + parts[1] + "x." + parts[2], now, "token is not valid"},
		{"alg none", parts[0] + "." + parts[1] + ".", now, "token is not valid"},
		{"garbage", "not-a-token", now, "token is not valid"},
		{"empty", "", now, "token is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokens.Verify(tt.token, tt.at)
			assert.Equal(t, aftercare.EUNAUTHORIZED, aftercare.ErrorCode(err))
			assert.Equal(t, tt.want, aftercare.ErrorMessage(err))
		})
	}
}

func TestSessionTokenCarriesItsSession(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	user := &aftercare.User{ID: "u-1", Username: "am.li", Role: aftercare.RoleAccountManager}
	tokens := mustTokens(t, strings.Repeat("k", 32))
	token, err := tokens.MintSession(user, "s-9", now, time.Hour)
	require.NoError(t, err)
	claims, err := tokens.Verify(token, now)
	require.NoError(t, err)
	assert.Equal(t, "s-9", claims.SessionID)
}

func TestNewTokensRejectsShortKeys(t *testing.T) {
	_, err := authz.NewTokens([]byte("short"))
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.key")
	first, err := authz.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.Len(t, first, authz.MinKeyBytes)
	again, err := authz.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(first, again), "the key is kept across runs")
}
