package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/graph/generated"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxBodyBytes bounds the size of a GraphQL request body.
const MaxBodyBytes = 1 << 20

// TokenVerifier checks bearer tokens.
type TokenVerifier interface {
	Verify(token string, now time.Time) (*authz.Claims, error)
}

// Config is what the HTTP handler needs besides the resolvers.
type Config struct {
	Tokens TokenVerifier
	Logger *slog.Logger
	// Introspection lets clients read the schema; switch it off in
	// production if the schema is not to be public.
	Introspection bool
	// Ready reports whether the service can serve; it backs /readyz.
	Ready func(ctx context.Context) error
}

// NewHandler returns the HTTP handler of the API: the GraphQL console at /,
// GraphQL at /query, and health and readiness at /healthz and /readyz.
func NewHandler(r *Resolver, cfg Config) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.SetErrorPresenter(presentError(cfg.Logger))
	srv.SetRecoverFunc(recoverPanic(cfg.Logger))

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", playground.Handler("Aftercare", "/query"))
	mux.Handle("/query", authenticate(cfg.Tokens, r.UserService, srv))
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

// authenticate puts the user a bearer token names into the request context,
// and answers EUNAUTHORIZED (HTTP 401) without one.
func authenticate(tokens TokenVerifier, users aftercare.UserService, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, aftercare.Errorf(aftercare.EUNAUTHORIZED,
				"sign in: send Authorization: Bearer <token> (mint one with `aftercare token --user NAME`)"))
			return
		}
		claims, err := tokens.Verify(strings.TrimSpace(token), time.Now())
		if err != nil {
			writeError(w, http.StatusUnauthorized, err)
			return
		}
		user, err := users.FindUserByID(r.Context(), claims.UserID)
		if err != nil {
			if aftercare.ErrorCode(err) != aftercare.ENOTFOUND {
				writeError(w, http.StatusServiceUnavailable, aftercare.Errorf(aftercare.EINTERNAL, "internal error"))
				return
			}
			writeError(w, http.StatusUnauthorized, aftercare.Errorf(aftercare.EUNAUTHORIZED, "user is unknown or disabled"))
			return
		}
		next.ServeHTTP(w, r.WithContext(aftercare.NewContextWithUser(r.Context(), user)))
	})
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
