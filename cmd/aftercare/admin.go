package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
)

// runMigrate applies the migrations the database lacks.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	url := fs.String("database-url", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL), "PostgreSQL URL (AFTERCARE_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

// runSeed loads demo data of the given sizes into an empty database.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	url := fs.String("database-url", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL), "PostgreSQL URL (AFTERCARE_DATABASE_URL)")
	cfg := demo.DefaultConfig()
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; the same seed loads the same data")
	fs.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "enterprise accounts")
	fs.IntVar(&cfg.SitesPerAccount, "sites-per-account", cfg.SitesPerAccount, "sites per account")
	fs.IntVar(&cfg.AssetsPerSite, "assets-per-site", cfg.AssetsPerSite, "assets per site")
	fs.IntVar(&cfg.Engineers, "engineers", cfg.Engineers, "field engineers")
	fs.IntVar(&cfg.Depots, "depots", cfg.Depots, "parts depots")
	fs.IntVar(&cfg.Parts, "parts", cfg.Parts, "FRU parts in the catalogue")
	fs.IntVar(&cfg.VanStockPerEngineer, "van-stock", cfg.VanStockPerEngineer, "different parts in each van")
	history := fs.Int("history", 0, "closed incidents to load over the two years before today, with their clocks, visits, surveys and credits (KPI history)")
	migrate := fs.Bool("migrate", true, "apply migrations first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer db.Close()
	if *migrate {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	summary, err := demo.Seed(ctx, db, cfg)
	if err != nil {
		return err
	}
	if *history > 0 {
		rows, err := demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: cfg.Seed, Incidents: *history, Now: cfg.Now})
		if err != nil {
			return err
		}
		for table, n := range rows {
			summary.Rows[table] += n
		}
	}
	fmt.Fprintf(stdout, "seeded in %s:\n", time.Since(start).Round(time.Millisecond))
	tables := make([]string, 0, len(summary.Rows))
	for table := range summary.Rows {
		tables = append(tables, table)
	}
	sort.Strings(tables)
	for _, table := range tables {
		fmt.Fprintf(stdout, "  %-22s %d\n", table, summary.Rows[table])
	}
	return nil
}

// runToken mints a bearer token for a user.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", stderr)
	var cfg Config
	cfg.bindFlags(fs)
	user := fs.String("user", "", "username to mint the token for")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" {
		fs.Usage()
		return fmt.Errorf("-user is required")
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := mintToken(ctx, &cfg, db, *user, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

// mintToken signs a token for the named user with the configured key.
func mintToken(ctx context.Context, cfg *Config, db *postgres.DB, username string, ttl time.Duration) (string, error) {
	u, err := postgres.NewUserService(db).FindUserByUsername(ctx, username)
	if err != nil {
		return "", fmt.Errorf("user %q: %w", username, err)
	}
	key, err := cfg.tokenKey()
	if err != nil {
		return "", err
	}
	tokens, err := authz.NewTokens(key)
	if err != nil {
		return "", err
	}
	return tokens.Mint(u, time.Now(), ttl)
}
