package authz

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aftercare/aftercare"
	"golang.org/x/crypto/argon2"
)

// Password lengths HashPassword accepts, in characters. The upper bound
// keeps one sign-in from costing more than a page of text.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 128
)

// argon2id parameters: 19 MiB, two passes, one thread (OWASP's first
// recommended set), a 16-byte salt and a 32-byte key.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltBytes = 16
	argonKeyBytes  = 32
)

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$key), or EINVALID for a
// password too short or too long.
func HashPassword(password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyBytes)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return aftercare.Errorf(aftercare.EINVALID, "password is not valid UTF-8")
	case n < MinPasswordLength:
		return aftercare.Errorf(aftercare.EINVALID, "password must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return aftercare.Errorf(aftercare.EINVALID, "password must be at most %d characters", MaxPasswordLength)
	}
	return nil
}

// PasswordMatches reports whether password is the one hash was made from.
// A hash it cannot read matches nothing; an empty hash is checked against
// a made-up one, so that an unknown user takes as long as a known one.
func PasswordMatches(hash, password string) bool {
	if hash == "" {
		hash = unknownUserHash
	}
	var version, memory, passes int
	var threads uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory < 1 || memory > 1<<20 || passes < 1 || passes > 10 || threads < 1 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, uint32(passes), uint32(memory), threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1 && hash != unknownUserHash
}

// unknownUserHash is checked when a sign-in names nobody; no password
// matches it (PasswordMatches says so even if one did).
var unknownUserHash = func() string {
	h, err := HashPassword("no user has this password")
	if err != nil {
		panic(err)
	}
	return h
}()

// NewPassword returns a random password of 16 letters and digits, as
// handed to demo users.
func NewPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY2346789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
