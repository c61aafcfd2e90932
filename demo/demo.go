// Package demo generates Aftercare's demo data, for `aftercare seed`, the
// dev command's first run and the tests: accounts across the three tiers
// with their sites, assets, contracts and entitlements, users of every
// role, the parts catalogue and price list, depots and engineers with their
// stock around the cities of package data, and, on request, two years of
// closed incidents for the KPIs. The same config always loads the same
// rows, IDs included.
//
// It writes through the store's bulk-load API (postgres.DB.BulkLoad, COPY of
// generated rows) and knows the schema's tables and columns, but never
// imports pgx. It may import the standard library, the root package, data,
// territory (to place a city its list gives no region), dispatch (for its
// great-circle distance, in the tests) and postgres.
package demo

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/postgres"
)

// Config says how much demo data Seed loads and from which random seed.
// The same config always loads the same rows, IDs included.
type Config struct {
	// Seed drives every random choice; the same Seed gives the same rows.
	Seed int64
	// Accounts is the number of enterprise accounts; the first eight are the
	// named demo accounts, later ones are numbered.
	Accounts int
	// SitesPerAccount and AssetsPerSite size each account's estate.
	SitesPerAccount int
	AssetsPerSite   int
	// Engineers is the number of field engineers, spread over the depots.
	Engineers int
	// Depots is the number of parts depots, spread over the cities.
	Depots int
	// Parts is the size of the FRU catalogue.
	Parts int
	// VanStockPerEngineer is the number of different parts in each van; it
	// may not exceed Parts.
	VanStockPerEngineer int
	// Cities are the places that sites, depots and engineers are put in.
	Cities []data.City
	// Now is the reference date of warranty and contract terms: most
	// contracts are in force on it, some warranties have ended before it.
	Now time.Time
}

// User is a demo login that Seed creates.
type User struct {
	Username string
	Role     aftercare.Role
	// AccountCode is the account of a customer_it user, "" otherwise.
	AccountCode string
}

// Summary says what Seed loaded, for the console banner and the README.
type Summary struct {
	// Rows counts the rows loaded, by table name.
	Rows map[string]int64
	// Users lists every demo login, staff first, then one customer IT user
	// per account.
	Users []User
	// Serials holds, for each tier, the serial number of an asset covered by
	// an in-force contract of that tier, preferring servers.
	Serials map[aftercare.Tier]string
	// UncoveredSerial is an asset with no contract and an expired base
	// warranty, for out-of-warranty (quoted) flows; "" if there is none.
	UncoveredSerial string
}

// DefaultConfig returns the demo data set of `make run`: eight accounts
// across the three tiers with sites in the cities of data/cities.csv, 360
// engineers, 24 depots and 120 parts, with terms relative to today.
func DefaultConfig() Config {
	y, m, d := time.Now().Date()
	return Config{
		Seed:                1,
		Accounts:            len(seedAccountProfiles),
		SitesPerAccount:     6,
		AssetsPerSite:       8,
		Engineers:           360,
		Depots:              24,
		Parts:               120,
		VanStockPerEngineer: 5,
		Cities:              data.Cities(),
		Now:                 time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
	}
}

// seedMaxParts is how many distinct FRU numbers the catalogue can number.
const seedMaxParts = 26 * 26 * 1000

var seedCountryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

// validate returns EINVALID when the config cannot be loaded.
func (cfg Config) validate() error {
	for _, size := range []struct {
		name string
		n    int
	}{
		{"accounts", cfg.Accounts}, {"sites per account", cfg.SitesPerAccount}, {"assets per site", cfg.AssetsPerSite},
		{"engineers", cfg.Engineers}, {"depots", cfg.Depots}, {"parts", cfg.Parts},
		{"van stock per engineer", cfg.VanStockPerEngineer},
	} {
		if size.n < 0 {
			return aftercare.Errorf(aftercare.EINVALID, "seed: %s must not be negative, got %d", size.name, size.n)
		}
	}
	switch {
	case cfg.Accounts == 0:
		return aftercare.Errorf(aftercare.EINVALID, "seed: at least one account is needed")
	case cfg.Depots == 0:
		return aftercare.Errorf(aftercare.EINVALID, "seed: at least one depot is needed")
	case cfg.Parts > seedMaxParts:
		return aftercare.Errorf(aftercare.EINVALID, "seed: at most %d parts, got %d", seedMaxParts, cfg.Parts)
	case cfg.VanStockPerEngineer > cfg.Parts:
		return aftercare.Errorf(aftercare.EINVALID, "seed: van stock per engineer (%d) exceeds the parts in the catalogue (%d)",
			cfg.VanStockPerEngineer, cfg.Parts)
	case int64(cfg.Accounts)*int64(cfg.SitesPerAccount)*int64(cfg.AssetsPerSite) >= seedSerialSpace:
		return aftercare.Errorf(aftercare.EINVALID, "seed: too many assets to number")
	case cfg.Now.IsZero():
		return aftercare.Errorf(aftercare.EINVALID, "seed: the reference date Now is required")
	case len(cfg.Cities) == 0:
		return aftercare.Errorf(aftercare.EINVALID, "seed: at least one city is needed")
	}
	seen := make(map[string]bool, len(cfg.Cities))
	for _, c := range cfg.Cities {
		switch {
		case c.Name == "":
			return aftercare.Errorf(aftercare.EINVALID, "seed: a city has no name")
		case seen[c.Name]:
			return aftercare.Errorf(aftercare.EINVALID, "seed: city %q is listed twice", c.Name)
		case !seedCountryPattern.MatchString(c.Country):
			return aftercare.Errorf(aftercare.EINVALID, "seed: city %q: country %q is not an ISO 3166 alpha-2 code", c.Name, c.Country)
		case !(c.Lat >= -90 && c.Lat <= 90) || !(c.Lng >= -180 && c.Lng <= 180):
			return aftercare.Errorf(aftercare.EINVALID, "seed: city %q: coordinates %v,%v are out of range", c.Name, c.Lat, c.Lng)
		case c.TimeZone == "":
			return aftercare.Errorf(aftercare.EINVALID, "seed: city %q has no time zone", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// Seeded reports whether the database already holds accounts, in which case
// Seed refuses to run and the existing data is reused.
func Seeded(ctx context.Context, db *postgres.DB) (bool, error) {
	var seeded bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`, nil, &seeded); err != nil {
		return false, fmt.Errorf("demo.Seeded: %w", err)
	}
	return seeded, nil
}

// Seed loads the demo data set that cfg describes into an empty database, in
// one transaction, streaming the bulk tables with COPY. It answers EINVALID
// for a config it cannot load and ECONFLICT when the database already holds
// accounts.
func Seed(ctx context.Context, db *postgres.DB, cfg Config) (_ *Summary, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("demo.Seed(seed %d): %w", cfg.Seed, err)
		}
	}()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := newSeeder(cfg)
	err = db.BulkLoad(ctx, func(l *postgres.Loader) error {
		// Serialise concurrent seeders: the second sees the first's accounts.
		if _, err := l.Exec(ctx, `LOCK TABLE accounts IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var seeded bool
		if err := l.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`, nil, &seeded); err != nil {
			return err
		}
		if seeded {
			return aftercare.Errorf(aftercare.ECONFLICT, "the database already holds accounts; demo data is loaded only into an empty one")
		}
		return s.load(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return s.summary, nil
}
