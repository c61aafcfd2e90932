package graph

import (
	"cmp"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
)

// SessionCookie is the cookie a browser holds its sign-in token in: the
// same bearer token the API takes in an Authorization header, kept where
// the page's scripts cannot read it (HttpOnly) and sent only with requests
// from the API's own pages (SameSite=Strict).
const SessionCookie = "aftercare_session"

// Sign-in defaults: how long a session lasts, and how many failed attempts
// a user name and a client address may make in a window before further
// attempts are refused until the window has passed.
const (
	DefaultSessionTTL        = 12 * time.Hour
	DefaultSignInWindow      = 15 * time.Minute
	DefaultSignInUserLimit   = 5
	DefaultSignInClientLimit = 30
)

// signIn serves /auth/sign-in, /auth/session and /auth/sign-out.
type signIn struct {
	auth     *authenticator
	tokens   TokenIssuer
	sessions aftercare.SignInService

	ttl         time.Duration
	window      time.Duration
	userLimit   int
	clientLimit int
}

func newSignIn(auth *authenticator, cfg Config, sessions aftercare.SignInService) *signIn {
	return &signIn{auth: auth, tokens: cfg.Tokens, sessions: sessions,
		ttl:         cmp.Or(cfg.SessionTTL, DefaultSessionTTL),
		window:      cmp.Or(cfg.SignInWindow, DefaultSignInWindow),
		userLimit:   cmp.Or(cfg.SignInUserLimit, DefaultSignInUserLimit),
		clientLimit: cmp.Or(cfg.SignInClientLimit, DefaultSignInClientLimit),
	}
}

// sessionUser is what the sign-in endpoints say about the signed-in user.
type sessionUser struct {
	ID          string         `json:"id"`
	Username    string         `json:"username"`
	DisplayName string         `json:"displayName"`
	Role        aftercare.Role `json:"role"`
}

func writeSessionUser(w http.ResponseWriter, u *aftercare.User) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]sessionUser{"user": {
		ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role}})
}

// create checks a user name and password and, when they match, starts a
// session and sets its token as the session cookie. Failed attempts are
// counted per user name and per client, and past the limit refused with
// ERATELIMIT without the password being looked at.
func (s *signIn) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, aftercare.Errorf(aftercare.EINVALID, "send {\"username\", \"password\"} as JSON"))
		return
	}
	if body.Username == "" || body.Password == "" || len(body.Username) > 64 || len(body.Password) > 4*authz.MaxPasswordLength {
		writeError(w, http.StatusBadRequest, aftercare.Errorf(aftercare.EINVALID, "enter a user name and a password"))
		return
	}
	ctx, client, now := r.Context(), clientAddress(r), time.Now()
	byUser, byClient, err := s.sessions.CountSignInFailures(ctx, body.Username, client, now.Add(-s.window))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	u, hash, err := s.sessions.FindCredentials(ctx, body.Username)
	if err != nil && aftercare.ErrorCode(err) != aftercare.ENOTFOUND {
		writeServiceError(w, err)
		return
	}
	reason := ""
	switch {
	case byUser >= s.userLimit || byClient >= s.clientLimit:
		reason = "rate_limited"
	case !authz.PasswordMatches(hash, body.Password):
		reason = "wrong_password"
		if u == nil {
			reason = "unknown_user"
		}
	}
	if reason != "" {
		s.refuse(w, r, u, body.Username, client, reason)
		return
	}
	s.start(w, r, u, client, now)
}

// refuse records a failed attempt and answers it: ERATELIMIT when over the
// limit, otherwise EUNAUTHORIZED without saying whether the name exists.
func (s *signIn) refuse(w http.ResponseWriter, r *http.Request, u *aftercare.User, username, client, reason string) {
	if err := s.sessions.RecordSignInFailure(r.Context(), u, username, client, reason); err != nil {
		writeServiceError(w, err)
		return
	}
	if reason == "rate_limited" {
		w.Header().Set("Retry-After", strconv.Itoa(int(s.window.Seconds())))
		writeError(w, http.StatusTooManyRequests, aftercare.Errorf(aftercare.ERATELIMIT,
			"too many failed sign-ins; try again in %d minutes", int(s.window.Minutes())))
		return
	}
	writeError(w, http.StatusUnauthorized, aftercare.Errorf(aftercare.EUNAUTHORIZED, "user name or password is wrong"))
}

func (s *signIn) start(w http.ResponseWriter, r *http.Request, u *aftercare.User, client string, now time.Time) {
	expires := now.Add(s.ttl)
	id, err := s.sessions.StartSession(r.Context(), u, client, expires)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	token, err := s.tokens.MintSession(u, id, now, s.ttl)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		MaxAge: int(s.ttl.Seconds()), HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	writeSessionUser(w, u)
}

// current answers who the session cookie names, or EUNAUTHORIZED.
func (s *signIn) current(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		writeError(w, http.StatusUnauthorized, aftercare.Errorf(aftercare.EUNAUTHORIZED, "not signed in"))
		return
	}
	id, err := s.auth.caller(r.Context(), c.Value)
	if err != nil {
		writeCallerError(w, err)
		return
	}
	writeSessionUser(w, id.user)
}

// end ends the cookie's session, if it names one that still holds, and
// clears the cookie.
func (s *signIn) end(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if claims, err := s.tokens.Verify(c.Value, time.Now()); err == nil && claims.SessionID != "" {
			if err := s.sessions.EndSession(r.Context(), claims.SessionID); err != nil &&
				aftercare.ErrorCode(err) != aftercare.ENOTFOUND {
				writeServiceError(w, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

// clientAddress is the address a request came from, without its port.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeServiceError answers a failure of the store: 503 when it may pass,
// and never a fault's details.
func writeServiceError(w http.ResponseWriter, err error) {
	switch aftercare.ErrorCode(err) {
	case aftercare.EUNAVAILABLE:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err)
	case aftercare.EINTERNAL:
		writeError(w, http.StatusServiceUnavailable, aftercare.Errorf(aftercare.EINTERNAL, "internal error"))
	default:
		writeError(w, http.StatusBadRequest, err)
	}
}
