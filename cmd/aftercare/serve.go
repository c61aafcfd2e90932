package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/graph"
	"github.com/aftercare/aftercare/metrics"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/territory"
	"github.com/aftercare/aftercare/web"
	"github.com/aftercare/aftercare/workflows"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// FailpointBeforeWorkflowStart, as the value of AFTERCARE_FAILPOINT, makes
// the API process exit right after it claims an incident's outbox message
// and before it starts the workflow: the window a crash must not lose.
const FailpointBeforeWorkflowStart = "intake-before-workflow-start"

// failpointExitCode is the exit status of a process killed by a failpoint.
const failpointExitCode = 42

// Main wires Aftercare's parts together for the api, worker and dev
// subcommands and for end-to-end tests.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Service names the process in traces: aftercare-api, aftercare-worker
	// or aftercare-dev.
	Service string
	// TracerProvider traces requests, queries, workflows and activities
	// (tracing.go). Open sets it when an OTLP endpoint is configured;
	// tests may set their own. Nil traces nothing.
	TracerProvider trace.TracerProvider
	// RegisterSearchAttributes has Open register on the Temporal namespace
	// the search attributes of Aftercare's workflows it lacks, as on the
	// dev server; otherwise Open refuses a namespace that lacks them.
	RegisterSearchAttributes bool

	DB       *postgres.DB
	Temporal client.Client
	// Metrics is the process's registry, which /metrics serves.
	Metrics *metrics.Metrics

	httpServer   *http.Server
	listener     net.Listener
	worker       worker.Worker
	cancel       context.CancelFunc
	workerCancel context.CancelFunc
	wg           sync.WaitGroup

	// metricsServer serves /metrics at Config.MetricsAddr, when set.
	metricsServer   *http.Server
	metricsListener net.Listener
	// stopTemporalMetrics stops the Temporal SDK's metrics handler.
	stopTemporalMetrics func(context.Context) error
	stopTracing         func(context.Context) error
}

// Open builds the process's metrics registry, connects to PostgreSQL and
// Temporal, whose pool, outbox and SDK it measures, and checks that the
// Temporal namespace has the search attributes Aftercare's workflows set.
func (m *Main) Open(ctx context.Context) error {
	if err := m.openTracing(ctx); err != nil {
		return err
	}
	m.Metrics = metrics.New(m.Logger)
	db, err := postgres.Open(ctx, m.Config.DatabaseURL, m.databaseOptions()...)
	if err != nil {
		return fmt.Errorf("open database (is PostgreSQL running? scripts/postgres.sh starts it): %w", err)
	}
	m.DB = db
	if err := m.Metrics.Register(metrics.NewPoolCollector(db), metrics.NewOutboxCollector(db)); err != nil {
		return err
	}
	temporalMetrics, stop, err := temporalMetrics(m.Metrics.Registry(), m.Logger.With("component", "temporal-metrics"))
	if err != nil {
		return err
	}
	m.stopTemporalMetrics = stop
	interceptors, err := m.temporalInterceptors()
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, client.Options{
		HostPort:       m.Config.TemporalAddress,
		Namespace:      m.Config.TemporalNamespace,
		Logger:         sdklog.NewStructuredLogger(m.Logger.With("component", "temporal")),
		MetricsHandler: temporalMetrics,
		Interceptors:   interceptors,
	})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", m.Config.TemporalAddress, err)
	}
	m.Temporal = c
	if m.RegisterSearchAttributes {
		if err := workflows.RegisterSearchAttributes(dialCtx, c, m.Config.TemporalNamespace); err != nil {
			return err
		}
	}
	if err := workflows.CheckSearchAttributes(dialCtx, c, m.Config.TemporalNamespace); err != nil {
		return fmt.Errorf("check Temporal at %s: %w", m.Config.TemporalAddress, err)
	}
	return nil
}

