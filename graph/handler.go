package graph

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/graph/generated"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
)

// MaxBodyBytes bounds the size of a GraphQL request body.
const MaxBodyBytes = 1 << 20

// TokenIssuer checks bearer tokens, and mints those signing in issues.
type TokenIssuer interface {
	Verify(token string, now time.Time) (*authz.Claims, error)
	MintSession(u *aftercare.User, sessionID string, now time.Time, ttl time.Duration) (string, error)
}

// Config is what the HTTP handler needs besides the resolvers.
type Config struct {
	Tokens     TokenIssuer
	Authorizer Authorizer
	// SignIns keeps passwords and sign-in sessions for /auth/sign-in.
	SignIns aftercare.SignInService
	// SessionTTL is how long a sign-in lasts (DefaultSessionTTL when zero).
	// SignInUserLimit failed attempts for one user name, or SignInClientLimit
	// from one address, within SignInWindow refuse further attempts until
	// the window has passed (the Default values when zero).
	SessionTTL        time.Duration
	SignInWindow      time.Duration
	SignInUserLimit   int
	SignInClientLimit int
	// Web serves the web app's pages and assets: GET requests for any path
	// no other route takes. Nil serves none.
	Web    http.Handler
	Logger *slog.Logger
	// Introspection lets clients read the schema; switch it off in
	// production if the schema is not to be public.
	Introspection bool
	// MaxDepth and MaxCost bound each operation (see costLimit).
	MaxDepth int
	MaxCost  int
	// APIKeyRate and APIKeyBurst are the requests per second and the burst
	// each API key may send.
	APIKeyRate  float64
	APIKeyBurst int
	// CredentialCheck is how often an open WebSocket connection's key and
	// user are looked up again (DefaultCredentialCheck when zero).
	CredentialCheck time.Duration
	// AllowedOrigins are the host patterns (such as "console.example.com")
	// whose pages may open a WebSocket; same-origin pages always may.
	AllowedOrigins []string
	// LoaderWait is how long each dataloader of a response gathers keys
	// before it reads them in one batch (DefaultLoaderWait when zero).
	LoaderWait time.Duration
	// Ready reports whether the service can serve; it backs /readyz.
	Ready func(ctx context.Context) error
	// Operations is told of every query and mutation answered; nil tells
	// nobody.
	Operations OperationObserver
	// TracerProvider, when set, traces every operation and resolver
	// (operationTracer); nil traces nothing.
	TracerProvider trace.TracerProvider
}

