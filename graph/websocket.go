package graph

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/aftercare/aftercare"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Close codes of the graphql-transport-ws protocol that a session ends
// with.
const (
	// closeUnauthorized ends a connection whose credential ended: a token
	// that expired, a key that was revoked, a user who was disabled; or
	// whose init payload carried no valid credential.
	closeUnauthorized = 4401
	// closeTooManyRequests refuses a connection whose API key is over its
	// rate at init.
	closeTooManyRequests = 4429
)

// DefaultCredentialCheck is how often an open WebSocket connection's API
// key and user are looked up again while the connection sits idle, and how
// stale a lookup may be when a subscription event is delivered. Every new
// operation looks them up afresh; a token's expiry needs no lookup and ends
// the connection when it comes.
const DefaultCredentialCheck = 2 * time.Second

// wsSession is the credential of one WebSocket connection, held to the
// same rules on every operation as an HTTP request: each operation is
// checked against the credential's current state and counted against the
// key's rate limit, every event delivered is checked against a state at
// most the check interval old, and when the credential ends (a token
// expires, a key is revoked, a user is disabled) the connection is closed
// with code 4401.
type wsSession struct {
	auth     *authenticator
	interval time.Duration
	// cookie is the session cookie's token sent with the upgrade request,
	// taken when the init payload carries no Authorization.
	cookie string

	mu         sync.Mutex
	credential string
	keyID      string
	userID     string
	sessionID  string    // the sign-in session of a token issued by signing in
	expiry     time.Time // the token's; zero for API keys and survey links
	checked    time.Time // when the key or user was last found valid
	ended      string    // why the credential ended; "" while it holds
	cancel     context.CancelFunc
}

type wsSessionKey struct{}

// sessionFrom returns the WebSocket session of ctx, or nil for an HTTP
// request.
func sessionFrom(ctx context.Context) *wsSession {
	s, _ := ctx.Value(wsSessionKey{}).(*wsSession)
	return s
}

// withSession gives a WebSocket upgrade request an empty session, which
// its connection's close and its init payload's credential fill in.
func (a *authenticator) withSession(r *http.Request) *http.Request {
	s := &wsSession{auth: a, interval: a.credentialCheck}
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.cookie = c.Value
	}
	return r.WithContext(context.WithValue(r.Context(), wsSessionKey{}, s))
}

// start records the credential the connection was opened with and watches
// it until ctx ends; it returns the context the connection's operations
// run in, cancelled when the credential ends.
func (s *wsSession) start(ctx context.Context, credential string, id identity) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.credential, s.keyID, s.userID, s.expiry = credential, id.keyID, id.user.ID, id.expiry
	s.sessionID = id.sessionID
	s.checked, s.cancel = time.Now(), cancel
	s.mu.Unlock()
	go s.watch(ctx)
	return ctx
}

// watch ends the session when its token expires, or when a look-up finds
// its key revoked or its user disabled, until ctx ends.
func (s *wsSession) watch(ctx context.Context) {
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	var expired <-chan time.Time
	if !s.expiry.IsZero() {
		t := time.NewTimer(time.Until(s.expiry))
		defer t.Stop()
		expired = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-expired:
			s.end("the token expired")
			return
		case <-tick.C:
			if s.check(ctx, false) != nil && s.isEnded() {
				return
			}
		}
	}
}

// check returns EUNAUTHORIZED if the credential has ended, and ends the
// session when it finds so. The key or user is looked up again when fresh
// is set or the last look-up is older than the interval; a look-up that
// fails for another reason (the database is away) fails this check but
// ends nothing.
func (s *wsSession) check(ctx context.Context, fresh bool) error {
	s.mu.Lock()
	ended, expiry, checked := s.ended, s.expiry, s.checked
	credential, keyID, userID, sessionID := s.credential, s.keyID, s.userID, s.sessionID
	s.mu.Unlock()
	now := time.Now()
	switch {
	case ended != "":
		return aftercare.Errorf(aftercare.EUNAUTHORIZED, "%s; sign in again", ended)
	case !expiry.IsZero() && !now.Before(expiry):
		return s.end("the token expired")
	case !fresh && now.Sub(checked) < s.interval:
		return nil
	}
	var err error
	switch {
	case keyID != "":
		_, _, err = s.auth.keys.AuthenticateAPIKey(ctx, credential)
		if aftercare.ErrorCode(err) == aftercare.EUNAUTHORIZED {
			return s.end("the API key was revoked")
		}
	case sessionID != "":
		_, err = s.auth.signIns.FindSessionUser(ctx, sessionID, now)
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			return s.end("signed out, or the user was disabled")
		}
	case userID != "":
		_, err = s.auth.users.FindUserByID(ctx, userID)
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			return s.end("the user is unknown or disabled")
		}
	default:
		err = s.auth.surveys.AuthenticateSurveyToken(ctx, credential)
		if aftercare.ErrorCode(err) == aftercare.EUNAUTHORIZED {
			return s.end("the survey link is unknown")
		}
	}
	if err != nil {
		return fmt.Errorf("check credential: %w", err)
	}
	s.mu.Lock()
	s.checked = now
	s.mu.Unlock()
	return nil
}