// StartAPI serves GraphQL on the configured address, with /metrics beside
// it unless Config.MetricsAddr gives them a listener of their own, and
// starts the relay that starts incident workflows from the outbox.
func (m *Main) StartAPI(ctx context.Context) error {
	a, err := m.newAPI(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.HTTPAddr, err)
	}
	m.listener = ln
	m.httpServer = &http.Server{
		Handler:           m.withMetrics(a.handler),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.wg.Go(func() {
		if err := m.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("http server", "err", err)
		}
	})

	relay := &workflows.IntakeRelay{
		Client:       m.Temporal,
		TaskQueue:    m.Config.TaskQueue,
		Outbox:       m.DB,
		Logger:       m.Logger.With("component", "intake-relay"),
		Lease:        m.Config.OutboxLease,
		PollInterval: m.Config.OutboxPoll,
		BatchSize:    50,
		Parallel:     m.Config.IntakeParallel,
	}
	if os.Getenv("AFTERCARE_FAILPOINT") == FailpointBeforeWorkflowStart {
		relay.BeforeStart = func(incidentID string) {
			m.Logger.Warn("failpoint: exiting before starting the workflow", "incident", incidentID)
			os.Exit(failpointExitCode)
		}
	}
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.wg.Go(func() { _ = relay.Run(bgCtx) })
	m.wg.Go(func() { a.enforcer.Watch(bgCtx, 30*time.Second) })
	m.wg.Go(func() { a.dispatcher.Follow(bgCtx, 2*time.Second) })
	return nil
}

// api is the GraphQL API's HTTP handler, with the parts of it that follow
// the database for as long as it serves: the authorization policy and the
// dispatch index.
type api struct {
	handler    http.Handler
	enforcer   *authz.Enforcer
	dispatcher *workflows.Dispatcher
}

// newAPI builds the GraphQL API over the database and Temporal client of
// m.
func (m *Main) newAPI(ctx context.Context) (*api, error) {
	key, err := m.Config.tokenKey()
	if err != nil {
		return nil, err
	}
	tokens, err := authz.NewTokens(key)
	if err != nil {
		return nil, err
	}
	enforcer, err := authz.NewEnforcer(ctx, m.DB, m.Logger.With("component", "authz"))
	if err != nil {
		return nil, err
	}
	dispatcher, err := m.dispatcher(ctx, "api")
	if err != nil {
		return nil, err
	}
	r := m.resolver(enforcer, dispatcher)
	handler := graph.NewHandler(r, graph.Config{
		Tokens:         tokens,
		SignIns:        r.SignInService,
		Web:            web.Handler(),
		Authorizer:     enforcer,
		Logger:         m.Logger,
		Introspection:  m.Config.Introspection,
		MaxDepth:       m.Config.MaxDepth,
		MaxCost:        m.Config.MaxCost,
		APIKeyRate:     m.Config.APIKeyRate,
		APIKeyBurst:    m.Config.APIKeyBurst,
		AllowedOrigins: m.Config.AllowedOrigins,
		Ready:          m.ready,
		Operations:     m.Metrics,
		TracerProvider: m.TracerProvider,

		CredentialCheck: m.Config.CredentialCheck,
		LoaderWait:      m.Config.LoaderWait,
	})
	return &api{handler: handler, enforcer: enforcer, dispatcher: dispatcher}, nil
}

