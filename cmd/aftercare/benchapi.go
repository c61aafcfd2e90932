package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/bench"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/metrics"
	"github.com/aftercare/aftercare/postgres"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// runBenchAPI serves the API in this process, as `aftercare api` builds
// it, over a database of its own holding a fleet and a history, and
// measures its operations over HTTP from concurrent clients with
// bench.API.
func runBenchAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench api", stderr)
	var cfg Config
	cfg.bindFlags(fs)
	h := bench.HistoryDatabase{Seed: demo.DefaultConfig()}
	fs.StringVar(&h.Database, "database", "aftercare_api_bench", "the benchmark's database on the server of -database-url, created and seeded when it holds no history, reused after")
	fs.IntVar(&h.Incidents, "incidents", 1_000_000, "closed incidents in the history, over two years")
	fs.IntVar(&h.Seed.Accounts, "accounts", 1_000, "enterprise accounts")
	fs.IntVar(&h.Seed.SitesPerAccount, "sites-per-account", 10, "sites per account")
	fs.IntVar(&h.Seed.AssetsPerSite, "assets-per-site", 40, "assets per site")
	fs.IntVar(&h.Seed.Engineers, "engineers", 100_000, "field engineers")
	fs.IntVar(&h.Seed.Depots, "depots", 1_000, "parts depots")
	fs.IntVar(&h.Seed.Parts, "parts", 500, "parts in the catalogue")
	fs.IntVar(&h.Seed.VanStockPerEngineer, "van-parts", 10, "different parts in each van")
	clients := fs.String("clients", "1,8,32", "concurrent clients to measure, comma-separated")
	only := fs.String("only", "", "measure only the operations whose names contain one of these, comma-separated")
	var bc bench.APIConfig
	fs.DurationVar(&bc.Duration, "duration", 10*time.Second, "how long each operation is measured at each number of clients")
	fs.DurationVar(&bc.Warmup, "warmup", 2*time.Second, "untimed calls before each measurement, for this long")
	fs.StringVar(&bc.CPUProfile, "cpuprofile", "", "write a CPU profile of each operation's measurements to this file, with the operation's name added")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			return fmt.Errorf("clients %q is not a positive number", c)
		}
		bc.Clients = append(bc.Clients, n)
	}
	h.ServerURL = cfg.DatabaseURL
	db, err := h.Open(ctx, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	cancelled, err := bench.APIReset(ctx, db)
	if err != nil {
		return err
	}
	if err := db.ExecScript(ctx, "ANALYZE"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "open incidents of earlier runs cancelled: %d\n", cancelled)

	start := time.Now()
	srv, err := serveBenchAPI(ctx, cfg, db)
	if err != nil {
		return err
	}
	defer srv.close()
	fmt.Fprintf(stdout, "API built (authorization policy, dispatch index) and serving at %s in %s\n",
		srv.url, time.Since(start).Round(time.Millisecond))

	ops, region, err := bench.APIOperations(ctx, bench.APITargets{URL: srv.url + "/query", HandwrittenURL: srv.url + "/handwritten",
		DB: db, RunID: strconv.FormatInt(time.Now().UnixNano(), 36), Seed: uint64(time.Now().UnixNano()),
		Mint: func(ctx context.Context, username string) (string, error) {
			return mintToken(ctx, &cfg, db, username, 6*time.Hour)
		}})
	if err != nil {
		return err
	}
	bc.Operations = pickOperations(ops, *only)
	results, err := bench.API(ctx, bc, stdout)
	if err != nil {
		return err
	}
	bench.APISummary(stdout, results)
	open, err := bench.OpenIncidents(ctx, db, region)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "- open incidents of region %s, dispatcher.east's queue, at the end: %d, all filed by this run\n", region, open)
	return nil
}

// pickOperations returns the operations whose names contain one of the
// comma-separated parts of only.
func pickOperations(ops []bench.APIOperation, only string) []bench.APIOperation {
	var picked []bench.APIOperation
	for _, op := range ops {
		for _, part := range strings.Split(only, ",") {
			if strings.Contains(op.Name, part) {
				picked = append(picked, op)
				break
			}
		}
	}
	return picked
}

// benchAPIServer is the API the bench serves, with the hand-written
// handler of its nested list beside it.
type benchAPIServer struct {
	url    string
	server *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// serveBenchAPI builds the API exactly as `aftercare api` does (metrics,
// authorization policy, dispatch index, loaders and limits from cfg) and
// serves it on a loopback port, keeping the policy and the index
// following the database as `aftercare api` does. It starts no intake
// relay: incidents filed wait in the outbox, so what is measured is the
// API's work. Its Temporal client is never dialled: no operation the
// bench sends reaches Temporal.
func serveBenchAPI(ctx context.Context, cfg Config, db *postgres.DB) (*benchAPIServer, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := &Main{Config: cfg, Logger: logger, Service: "aftercare-api", DB: db}
	m.Metrics = metrics.New(logger)
	if err := m.Metrics.Register(metrics.NewPoolCollector(db), metrics.NewOutboxCollector(db)); err != nil {
		return nil, err
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Logger: sdklog.NewStructuredLogger(logger)})
	if err != nil {
		return nil, err
	}
	m.Temporal = tc
	a, err := m.newAPI(ctx)
	if err != nil {
		return nil, err
	}
	key, err := cfg.tokenKey()
	if err != nil {
		return nil, err
	}
	tokens, err := authz.NewTokens(key)
	if err != nil {
		return nil, err
	}
	users := postgres.NewUserService(db)
	mux := http.NewServeMux()
	mux.Handle("/", m.withMetrics(a.handler))
	mux.Handle("/handwritten", &bench.Handwritten{DB: db, Caller: func(r *http.Request) (*aftercare.Scope, error) {
		credential, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "no bearer token")
		}
		claims, err := tokens.Verify(credential, time.Now())
		if err != nil {
			return nil, err
		}
		u, err := users.FindUserByID(r.Context(), claims.UserID)
		if err != nil {
			return nil, err
		}
		return a.enforcer.Scope(u), nil
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &benchAPIServer{url: listenerURL(ln), server: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		go a.enforcer.Watch(bgCtx, 30*time.Second)
		go a.dispatcher.Follow(bgCtx, 2*time.Second)
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("http server", "err", err)
		}
	}()
	return s, nil
}

func (s *benchAPIServer) close() {
	s.cancel()
	_ = s.server.Close()
	<-s.done
}
