package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
)

// runDev starts everything a developer needs on one machine: a Temporal dev
// server with its Web UI and state on disk, migrations, demo data on first
// run, the API with the GraphQL console, the outbox relay and the worker.
// It stops all of it on Ctrl-C; running it again reuses the data.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", stderr)
	var cfg Config
	cfg.bindFlags(fs)
	dataDir := fs.String("data-dir", env("AFTERCARE_DATA_DIR", ".data"), "folder for local state (AFTERCARE_DATA_DIR)")
	temporalCLI := fs.String("temporal-cli", env("AFTERCARE_TEMPORAL_CLI", ".bin/temporal"),
		"Temporal CLI binary whose dev server to start (AFTERCARE_TEMPORAL_CLI)")
	uiPort := fs.Int("temporal-ui-port", 8233, "port of the Temporal Web UI")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		return err
	}
	if cfg.TokenKeyFile == ".data/token.key" {
		cfg.TokenKeyFile = filepath.Join(*dataDir, "token.key")
	}

	temporal, err := startTemporalDevServer(ctx, *temporalCLI, cfg.TemporalAddress, *uiPort, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer temporal.stop()

	m := &Main{Config: cfg, Logger: logger, Service: "aftercare-dev", RegisterSearchAttributes: true}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.DB.Migrate(ctx); err != nil {
		return err
	}
	summary, err := seedOnce(ctx, m.DB)
	if err != nil {
		return err
	}
	if summary != nil {
		if err := seedDevHistory(ctx, m.DB, stdout); err != nil {
			return err
		}
	}
	passwords, err := demoPasswords(ctx, m.DB, *dataDir)
	if err != nil {
		return err
	}
	if err := m.StartWorker(); err != nil {
		return err
	}
	if err := m.StartAPI(ctx); err != nil {
		return err
	}
	if err := m.StartMetrics(); err != nil {
		return err
	}
	if err := printBanner(ctx, stdout, m, summary, passwords, *uiPort); err != nil {
		return err
	}
	go monitorDemoDevices(ctx, m.DB, logger)
	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "\nstopping…")
	case <-temporal.exited:
		return errors.New("the Temporal dev server stopped; see the log above")
	}
	return nil
}

// seedOnce loads the demo data into an empty database, and otherwise keeps
// what is there. It returns nil when the data was already there.
func seedOnce(ctx context.Context, db *postgres.DB) (*demo.Summary, error) {
	seeded, err := demo.Seeded(ctx, db)
	if err != nil || seeded {
		return nil, err
	}
	return demo.Seed(ctx, db, demo.DefaultConfig())
}

// seedDevHistory loads half a year of closed incidents and the parts their
// repairs used, so KPIs have months behind them and parts plans a history
// to forecast from.
func seedDevHistory(ctx context.Context, db *postgres.DB, stdout io.Writer) error {
	cfg := demo.DefaultConfig()
	if _, err := demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: cfg.Seed, Incidents: 8000, Now: time.Now(), Days: 182}); err != nil {
		return err
	}
	units, err := demo.SeedPartsHistory(ctx, db, demo.PartsHistoryConfig{Seed: cfg.Seed, Share: 0.8})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "history: 8,000 closed incidents over 26 weeks, %d parts used by their repairs\n", units)
	return nil
}

// printBanner tells the developer where everything is and how to sign in.
func printBanner(ctx context.Context, w io.Writer, m *Main, summary *demo.Summary, passwords map[string]string, uiPort int) error {
	users, err := postgres.NewUserService(m.DB).FindUsers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAftercare is running.\n\n")
	fmt.Fprintf(w, "  Web app          %s/\n", m.URL())
	fmt.Fprintf(w, "  GraphQL console  %s/console/\n", m.URL())
	fmt.Fprintf(w, "  GraphQL API      %s/query\n", m.URL())
	fmt.Fprintf(w, "  Metrics          %s/metrics\n", m.MetricsURL())
	fmt.Fprintf(w, "  Temporal Web UI  http://localhost:%d/namespaces/%s/workflows\n\n", uiPort, m.Config.TemporalNamespace)
	fmt.Fprintf(w, "Sign in to the web app (the console then uses the same sign-in) as a demo user:\n")
	fmt.Fprintf(w, "  %-22s %-17s %s\n", "user name", "role", "password")
	for _, u := range users {
		fmt.Fprintf(w, "  %-22s %-17s %s\n", u.Username, u.Role, passwords[u.Username])
	}
	fmt.Fprintf(w, "Tools can send a token instead: bin/aftercare token --user NAME, as\n")
	fmt.Fprintf(w, "  Authorization: Bearer <token>\n")
	serials, err := demo.Serials(ctx, m.DB)
	if err != nil {
		return err
	}
	if summary != nil {
		serials = summary.Serials
	}
	fmt.Fprintf(w, "\nDemo assets to file incidents for (one per tier, covered by an active contract):\n")
	for _, t := range aftercare.Tiers {
		s, ok := serials[t]
		if !ok {
			continue
		}
		filer, err := demo.Filer(ctx, m.DB, s)
		if err != nil {
			return err
		}
		if filer == "" {
			filer = "admin"
		}
		fmt.Fprintf(w, "  %-9s %-12s file as %s\n", t, s, filer)
	}
	fmt.Fprintf(w, "\nPress Ctrl-C to stop everything.\n")
	return nil
}

// devServer is a Temporal dev server child process.
type devServer struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startTemporalDevServer starts the Temporal CLI's dev server with its
// state in dataDir, or reuses one that already answers on address.
func startTemporalDevServer(ctx context.Context, cli, address string, uiPort int, dataDir string, stderr io.Writer) (*devServer, error) {
	if reachable(address) {
		fmt.Fprintf(stderr, "reusing the Temporal server already listening on %s\n", address)
		return &devServer{exited: make(chan struct{})}, nil
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("temporal CLI not found at %s: run `make run`, or scripts/temporal.sh install", cli)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("temporal address %q: %w", address, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	logFile, err := os.OpenFile(filepath.Join(dataDir, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cli, "server", "start-dev",
		"--ip", host, "--port", port, "--ui-port", strconv.Itoa(uiPort),
		"--db-filename", filepath.Join(dataDir, "temporal.db"),
		"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
		"--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Ctrl-C reaches us, and we stop it in order
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}
	s := &devServer{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !reachable(address) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("temporal dev server exited at start; see %s", filepath.Join(dataDir, "temporal.log"))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("temporal dev server did not listen on %s within a minute", address)
		}
	}
	fmt.Fprintf(stderr, "temporal dev server started (state in %s)\n", filepath.Join(dataDir, "temporal.db"))
	return s, nil
}

// stop asks the dev server to shut down and waits for it.
func (s *devServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// reachable reports whether something accepts TCP connections at address.
func reachable(address string) bool {
	conn, err := net.DialTimeout("tcp", address, 500*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