// resolver wires the GraphQL resolvers to the stores, the workflow
// services and the dispatch index.
func (m *Main) resolver(enforcer *authz.Enforcer, dispatcher *workflows.Dispatcher) *graph.Resolver {
	r := &graph.Resolver{
		IncidentService: postgres.NewIncidentService(m.DB),
		AccountService:  postgres.NewAccountService(m.DB),
		AssetService:    postgres.NewAssetService(m.DB),
		ContractService: postgres.NewContractService(m.DB),
		EngineerService: postgres.NewEngineerService(m.DB),
		DepotService:    postgres.NewDepotService(m.DB),
		PartService:     postgres.NewPartService(m.DB),
		UserService:     postgres.NewUserService(m.DB),
		SignInService:   postgres.NewSignInService(m.DB),
		AccessService:   postgres.NewAccessService(m.DB),
		Authorizer:      enforcer,
	}
	slaService := postgres.NewSLAService(m.DB)
	r.SLAService, r.EventService = slaService, slaService
	r.NotificationService = postgres.NewNotificationService(m.DB)
	r.KPIService = postgres.NewKPIService(m.DB)
	r.RepairService = postgres.NewRepairService(m.DB)
	r.JobStore = postgres.NewJobStore(m.DB)
	lifecycle := &workflows.Lifecycle{Client: m.Temporal, Incidents: r.IncidentService,
		Repairs: r.RepairService, Jobs: r.JobStore, TaskQueue: m.Config.TaskQueue}
	r.LifecycleService = lifecycle
	r.JobService = &workflows.Jobs{Lifecycle: lifecycle, Store: r.JobStore, Repairs: r.RepairService}
	r.PriceListService = postgres.NewPriceListService(m.DB)
	r.QuoteService = &workflows.Quotes{Store: postgres.NewQuoteStore(m.DB), Lifecycle: r.LifecycleService,
		Incidents: r.IncidentService}
	r.SurveyService = postgres.NewSurveyService(m.DB)
	r.ContractLifecycle = &workflows.Contracts{Client: m.Temporal, TaskQueue: m.Config.TaskQueue,
		Store: r.ContractService}
	r.EntitlementService = postgres.NewEntitlementService(m.DB)
	r.StockService = postgres.NewStockService(m.DB)
	r.HealthService = postgres.NewHealthService(m.DB)
	r.PartsPlanService = postgres.NewPartsPlanService(m.DB)
	r.DispatchService, r.DispatchStore = dispatcher, postgres.NewDispatchService(m.DB)
	places := territory.Default()
	r.AccountRegistry, r.FleetRegistry = postgres.NewAccountRegistry(m.DB, places), postgres.NewFleetRegistry(m.DB, places)
	r.CatalogueRegistry, r.UserRegistry = postgres.NewCatalogueRegistry(m.DB), postgres.NewUserRegistry(m.DB)
	return r
}

// StartWorker runs the Temporal worker for the configured task queue, the
// relay that delivers escalation webhooks, and the relay that starts
// contract workflows and takes entitlement claims to them.
func (m *Main) StartWorker() error {
	ctx, cancel := context.WithCancel(context.Background())
	m.workerCancel = cancel
	dispatcher, err := m.dispatcher(ctx, "worker")
	if err != nil {
		return err
	}
	m.wg.Go(func() { dispatcher.Follow(ctx, 2*time.Second) })
	m.wg.Go(func() { m.keepHealthPartitions(ctx) })
	publicURL, err := m.Config.publicURL()
	if err != nil {
		return err
	}
	surveys := postgres.NewSurveyService(m.DB)
	surveys.PublicURL, surveys.Webhooks = publicURL, m.Config.Webhooks
	if len(m.Config.Webhooks) == 0 {
		m.Logger.Warn("no webhook configured (--webhook-url): escalations and survey invitations are recorded but not delivered")
	}
	m.worker = workflows.NewWorker(m.Temporal, m.Config.TaskQueue, &workflows.Activities{
		Incidents: postgres.NewIncidentService(m.DB),
		SLA:       postgres.NewSLAService(m.DB),
		Webhooks:  m.Config.Webhooks,
		Dispatch:  dispatcher,
		Surveys:   surveys,
		Contracts: postgres.NewContractService(m.DB),
		Quotes:    postgres.NewQuoteStore(m.DB),

		Escalations: m.Metrics,
	})
	if err := m.worker.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	contracts := &workflows.ContractRelay{
		Client:       m.Temporal,
		TaskQueue:    m.Config.TaskQueue,
		Outbox:       m.DB,
		Contracts:    postgres.NewContractService(m.DB),
		Logger:       m.Logger.With("component", "contract-relay"),
		Lease:        m.Config.OutboxLease,
		PollInterval: m.Config.OutboxPoll,
		BatchSize:    50,
	}
	m.wg.Go(func() { contracts.Run(ctx) })
	relay := &workflows.WebhookRelay{
		Outbox:       m.DB,
		Client:       &http.Client{Timeout: 10 * time.Second},
		Logger:       m.Logger.With("component", "webhook-relay"),
		Webhooks:     m.Config.Webhooks,
		Lease:        30 * time.Second,
		PollInterval: m.Config.OutboxPoll,
		BatchSize:    50,
		MinBackoff:   time.Second,
		MaxBackoff:   5 * time.Minute,
		Deliveries:   m.Metrics,
	}
	m.wg.Go(func() { _ = relay.Run(ctx) })
	return nil
}

