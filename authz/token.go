// Package authz decides who a caller is and what they may do: it mints and
// verifies the signed bearer tokens people use, and (with casbin, which only
// this package imports) holds the access-control model and its enforcer.
package authz

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/golang-jwt/jwt/v5"
)

// tokenIssuer is the JWT "iss" claim of every token Aftercare signs, and
// the one Verify requires.
const tokenIssuer = "aftercare"

// MinKeyBytes is the shortest signing key Tokens accepts.
const MinKeyBytes = 32

// Tokens mints and verifies signed, expiring bearer tokens (JWT, HS256).
type Tokens struct {
	key []byte
}

// NewTokens returns Tokens that sign with key, which must be at least
// MinKeyBytes long.
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < MinKeyBytes {
		return nil, aftercare.Errorf(aftercare.EINVALID, "token signing key must be at least %d bytes", MinKeyBytes)
	}
	return &Tokens{key: key}, nil
}

// LoadOrCreateKey reads a hex signing key from path, first writing a new
// random one there (readable only by its owner) if the file does not exist.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, MinKeyBytes)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("write token key: %w", err)
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write token key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token key: %w", err)
	}
	return ParseKey(string(b))
}

// ParseKey decodes a hex signing key, such as the one in
// AFTERCARE_TOKEN_KEY.
func ParseKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "token signing key is not hex: %v", err)
	}
	return key, nil
}

// Claims is what a token says about its bearer.
type Claims struct {
	UserID   string
	Username string
	Role     aftercare.Role
	Expiry   time.Time
	// SessionID is the sign-in session a token was issued for (its "jti"),
	// "" for a token minted outside one.
	SessionID string
}

type jwtClaims struct {
	Username string `json:"name"`
	Role     string `json:"role"`
	jwt.RegisteredClaims
}

// Mint returns a token for the user that expires after ttl from now.
func (t *Tokens) Mint(u *aftercare.User, now time.Time, ttl time.Duration) (string, error) {
	return t.MintSession(u, "", now, ttl)
}

// MintSession is Mint for a sign-in session, whose ID the token carries so
// that ending the session ends the token.
func (t *Tokens) MintSession(u *aftercare.User, sessionID string, now time.Time, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", aftercare.Errorf(aftercare.EINVALID, "token lifetime must be positive")
	}
	claims := jwtClaims{
		Username: u.Username,
		Role:     string(u.Role),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   u.ID,
			ID:        sessionID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
}

// Verify checks a token's signature, issuer and expiry at now and returns
// its claims, or EUNAUTHORIZED saying why it is refused.
func (t *Tokens) Verify(token string, now time.Time) (*Claims, error) {
	var claims jwtClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "token expired")
	case err != nil:
		return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "token is not valid")
	case claims.Subject == "" || !aftercare.Role(claims.Role).Valid():
		return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "token is not valid")
	}
	return &Claims{UserID: claims.Subject, Username: claims.Username, Role: aftercare.Role(claims.Role),
		Expiry: claims.ExpiresAt.UTC(), SessionID: claims.ID}, nil
}
