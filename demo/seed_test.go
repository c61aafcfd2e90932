package demo

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/dispatch"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallSeedConfig is a quick config that still exercises every table.
func smallSeedConfig() Config {
	cfg := DefaultConfig()
	cfg.Seed = 42
	cfg.Accounts, cfg.SitesPerAccount, cfg.AssetsPerSite = 3, 3, 4
	cfg.Engineers, cfg.Depots, cfg.Parts, cfg.VanStockPerEngineer = 25, 5, 20, 4
	cfg.Now = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	return cfg
}

// seedTables are the tables Seed loads, parents first; the regions come
// with the migrations.
var seedTables = []string{"product_lines", "accounts", "users", "sites", "assets", "contracts",
	"contract_assets", "entitlements", "parts", "part_product_lines", "depots", "engineers", "engineer_skills", "stock",
	"stock_movements"}

// tableDigest returns the md5 of a table's rows in a stable order, leaving
// out what the database sets: timestamps, and the transaction that last
// wrote an engineer or depot.
func tableDigest(t *testing.T, db *postgres.DB, table string) string {
	t.Helper()
	const row = `(to_jsonb(t) - 'created_at' - 'located_at' - 'fleet_xid' - 'at')::text`
	return postgrestest.MustQueryString(t, db, `SELECT md5(coalesce(string_agg(`+row+`, E'\n' ORDER BY `+row+`), '')) FROM `+table+` t`)
}

func TestSeedIsDeterministic(t *testing.T) {
	ctx := context.Background()
	cfg := smallSeedConfig()
	first, second, other := postgrestest.MustOpen(t), postgrestest.MustOpen(t), postgrestest.MustOpen(t)
	firstSummary, err := Seed(ctx, first, cfg)
	require.NoError(t, err)
	secondSummary, err := Seed(ctx, second, cfg)
	require.NoError(t, err)
	assert.Equal(t, firstSummary, secondSummary)
	otherCfg := cfg
	otherCfg.Seed++
	_, err = Seed(ctx, other, otherCfg)
	require.NoError(t, err)

	for _, table := range seedTables {
		assert.Equal(t, tableDigest(t, first, table), tableDigest(t, second, table), "rows of %s differ for the same seed", table)
	}
	for _, table := range []string{"accounts", "assets", "engineers", "parts", "stock"} {
		assert.NotEqual(t, tableDigest(t, first, table), tableDigest(t, other, table), "rows of %s equal for another seed", table)
	}
}

// seedCount runs a query that returns one number.
func seedCount(t *testing.T, db *postgres.DB, sql string, args ...any) int64 {
	t.Helper()
	return postgrestest.MustQueryInt(t, db, sql, args...)
}

// seedStrings runs a query that returns one text column.
func seedStrings(t *testing.T, db *postgres.DB, sql string, args ...any) []string {
	t.Helper()
	var out []string
	var s string
	require.NoError(t, db.Query(context.Background(), sql, args, []any{&s}, func() error {
		out = append(out, s)
		return nil
	}), sql)
	return out
}