// end records why the credential ended and closes the connection.
func (s *wsSession) end(why string) error {
	s.mu.Lock()
	if s.ended == "" {
		s.ended = why
	}
	why, cancel := s.ended, s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return aftercare.Errorf(aftercare.EUNAUTHORIZED, "%s; sign in again", why)
}

func (s *wsSession) isEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended != ""
}

// closeWith returns the close code and reason of a connection being closed:
// 4401 with why when its credential ended, else what the transport chose.
func (s *wsSession) closeWith(code int, reason string) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended != "" {
		return closeUnauthorized, s.ended
	}
	return code, reason
}

// sessionChecks holds each WebSocket operation to its connection's
// credential before the operation is parsed, counts it against the key's
// rate limit, and checks the credential again before every response it
// delivers (each event of a subscription).
type sessionChecks struct {
	limiter *rateLimiter
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.ResponseInterceptor
} = sessionChecks{}

func (sessionChecks) ExtensionName() string { return "WebsocketSessionChecks" }

func (sessionChecks) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks an operation arriving over a WebSocket.
func (c sessionChecks) MutateOperationParameters(ctx context.Context, _ *graphql.RawParams) *gqlerror.Error {
	s := sessionFrom(ctx)
	if s == nil || !s.started() {
		return nil
	}
	if err := s.check(ctx, true); err != nil {
		return codedError(err)
	}
	if key := s.key(); key != "" && !c.limiter.allow(key, time.Now()) {
		return codedError(aftercare.Errorf(aftercare.ERATELIMIT, "too many requests for this API key"))
	}
	return nil
}

// InterceptResponse withholds a response, and ends the connection, once
// the credential has ended.
func (sessionChecks) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	s := sessionFrom(ctx)
	if resp == nil || s == nil || !s.started() {
		return resp
	}
	if err := s.check(ctx, false); err != nil {
		return &graphql.Response{Errors: gqlerror.List{codedError(err)}}
	}
	return resp
}

// key returns the ID of the session's API key, "" for another credential.
func (s *wsSession) key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyID
}

func (s *wsSession) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil
}

// codedError is err as a GraphQL error that the error presenter shows with
// its code.
func codedError(err error) *gqlerror.Error {
	return &gqlerror.Error{Message: aftercare.ErrorMessage(err), Err: err}
}

// sessionWebsocket accepts WebSocket connections through inner and closes
// each with its session's code when the session's credential ended.
type sessionWebsocket struct {
	inner transport.WebsocketImplementation
}

// Accept accepts the connection of an upgrade request that carries a
// session.
func (w sessionWebsocket) Accept(rw http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := w.inner.Accept(rw, r, opts)
	if err != nil {
		return nil, err
	}
	s := sessionFrom(r.Context())
	if s == nil {
		return conn, nil
	}
	return sessionConn{WebsocketConn: conn, session: s}, nil
}

// sessionConn is a connection whose close says why its credential ended.
type sessionConn struct {
	transport.WebsocketConn
	session *wsSession
}

func (c sessionConn) WriteClose(code int, reason string) error {
	return c.WebsocketConn.WriteClose(c.session.closeWith(code, reason))
}

// SetReadLimit passes the transport's read limit on to the connection.
func (c sessionConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

// SetReadDeadline passes the transport's read deadline on to the
// connection.
func (c sessionConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