// NewHandler returns the HTTP handler of the API: GraphQL at /query (JSON
// over POST, and WebSocket for subscriptions, with no multipart or GET),
// signing in and out under /auth/, the page survey links open at
// /survey/<token>, health and readiness at /healthz and /readyz, and the
// web app (with the GraphQL console at /console/) at every other path.
func NewHandler(r *Resolver, cfg Config) http.Handler {
	auth := &authenticator{
		tokens:  cfg.Tokens,
		authz:   cfg.Authorizer,
		users:   r.UserService,
		keys:    r.AccessService,
		surveys: r.SurveyService,
		signIns: cfg.SignIns,
		limiter: newRateLimiter(cfg.APIKeyRate, cfg.APIKeyBurst),

		credentialCheck: cmp.Or(cfg.CredentialCheck, DefaultCredentialCheck),
	}
	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Directives: generated.DirectiveRoot{Authorize: authorize(cfg.Authorizer)},
	}))
	srv.AddTransport(transport.Websocket{
		Implementation: sessionWebsocket{inner: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: cfg.AllowedOrigins},
		}},
		InitFunc:              auth.websocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Operations != nil {
		// The first extension is the outermost: it times the others too,
		// and sees the errors they answer with.
		srv.Use(operationTiming{observer: cfg.Operations})
	}
	if cfg.TracerProvider != nil {
		srv.Use(newOperationTracer(cfg.TracerProvider))
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(sessionChecks{limiter: auth.limiter})
	srv.Use(textCheck{})
	srv.Use(costLimit{MaxDepth: cfg.MaxDepth, MaxCost: cfg.MaxCost, Introspection: cfg.Introspection})
	srv.Use(loaderSets{resolver: r, wait: cmp.Or(cfg.LoaderWait, DefaultLoaderWait)})
	srv.SetErrorPresenter(presentError(cfg.Logger))
	srv.SetRecoverFunc(recoverPanic(cfg.Logger))

	mux := http.NewServeMux()
	if cfg.Web != nil {
		mux.Handle("/", onlyRead(cfg.Web))
	}
	mux.Handle("GET "+aftercare.SurveyLinkPath, surveyPage())
	mux.Handle("/query", onlyJSON(auth.middleware(srv)))
	if cfg.SignIns != nil {
		s := newSignIn(auth, cfg, cfg.SignIns)
		mux.Handle("/auth/sign-in", onlyJSON(http.HandlerFunc(s.create)))
		mux.Handle("/auth/sign-out", onlyJSON(http.HandlerFunc(s.end)))
		mux.HandleFunc("GET /auth/session", s.current)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		if err := cfg.Ready(ctx); err != nil {
			cfg.Logger.Warn("not ready", "err", err)
			http.Error(w, "not ready\n", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return withRequestID(limitBody(mux))
}

// authenticator turns credentials into a caller: a signed bearer token for
// a person, or an API key (Bearer ak_...) for a corporate IT system.
type authenticator struct {
	tokens  TokenIssuer
	authz   Authorizer
	users   aftercare.UserService
	keys    aftercare.AccessService
	surveys aftercare.SurveyService
	signIns aftercare.SignInService
	limiter *rateLimiter

	credentialCheck time.Duration
}

// identity is who a credential names: the user, the API key's ID if it is
// a key, the sign-in session if it is a token issued by signing in, and
// when it expires if it is a token.
type identity struct {
	user      *aftercare.User
	keyID     string
	sessionID string
	expiry    time.Time
}

// bearer returns the credential of an Authorization value.
func bearer(authorization string) (string, error) {
	credential, ok := strings.CutPrefix(strings.TrimSpace(authorization), "Bearer ")
	credential = strings.TrimSpace(credential)
	if !ok || credential == "" {
		return "", aftercare.Errorf(aftercare.EUNAUTHORIZED,
			"sign in: send Authorization: Bearer <token or API key> (mint a token with `aftercare token --user NAME`)")
	}
	return credential, nil
}

// caller returns who a credential names.
func (a *authenticator) caller(ctx context.Context, credential string) (identity, error) {
	if strings.HasPrefix(credential, "ak_") {
		u, keyID, err := a.keys.AuthenticateAPIKey(ctx, credential)
		return identity{user: u, keyID: keyID}, err
	}
	if strings.HasPrefix(credential, aftercare.SurveyTokenPrefix) {
		// A survey link's holder has no account; @authorize lets them
		// answer a survey and nothing else, and the token itself decides
		// which survey. The token must be a sent survey's, so that no
		// stranger gets as far as having a document parsed.
		if err := a.surveys.AuthenticateSurveyToken(ctx, credential); err != nil {
			return identity{}, err
		}
		return identity{user: aftercare.SurveyRespondent()}, nil
	}
	claims, err := a.tokens.Verify(credential, time.Now())
	if err != nil {
		return identity{}, err
	}
	if claims.SessionID != "" {
		if a.signIns == nil {
			return identity{}, aftercare.Errorf(aftercare.EUNAUTHORIZED, "token is not valid")
		}
		u, err := a.signIns.FindSessionUser(ctx, claims.SessionID, time.Now())
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			return identity{}, aftercare.Errorf(aftercare.EUNAUTHORIZED, "signed out: sign in again")
		}
		return identity{user: u, sessionID: claims.SessionID, expiry: claims.Expiry}, err
	}
	u, err := a.users.FindUserByID(ctx, claims.UserID)
	if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
		return identity{}, aftercare.Errorf(aftercare.EUNAUTHORIZED, "user is unknown or disabled")
	}
	return identity{user: u, expiry: claims.Expiry}, err
}

// middleware puts the caller and their scope into the request context, and
// answers EUNAUTHORIZED (HTTP 401) without valid credentials. WebSocket
// upgrades authenticate in their connection init payload instead.
func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if isWebsocketUpgrade(r) {
			next.ServeHTTP(w, a.withSession(r))
			return
		}
		credential, err := requestCredential(r)
		var id identity
		if err == nil {
			id, err = a.caller(r.Context(), credential)
		}
		if err != nil {
			writeCallerError(w, err)
			return
		}
		if id.keyID != "" && !a.limiter.allow(id.keyID, time.Now()) {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, aftercare.Errorf(aftercare.ERATELIMIT, "too many requests for this API key"))
			return
		}
		next.ServeHTTP(w, r.WithContext(withCaller(r.Context(), a.authz, id.user)))
	})
}

