package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// SeedConfig says how much demo data Seed loads and from which random seed.
// The same config always loads the same rows, IDs included.
type SeedConfig struct {
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

// SeedUser is a demo login that Seed creates.
type SeedUser struct {
	Username string
	Role     aftercare.Role
	// AccountCode is the account of a customer_it user, "" otherwise.
	AccountCode string
}

// SeedSummary says what Seed loaded, for the console banner and the README.
type SeedSummary struct {
	// Rows counts the rows loaded, by table name.
	Rows map[string]int64
	// Users lists every demo login, staff first, then one customer IT user
	// per account.
	Users []SeedUser
	// Serials holds, for each tier, the serial number of an asset covered by
	// an in-force contract of that tier, preferring servers.
	Serials map[aftercare.Tier]string
	// UncoveredSerial is an asset with no contract and an expired base
	// warranty, for out-of-warranty (quoted) flows; "" if there is none.
	UncoveredSerial string
}

// DefaultSeedConfig returns the demo data set of `make run`: eight accounts
// across the three tiers with sites in the cities of data/cities.csv, 360
// engineers, 24 depots and 120 parts, with terms relative to today.
func DefaultSeedConfig() SeedConfig {
	y, m, d := time.Now().Date()
	return SeedConfig{
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
func (cfg SeedConfig) validate() error {
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

// DemoSerials returns, for each tier, the serial number of a server covered
// by an in-force contract of that tier (any asset when no server is), for
// the console banner of a database seeded earlier.
func (db *DB) DemoSerials(ctx context.Context) (_ map[aftercare.Tier]string, err error) {
	defer wrap(&err, "DB.DemoSerials")
	rows, err := db.pool.Query(ctx, `
		SELECT DISTINCT ON (c.tier) c.tier, a.serial_number
		FROM contracts c
		JOIN contract_assets ca ON ca.contract_id = c.id
		JOIN assets a ON a.id = ca.asset_id
		JOIN product_lines pl ON pl.code = a.product_line
		WHERE c.status IN ('active', 'expiring') AND current_date BETWEEN c.starts_on AND c.ends_on
		ORDER BY c.tier, pl.kind = 'server' DESC, c.number, a.serial_number`)
	if err != nil {
		return nil, err
	}
	out := map[aftercare.Tier]string{}
	for rows.Next() {
		var tier aftercare.Tier
		var serial string
		if err := rows.Scan(&tier, &serial); err != nil {
			return nil, err
		}
		out[tier] = serial
	}
	return out, rows.Err()
}

// DemoFiler returns the username of a corporate IT user of the account that
// owns the asset with the given serial number — who may file an incident
// for it — or "" when the account has none.
func (db *DB) DemoFiler(ctx context.Context, serial string) (_ string, err error) {
	defer wrap(&err, fmt.Sprintf("DB.DemoFiler(ctx, %q)", serial))
	var username string
	err = db.pool.QueryRow(ctx, `
		SELECT coalesce(min(u.username), '') FROM assets a
		JOIN users u ON u.account_id = a.account_id AND u.role = 'customer_it' AND u.disabled_at IS NULL
		WHERE a.serial_number = $1`, serial).Scan(&username)
	return username, err
}

// Seeded reports whether the database already holds accounts, in which case
// Seed refuses to run and the existing data is reused.
func (db *DB) Seeded(ctx context.Context) (_ bool, err error) {
	defer wrap(&err, "DB.Seeded")
	var seeded bool
	err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&seeded)
	return seeded, err
}

// Seed loads the demo data set that cfg describes into an empty database, in
// one transaction, streaming the bulk tables with COPY. It answers EINVALID
// for a config it cannot load and ECONFLICT when the database already holds
// accounts.
func (db *DB) Seed(ctx context.Context, cfg SeedConfig) (_ *SeedSummary, err error) {
	defer wrap(&err, fmt.Sprintf("DB.Seed(ctx, seed %d)", cfg.Seed))
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := newSeeder(cfg)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		// Serialise concurrent seeders: the second sees the first's accounts.
		if _, err := tx.Exec(ctx, `LOCK TABLE accounts IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var seeded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&seeded); err != nil {
			return err
		}
		if seeded {
			return aftercare.Errorf(aftercare.ECONFLICT, "the database already holds accounts; demo data is loaded only into an empty one")
		}
		return s.load(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return s.summary, nil
}

// seeder generates the demo data of one config. The small nouns (accounts,
// sites, assets, contracts, parts, depots) are planned in memory; engineers
// and their skills and van stock are derived per engineer while they stream.
type seeder struct {
	cfg   SeedConfig
	today time.Time
	// places are the config's cities in the order sites and depots fill them.
	places []seedPlace

	accounts  []seedAccount
	users     []seedUserRow
	sites     []seedSite
	assets    []seedAsset
	contracts []seedContract
	parts     []seedPart
	// partsByLine lists, per product line code, the indexes of its parts.
	partsByLine map[string][]int
	depots      []seedDepot
	// engineerUser is the user that the first engineer logs in as.
	engineerUser pgtype.UUID

	summary *SeedSummary
}

func newSeeder(cfg SeedConfig) *seeder {
	y, m, d := cfg.Now.Date()
	return &seeder{
		cfg:     cfg,
		today:   time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		places:  seedSpread(cfg.Cities),
		summary: &SeedSummary{Rows: map[string]int64{}, Serials: map[aftercare.Tier]string{}},
	}
}

// load plans the small nouns and copies every table, parents first.
func (s *seeder) load(ctx context.Context, tx pgx.Tx) error {
	s.planAccounts()
	s.planUsers()
	s.planSites()
	s.planAssets()
	s.planContracts()
	s.planParts()
	s.planDepots()
	s.pickSerials()
	for _, copyTable := range []func(context.Context, pgx.Tx) error{
		s.copyRegions, s.copyProductLines, s.copyAccounts, s.copyUsers, s.copySites, s.copyAssets,
		s.copyContracts, s.copyContractAssets, s.copyEntitlements, s.copyParts, s.copyPartProductLines,
		s.copyDepots, s.copyDepotStock, s.copyEngineers, s.assignProviders, s.copyEngineerSkills, s.copyVanStock,
		s.insertPriceList, s.grantAccess,
	} {
		if err := copyTable(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// copyRows copies n rows made by row into table and counts them.
func (s *seeder) copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, n int, row func(i int) []any) error {
	return s.copyFrom(ctx, tx, table, columns, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
}

// copyFrom copies the rows of src into table and counts them.
func (s *seeder) copyFrom(ctx context.Context, tx pgx.Tx, table string, columns []string, src pgx.CopyFromSource) error {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	s.summary.Rows[table] += n
	return nil
}

// Random streams: each noun draws from its own stream, so a change to how
// one noun is generated leaves the others' rows as they were.
const (
	seedStreamAccounts uint64 = iota + 1
	seedStreamUsers
	seedStreamSites
	seedStreamAssets
	seedStreamContracts
	seedStreamParts
	seedStreamDepots
	seedStreamDepotStock
	seedStreamEngineers
	seedStreamVanStock
)

// rng returns the random source of item i of a stream. Items are independent,
// so engineers can be derived again, in any order, without being stored.
func (s *seeder) rng(stream uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.cfg.Seed), seedMix(stream<<48^uint64(i))))
}

// seedMix is the SplitMix64 finaliser: it spreads neighbouring inputs over
// the whole range so that neighbouring items get unrelated streams.
func seedMix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// seedUUID draws a version 4 UUID from r.
func seedUUID(r *rand.Rand) pgtype.UUID {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return pgtype.UUID{Bytes: b, Valid: true}
}

// seedWeighted returns an index into weights, drawn in proportion to them.
func seedWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// seedNullInt returns n, or NULL for 0.
func seedNullInt(n int) any {
	if n == 0 {
		return nil
	}
	return int32(n)
}

// seedNullDate returns t, or NULL for the zero time.
func seedNullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