func TestSeedDemo(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.MustOpen(t)
	cfg := DefaultConfig()
	seeded, err := Seeded(ctx, db)
	require.NoError(t, err)
	require.False(t, seeded)
	summary, err := Seed(ctx, db, cfg)
	require.NoError(t, err)

	t.Run("minimums", func(t *testing.T) {
		for _, c := range []struct {
			what string
			sql  string
			min  int64
		}{
			{"accounts", `SELECT count(*) FROM accounts`, 5},
			{"platinum accounts", `SELECT count(DISTINCT account_id) FROM contracts WHERE tier = 'platinum' AND status = 'active'`, 2},
			{"premium accounts", `SELECT count(DISTINCT account_id) FROM contracts WHERE tier = 'premium' AND status = 'active'`, 2},
			{"standard-only accounts", `SELECT count(*) FROM accounts a WHERE NOT EXISTS
				(SELECT 1 FROM contracts c WHERE c.account_id = a.id AND c.tier <> 'standard')`, 2},
			{"Chinese cities with sites", `SELECT count(DISTINCT city) FROM sites WHERE country = 'CN'`, 12},
			{"foreign zones with sites", `SELECT count(DISTINCT time_zone) FROM sites WHERE country <> 'CN'`, 3},
			{"engineers", `SELECT count(*) FROM engineers`, 300},
			{"depots", `SELECT count(*) FROM depots`, 20},
			{"parts", `SELECT count(*) FROM parts`, 100},
			{"roles with users", `SELECT count(DISTINCT role) FROM users`, int64(len(aftercare.Roles))},
			{"product lines", `SELECT count(*) FROM product_lines`, 10},
			{"kinds of product line", `SELECT count(DISTINCT kind) FROM product_lines`, 3},
			{"contracts expiring within 60 days", `SELECT count(*) FROM contracts WHERE status = 'expiring' AND ends_on <= $1::date + 60`, 1},
			{"draft contracts", `SELECT count(*) FROM contracts WHERE status = 'draft'`, 1},
			{"expired warranties", `SELECT count(*) FROM assets WHERE warranty_ends_on < $1`, 20},
			{"24x7 engineers", `SELECT count(*) FROM engineers WHERE jsonb_array_length(shifts) = 7`, 30},
			{"platinum-cleared engineers", `SELECT count(*) FROM engineers WHERE tier_clearance = 'platinum'`, 70},
		} {
			var args []any
			if strings.Contains(c.sql, "$1") {
				args = append(args, cfg.Now)
			}
			assert.GreaterOrEqual(t, seedCount(t, db, c.sql, args...), c.min, c.what)
		}
	})

	t.Run("summary", func(t *testing.T) {
		for _, table := range seedTables {
			assert.Equal(t, seedCount(t, db, `SELECT count(*) FROM `+table), summary.Rows[table], table)
		}
		assert.Equal(t, int64(cfg.Engineers*cfg.VanStockPerEngineer), seedCount(t, db, `SELECT count(*) FROM stock WHERE engineer_id IS NOT NULL`))
		var usernames []string
		for _, u := range summary.Users {
			usernames = append(usernames, u.Username)
		}
		for _, want := range []string{"admin", "director", "am.li", "am.chen", "dispatcher.east", "dispatcher.north",
			"engineer.zhang", "it.cathaybank", "it.sinoair"} {
			assert.Contains(t, usernames, want)
		}
		for _, tier := range aftercare.Tiers {
			serial := summary.Serials[tier]
			assert.Equal(t, int64(1), seedCount(t, db, `SELECT count(*) FROM assets a
				JOIN contract_assets ca ON ca.asset_id = a.id JOIN contracts c ON c.id = ca.contract_id
				WHERE a.serial_number = $1 AND c.tier = $2 AND c.status IN ('active', 'expiring')
				AND c.starts_on <= $3 AND $3 <= c.ends_on`, serial, string(tier), cfg.Now), "%s serial %q", tier, serial)
		}
		serials, err := Serials(context.Background(), db)
		require.NoError(t, err)
		for tier, serial := range serials {
			filer, err := Filer(context.Background(), db, serial)
			require.NoError(t, err)
			assert.Equal(t, int64(1), seedCount(t, db, `SELECT count(*) FROM users u JOIN assets a ON a.account_id = u.account_id
				WHERE a.serial_number = $1 AND u.username = $2 AND u.role = 'customer_it'`, serial, filer),
				"%s serial %q is filed by %q, its account's corporate IT", tier, serial, filer)
		}
		filer, err := Filer(context.Background(), db, "NO-SUCH-SERIAL")
		require.NoError(t, err)
		assert.Empty(t, filer)
		assert.Equal(t, int64(1), seedCount(t, db, `SELECT count(*) FROM assets a WHERE a.serial_number = $1
			AND a.warranty_ends_on < $2 AND NOT EXISTS (SELECT 1 FROM contract_assets ca WHERE ca.asset_id = a.id)`,
			summary.UncoveredSerial, cfg.Now), "uncovered serial %q", summary.UncoveredSerial)
	})

	t.Run("links", func(t *testing.T) {
		assert.Equal(t, int64(1), seedCount(t, db, `SELECT count(*) FROM engineers e JOIN users u ON u.id = e.user_id
			WHERE e.code = 'ENG-00001' AND u.username = 'engineer.zhang'`))
		assert.Equal(t, int64(3), seedCount(t, db, `SELECT count(DISTINCT c.account_id) FROM contracts c
			JOIN users u ON u.id = c.account_manager_id WHERE u.username = 'am.li'`))
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM contracts WHERE account_manager_id IS NULL`))
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM accounts a WHERE NOT EXISTS
			(SELECT 1 FROM users u WHERE u.account_id = a.id AND u.username = 'it.' || lower(a.code))`))
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM engineers e JOIN depots d ON d.id = e.home_depot_id
			WHERE e.region <> d.region OR e.time_zone <> d.time_zone`))
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM engineer_skills s JOIN engineers e ON e.id = s.engineer_id
			WHERE e.code = 'ENG-00001' AND s.product_line NOT LIKE 'think%'`))
	})

	t.Run("entitlements", func(t *testing.T) {
		for _, c := range []struct {
			tier string
			want string
		}{
			{"platinum", "accidental_damage_protection,advance_parts_replacement,data_recovery,keep_your_drive,on_site"},
			{"premium", "keep_your_drive,on_site"},
		} {
			kinds := seedStrings(t, db, `SELECT string_agg(e.kind, ',' ORDER BY e.kind) FROM contracts c
				JOIN entitlements e ON e.contract_id = c.id WHERE c.tier = $1 GROUP BY c.id`, c.tier)
			require.NotEmpty(t, kinds, c.tier)
			for _, k := range kinds {
				assert.Equal(t, c.want, k, c.tier)
			}
		}
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM entitlements
			WHERE kind = 'accidental_damage_protection' AND annual_limit IS NULL`))
		assert.Positive(t, seedCount(t, db, `SELECT count(*) FROM entitlements WHERE kind = 'extended_warranty'`))
		assert.Equal(t, int64(0), seedCount(t, db, `SELECT count(*) FROM contracts c JOIN entitlements e ON e.contract_id = c.id
			WHERE c.tier = 'standard' AND e.kind NOT IN ('on_site', 'extended_warranty')`))
	})

	t.Run("formats", func(t *testing.T) {
		for _, c := range []struct {
			sql     string
			pattern string
		}{
			{`SELECT code FROM engineers`, `^ENG-\d{5}$`},
			{`SELECT code FROM depots`, `^DEP-[A-Z]{2,3}\d+$`},
			{`SELECT number FROM contracts`, `^CT-\d{4}-\d{4}$`},
			{`SELECT fru FROM parts`, `^0[1-5][A-Z]{2}\d{3}$`},
			{`SELECT unit_price::text FROM parts`, `^\d+\.\d\d$`},
			{`SELECT serial_number FROM assets`, `^[A-Z0-9][A-Z0-9-]{3,39}$`},
		} {
			values := seedStrings(t, db, c.sql)
			re := regexp.MustCompile(c.pattern)
			for _, v := range values {
				assert.Regexp(t, re, v, c.sql)
			}
		}
	})

	t.Run("coordinates", func(t *testing.T) {
		cities := map[string]data.City{}
		for _, c := range cfg.Cities {
			cities[c.Name] = c
		}
		for _, q := range []struct {
			sql   string
			maxKm float64
		}{
			{`SELECT city, country, region, lat, lng FROM sites`, 50},
			{`SELECT city, country, region, lat, lng FROM depots`, 30},
			{`SELECT d.city, '', e.region, e.lat, e.lng FROM engineers e JOIN depots d ON d.id = e.home_depot_id`, 70},
		} {
			var city, country, region string
			var lat, lng float64
			err := db.Query(ctx, q.sql, nil, []any{&city, &country, &region, &lat, &lng}, func() error {
				c, ok := cities[city]
				require.True(t, ok, city)
				d := dispatch.NewPoint(lat, lng).DistanceKm(dispatch.NewPoint(c.Lat, c.Lng))
				assert.Less(t, d, q.maxKm, "%s at %v,%v is %.0f km from the centre", city, lat, lng, d)
				if country != "" {
					assert.Equal(t, c.Country, country, city)
				}
				assert.Equal(t, c.Region, region, city)
				return nil
			})
			require.NoError(t, err)
		}
	})

	t.Run("seeding again conflicts", func(t *testing.T) {
		seeded, err := Seeded(ctx, db)
		require.NoError(t, err)
		assert.True(t, seeded)
		_, err = Seed(ctx, db, cfg)
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "Seed on a seeded database: %v", err)
	})

	t.Run("stock is its ledger's sum", func(t *testing.T) {
		postgrestest.AssertStockLedger(t, db)
		assert.Equal(t, seedCount(t, db, `SELECT count(*) FROM stock WHERE on_hand > 0`),
			seedCount(t, db, `SELECT count(*) FROM stock_movements WHERE kind = 'receipt'`), "one receipt per stocked row")
		_, err := postgres.NewStockService(db).ReceiveStock(ctx, aftercare.StockReceipt{
			DepotID: postgrestest.MustQueryString(t, db, `SELECT id::text FROM depots ORDER BY code LIMIT 1`),
			FRU:     postgrestest.MustQueryString(t, db, `SELECT fru FROM parts ORDER BY fru LIMIT 1`), Quantity: 1})
		require.NoError(t, err, "the ledger's triggers are back after the load")
		postgrestest.AssertStockLedger(t, db)
	})
}

func TestSeedRejectsBadConfig(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.MustOpen(t)
	for _, c := range []struct {
		name   string
		change func(*Config)
	}{
		{"negative engineers", func(c *Config) { c.Engineers = -1 }},
		{"negative assets per site", func(c *Config) { c.AssetsPerSite = -3 }},
		{"no accounts", func(c *Config) { c.Accounts = 0 }},
		{"no depots", func(c *Config) { c.Depots = 0 }},
		{"no cities", func(c *Config) { c.Cities = nil }},
		{"no reference date", func(c *Config) { c.Now = time.Time{} }},
		{"vans hold more parts than exist", func(c *Config) { c.Parts, c.VanStockPerEngineer = 3, 4 }},
		{"too many parts", func(c *Config) { c.Parts = seedMaxParts + 1 }},
		{"city twice", func(c *Config) { c.Cities = append(c.Cities, c.Cities[0]) }},
		{"city without zone", func(c *Config) { c.Cities = []data.City{{Name: "Beijing", Country: "CN", Lat: 39.9, Lng: 116.4}} }},
		{"city with bad country", func(c *Config) {
			c.Cities = []data.City{{Name: "Beijing", Country: "China", Lat: 39.9, Lng: 116.4, TimeZone: "Asia/Shanghai"}}
		}},
		{"city off the globe", func(c *Config) {
			c.Cities = []data.City{{Name: "Nowhere", Country: "CN", Lat: 91, Lng: 0, TimeZone: "Asia/Shanghai"}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallSeedConfig()
			c.change(&cfg)
			_, err := Seed(ctx, db, cfg)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "Seed(%s) = %v, want EINVALID", c.name, err)
		})
	}
	seeded, err := Seeded(ctx, db)
	require.NoError(t, err)
	assert.False(t, seeded, "a rejected config loaded data")
}

func TestSeedCitiesHaveRegionsAndCodes(t *testing.T) {
	for _, c := range data.Cities() {
		assert.Contains(t, seedRegions, c.Region, "region of %s", c.Name)
		assert.Contains(t, seedCityCodes, c.Name, "code of %s", c.Name)
	}
}

func TestSeedRegionOfUnknownCity(t *testing.T) {
	for _, c := range []struct {
		city data.City
		want string
	}{
		{data.City{Name: "Suzhou", Country: "CN", Lat: 31.2989, Lng: 120.5853}, "east"},
		{data.City{Name: "Shijiazhuang", Country: "CN", Lat: 38.0428, Lng: 114.5149}, "north"},
		{data.City{Name: "Tokyo", Country: "JP", Lat: 35.6762, Lng: 139.6503}, seedIntlRegion},
	} {
		assert.Equal(t, c.want, seedRegionOf(c.city), "seedRegionOf(%s)", c.city.Name)
	}
}

// BenchmarkSeedLarge loads 100,000 engineers with ten parts in every van:
// a million van stock rows.
func BenchmarkSeedLarge(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Engineers, cfg.VanStockPerEngineer = 100_000, 10
	for b.Loop() {
		b.StopTimer()
		db := postgrestest.MustOpen(b)
		b.StartTimer()
		summary, err := Seed(context.Background(), db, cfg)
		require.NoError(b, err)
		b.ReportMetric(float64(summary.Rows["stock"]), "stock-rows")
	}
}