// websocketInit authenticates a WebSocket connection from the Authorization
// value of its connection_init payload, and holds the connection to that
// credential from then on (see wsSession).
func (a *authenticator) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	fail := func(err error) (context.Context, *transport.InitPayload, error) {
		code := closeUnauthorized
		if aftercare.ErrorCode(err) == aftercare.ERATELIMIT {
			code = closeTooManyRequests
		}
		ctx = transport.WithWebsocketCloseCode(ctx, code)
		return transport.AppendCloseReason(ctx, aftercare.ErrorMessage(err)), nil, errors.New(aftercare.ErrorMessage(err))
	}
	credential, err := bearer(payload.Authorization())
	if s := sessionFrom(ctx); payload.Authorization() == "" && s != nil && s.cookie != "" {
		credential, err = s.cookie, nil
	}
	if err != nil {
		return fail(err)
	}
	id, err := a.caller(ctx, credential)
	if err != nil {
		return fail(err)
	}
	if id.keyID != "" && !a.limiter.allow(id.keyID, time.Now()) {
		return fail(aftercare.Errorf(aftercare.ERATELIMIT, "too many requests for this API key"))
	}
	ctx = withCaller(ctx, a.authz, id.user)
	if s := sessionFrom(ctx); s != nil {
		ctx = s.start(ctx, credential, id)
	}
	return ctx, nil, nil
}

// onlyRead refuses every method but GET and HEAD.
func onlyRead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestCredential is the request's bearer credential: its Authorization
// header's, or else its session cookie's.
func requestCredential(r *http.Request) (string, error) {
	if r.Header.Get("Authorization") == "" {
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			return c.Value, nil
		}
	}
	return bearer(r.Header.Get("Authorization"))
}

// writeCallerError answers a request whose credential was refused, or
// could not be checked for a moment.
func writeCallerError(w http.ResponseWriter, err error) {
	status := http.StatusUnauthorized
	switch aftercare.ErrorCode(err) {
	case aftercare.EUNAVAILABLE:
		w.Header().Set("Retry-After", "1")
		status = http.StatusServiceUnavailable
	case aftercare.EINTERNAL:
		status, err = http.StatusServiceUnavailable, aftercare.Errorf(aftercare.EINTERNAL, "internal error")
	}
	writeError(w, status, err)
}

func isWebsocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// writeError answers a request that never reached GraphQL with a GraphQL
// shaped error.
func writeError(w http.ResponseWriter, status int, err error) {
	e := &gqlerror.Error{Message: aftercare.ErrorMessage(err), Extensions: map[string]any{"code": aftercare.ErrorCode(err)}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&graphql.Response{Errors: gqlerror.List{e}})
}

// limitBody refuses request bodies over MaxBodyBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge,
				aftercare.Errorf(aftercare.EINVALID, "request body is larger than %d bytes", MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// withRequestID gives every request an ID, the caller's X-Request-ID if it
// sent a sane one, echoed in the response and carried in the context.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 100 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(aftercare.NewContextWithRequestID(r.Context(), id)))
	})
}
