package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/graph"
	"github.com/aftercare/aftercare/workflows"
)

// Config is what the long-running subcommands are configured with, from
// flags that default to environment variables.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	HTTPAddr          string
	TokenKeyFile      string
	TokenKey          string
	Introspection     bool
	OutboxLease       time.Duration
	OutboxPoll        time.Duration
	// HealthRetention is how long device health readings are kept.
	HealthRetention time.Duration
	// IntakeParallel is how many workflows the intake relay starts at once.
	IntakeParallel int
	LogLevel       string
	MaxDepth       int
	MaxCost        int
	APIKeyRate     float64
	APIKeyBurst    int
	// CredentialCheck is how often an open WebSocket connection's API key
	// and user are looked up again.
	CredentialCheck time.Duration
	// LoaderWait is how long each dataloader of a GraphQL response gathers
	// keys before it reads them in one batch.
	LoaderWait     time.Duration
	AllowedOrigins []string
	TravelSpeedKmh float64
	// Webhooks are the URLs every SLA escalation is delivered to.
	Webhooks []string
	// PublicURL is the base URL customers reach the API at; survey
	// invitations link to its /survey/ page.
	PublicURL string
	// MetricsAddr, when set, is where /metrics is served on a listener of
	// its own; otherwise the API serves it beside GraphQL and the worker
	// not at all.
	MetricsAddr string
	// OTLPEndpoint is the base URL of the OTLP/HTTP collector traces are
	// exported to (tracing.go); empty leaves it to the standard
	// OTEL_EXPORTER_OTLP_ENDPOINT, and with neither nothing is traced.
	OTLPEndpoint string
}

// DefaultDatabaseURL is the database scripts/postgres.sh prepares.
const DefaultDatabaseURL = "postgres://aftercare:aftercare@localhost:5432/aftercare?sslmode=disable"