// dispatcher loads a dispatch index for the part of the process called
// name ("api" or "worker") and measures its searches and its lag.
func (m *Main) dispatcher(ctx context.Context, name string) (*workflows.Dispatcher, error) {
	d, err := workflows.NewDispatcher(ctx, postgres.NewDispatchService(m.DB), m.Logger.With("component", "dispatch"),
		workflows.DispatcherConfig{SpeedKmh: m.Config.TravelSpeedKmh, Shortlist: 5, Searches: m.Metrics})
	if err != nil {
		return nil, err
	}
	if err := m.Metrics.Register(metrics.NewIndexCollector(name, d)); err != nil {
		return nil, err
	}
	return d, nil
}

// URL returns the base URL the API serves on.
func (m *Main) URL() string {
	return listenerURL(m.listener)
}

// listenerURL returns the base URL of an HTTP server on ln, reached on
// this host when ln listens on every address.
func listenerURL(ln net.Listener) string {
	addr := ln.Addr().String()
	if strings.HasPrefix(addr, "[::]") || strings.HasPrefix(addr, "0.0.0.0") {
		_, port, _ := net.SplitHostPort(addr)
		addr = "localhost:" + port
	}
	return "http://" + addr
}

// ready checks that PostgreSQL and Temporal answer.
func (m *Main) ready(ctx context.Context) error {
	if err := m.DB.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if _, err := m.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

// Close stops serving, lets in-flight requests finish, and disconnects.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range []*http.Server{m.httpServer, m.metricsServer} {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			m.Logger.Warn("http shutdown", "err", err)
		}
	}
	if m.cancel != nil {
		m.cancel()
	}
	if m.workerCancel != nil {
		m.workerCancel()
	}
	if m.worker != nil {
		m.worker.Stop()
	}
	m.wg.Wait()
	if m.Temporal != nil {
		m.Temporal.Close()
	}
	if m.stopTemporalMetrics != nil {
		if err := m.stopTemporalMetrics(ctx); err != nil {
			m.Logger.Warn("stop temporal metrics", "err", err)
		}
	}
	if m.DB != nil {
		m.DB.Close()
	}
	m.closeTracing()
	return nil
}

// newLogger returns a structured (JSON) logger at the named level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// runServe runs the api or worker subcommand until ctx ends.
func runServe(ctx context.Context, name string, args []string, stderr io.Writer,
	start func(ctx context.Context, m *Main) error) error {
	fs := newFlagSet(name, stderr)
	var cfg Config
	cfg.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Logger: logger, Service: "aftercare-" + name}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := start(ctx, m); err != nil {
		return err
	}
	if err := m.StartMetrics(); err != nil {
		return err
	}
	logger.Info(name + " started")
	<-ctx.Done()
	logger.Info(name + " stopping")
	return nil
}

func serveAPI(ctx context.Context, m *Main) error {
	if err := m.StartAPI(ctx); err != nil {
		return err
	}
	m.Logger.Info("serving GraphQL", "url", m.URL()+"/query", "console", m.URL()+"/")
	return nil
}

func serveWorker(_ context.Context, m *Main) error {
	return m.StartWorker()
}
