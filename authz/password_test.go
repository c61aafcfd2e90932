package authz_test

import (
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordHashMatchesOnlyItsPassword(t *testing.T) {
	h, err := authz.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	assert.True(t, authz.PasswordMatches(h, "correct horse battery"))
	assert.False(t, authz.PasswordMatches(h, "correct horse batterz"))
	assert.False(t, authz.PasswordMatches(h, ""))

	again, err := authz.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.NotEqual(t, h, again, "each hash has its own salt")
	assert.True(t, authz.PasswordMatches(again, "correct horse battery"))
}

func TestPasswordMatchesNothingForAnUnreadableHash(t *testing.T) {
	h, err := authz.HashPassword("correct horse battery")
	require.NoError(t, err)
	parts := strings.Split(h, "$")
	for name, bad := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuv",
		"other scheme": strings.Replace(h, "argon2id", "argon2i", 1),
		"version":      strings.Replace(h, "v=19", "v=16", 1),
		"huge memory":  strings.Replace(h, "m=19456", "m=99999999", 1),
		"no key":       strings.Join(append(parts[:5:5], ""), "$"),
		"bad salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
	} {
		assert.False(t, authz.PasswordMatches(bad, "correct horse battery"), name)
	}
}

func TestHashPasswordRefusesTooShortOrTooLong(t *testing.T) {
	for _, pw := range []string{"", "short", strings.Repeat("x", authz.MinPasswordLength-1),
		strings.Repeat("x", authz.MaxPasswordLength+1), "\xff\xfe invalid utf8"} {
		_, err := authz.HashPassword(pw)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%q", pw)
	}
	_, err := authz.HashPassword(strings.Repeat("密", authz.MinPasswordLength))
	assert.NoError(t, err, "length counts characters, not bytes")
}

func TestNewPasswordIsLongEnoughAndDiffers(t *testing.T) {
	a, b := authz.NewPassword(), authz.NewPassword()
	assert.NotEqual(t, a, b)
	_, err := authz.HashPassword(a)
	assert.NoError(t, err)
}