// bindFlags declares the flags of cfg on fs, each defaulting to its
// environment variable and then to a development default.
func (cfg *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL),
		"PostgreSQL URL (AFTERCARE_DATABASE_URL)")
	fs.StringVar(&cfg.TemporalAddress, "temporal-address", env("AFTERCARE_TEMPORAL_ADDRESS", "localhost:7233"),
		"Temporal frontend host:port (AFTERCARE_TEMPORAL_ADDRESS)")
	fs.StringVar(&cfg.TemporalNamespace, "temporal-namespace", env("AFTERCARE_TEMPORAL_NAMESPACE", "default"),
		"Temporal namespace (AFTERCARE_TEMPORAL_NAMESPACE)")
	fs.StringVar(&cfg.TaskQueue, "task-queue", env("AFTERCARE_TASK_QUEUE", workflows.DefaultTaskQueue),
		"Temporal task queue (AFTERCARE_TASK_QUEUE)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", env("AFTERCARE_HTTP_ADDR", "localhost:8080"),
		"address the API listens on (AFTERCARE_HTTP_ADDR)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("AFTERCARE_METRICS_ADDR", ""),
		"address to serve Prometheus /metrics on by itself; unset, the API serves them on -http-addr and the worker not at all (AFTERCARE_METRICS_ADDR)")
	fs.StringVar(&cfg.TokenKeyFile, "token-key-file", env("AFTERCARE_TOKEN_KEY_FILE", ".data/token.key"),
		"file holding the hex token signing key, created if missing (AFTERCARE_TOKEN_KEY_FILE)")
	fs.StringVar(&cfg.TokenKey, "token-key", env("AFTERCARE_TOKEN_KEY", ""),
		"hex token signing key; overrides -token-key-file (AFTERCARE_TOKEN_KEY)")
	fs.BoolVar(&cfg.Introspection, "introspection", envBool("AFTERCARE_INTROSPECTION", true),
		"let clients read the GraphQL schema (AFTERCARE_INTROSPECTION)")
	fs.DurationVar(&cfg.OutboxLease, "outbox-lease", envDuration("AFTERCARE_OUTBOX_LEASE", 30*time.Second),
		"how long a claimed outbox message is hidden from other relays (AFTERCARE_OUTBOX_LEASE)")
	fs.DurationVar(&cfg.OutboxPoll, "outbox-poll", envDuration("AFTERCARE_OUTBOX_POLL", time.Second),
		"longest sleep of the outbox relay between claims (AFTERCARE_OUTBOX_POLL)")
	fs.DurationVar(&cfg.HealthRetention, "health-retention", envDuration("AFTERCARE_HEALTH_RETENTION", 400*24*time.Hour),
		"how long device health readings are kept: older months are dropped whole (AFTERCARE_HEALTH_RETENTION)")
	fs.IntVar(&cfg.IntakeParallel, "intake-parallel", envInt("AFTERCARE_INTAKE_PARALLEL", 16),
		"incident workflows the intake relay starts at once (AFTERCARE_INTAKE_PARALLEL)")
	fs.IntVar(&cfg.MaxDepth, "max-depth", envInt("AFTERCARE_MAX_DEPTH", 12),
		"deepest GraphQL operation accepted (AFTERCARE_MAX_DEPTH)")
	fs.IntVar(&cfg.MaxCost, "max-cost", envInt("AFTERCARE_MAX_COST", 50000),
		"costliest GraphQL operation accepted, fields times page sizes (AFTERCARE_MAX_COST)")
	fs.Float64Var(&cfg.APIKeyRate, "api-key-rate", envFloat("AFTERCARE_API_KEY_RATE", 20),
		"requests per second each API key may send (AFTERCARE_API_KEY_RATE)")
	fs.IntVar(&cfg.APIKeyBurst, "api-key-burst", envInt("AFTERCARE_API_KEY_BURST", 40),
		"burst of requests each API key may send (AFTERCARE_API_KEY_BURST)")
	fs.DurationVar(&cfg.CredentialCheck, "credential-check", envDuration("AFTERCARE_CREDENTIAL_CHECK", graph.DefaultCredentialCheck),
		"how often an open WebSocket's API key and user are looked up again; a revoked key or disabled user ends it (AFTERCARE_CREDENTIAL_CHECK)")
	fs.DurationVar(&cfg.LoaderWait, "loader-wait", envDuration("AFTERCARE_LOADER_WAIT", graph.DefaultLoaderWait),
		"how long each dataloader of a GraphQL response gathers keys before it reads them in one query (AFTERCARE_LOADER_WAIT)")
	fs.Func("allowed-origin", "host pattern of a page allowed to open a WebSocket besides the API's own; repeatable (AFTERCARE_ALLOWED_ORIGINS, comma-separated)",
		func(v string) error {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, v)
			return nil
		})
	if v := env("AFTERCARE_ALLOWED_ORIGINS", ""); v != "" {
		cfg.AllowedOrigins = strings.Split(v, ",")
	}
	fs.Func("webhook-url", "URL every SLA escalation is POSTed to, with retries; repeatable (AFTERCARE_WEBHOOK_URLS, comma-separated)",
		func(v string) error {
			cfg.Webhooks = append(cfg.Webhooks, v)
			return nil
		})
	if v := env("AFTERCARE_WEBHOOK_URLS", ""); v != "" {
		cfg.Webhooks = strings.Split(v, ",")
	}
	fs.StringVar(&cfg.PublicURL, "public-url", env("AFTERCARE_PUBLIC_URL", "http://localhost:8080"),
		"base URL customers reach the API at, for the links in survey invitations (AFTERCARE_PUBLIC_URL)")
	fs.Float64Var(&cfg.TravelSpeedKmh, "travel-speed", envFloat("AFTERCARE_TRAVEL_SPEED", 40),
		"engineers' average travel speed in km/h along great circles, for ETAs (AFTERCARE_TRAVEL_SPEED)")
	fs.StringVar(&cfg.OTLPEndpoint, "otlp-endpoint", env("AFTERCARE_OTLP_ENDPOINT", ""),
		"base URL of an OTLP/HTTP collector to export traces to, such as http://localhost:4318; traces are off when neither it nor OTEL_EXPORTER_OTLP_ENDPOINT is set (AFTERCARE_OTLP_ENDPOINT)")
	fs.StringVar(&cfg.LogLevel, "log-level", env("AFTERCARE_LOG_LEVEL", "info"),
		"debug, info, warn or error (AFTERCARE_LOG_LEVEL)")
}

// publicURL returns the configured public URL, checked: an absolute http
// or https URL with a host and no query or fragment, without a trailing
// slash.
func (cfg *Config) publicURL() (string, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL %q: want an http(s) URL such as https://service.example.com, with no query", cfg.PublicURL)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// tokenKey returns the token signing key from -token-key or its file.
func (cfg *Config) tokenKey() ([]byte, error) {
	if cfg.TokenKey != "" {
		return authz.ParseKey(cfg.TokenKey)
	}
	return authz.LoadOrCreateKey(cfg.TokenKeyFile)
}

// newFlagSet returns a flag set for a subcommand that reports errors
// instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("aftercare "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, ok := os.LookupEnv(key); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
		fmt.Fprintf(os.Stderr, "aftercare: ignoring %s=%q: not a boolean\n", key, v)
	}
	return def
}

func envInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		fmt.Fprintf(os.Stderr, "aftercare: ignoring %s=%q: not a whole number\n", key, v)
	}
	return def
}

func envFloat(key string, def float64) float64 {
	if v, ok := os.LookupEnv(key); ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
		fmt.Fprintf(os.Stderr, "aftercare: ignoring %s=%q: not a number\n", key, v)
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "aftercare: ignoring %s=%q: not a duration\n", key, v)
	}
	return def
}
