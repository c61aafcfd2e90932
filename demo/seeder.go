package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// seeder generates the demo data of one config. The small nouns (accounts,
// sites, assets, contracts, parts, depots) are planned in memory; engineers
// and their skills and van stock are derived per engineer while they stream.
type seeder struct {
	cfg   Config
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
	engineerUser uuid

	summary *Summary
}

func newSeeder(cfg Config) *seeder {
	y, m, d := cfg.Now.Date()
	return &seeder{
		cfg:     cfg,
		today:   time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		places:  seedSpread(cfg.Cities),
		summary: &Summary{Rows: map[string]int64{}, Serials: map[aftercare.Tier]string{}},
	}
}

// load plans the small nouns and copies every table, parents first.
func (s *seeder) load(ctx context.Context, l *postgres.Loader) error {
	s.planAccounts()
	s.planUsers()
	s.planSites()
	s.planAssets()
	s.planContracts()
	s.planParts()
	s.planDepots()
	s.pickSerials()
	for _, copyTable := range []func(context.Context, *postgres.Loader) error{
		s.copyProductLines, s.copyAccounts, s.copyUsers, s.copySites, s.copyAssets,
		s.copyContracts, s.copyContractAssets, s.copyEntitlements, s.copyParts, s.copyPartProductLines,
		s.copyDepots, s.copyEngineers, s.assignProviders, s.copyEngineerSkills, s.copyStock,
		s.insertPriceList, s.grantAccess,
	} {
		if err := copyTable(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// copyRows copies n rows made by row into table and counts them.
func (s *seeder) copyRows(ctx context.Context, l *postgres.Loader, table string, columns []string, n int, row func(i int) []any) error {
	i := 0
	return s.copyFrom(ctx, l, table, columns, func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	})
}

// copyFrom copies the rows next returns into table and counts them.
func (s *seeder) copyFrom(ctx context.Context, l *postgres.Loader, table string, columns []string, next func() ([]any, error)) error {
	n, err := l.Copy(ctx, table, columns, next)
	if err != nil {
		return err
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

// uuid is a UUID as the bulk-load API takes it.
type uuid = [16]byte

// seedUUID draws a version 4 UUID from r.
func seedUUID(r *rand.Rand) uuid {
	var b uuid
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// uuidString formats a UUID as text.
func uuidString(u uuid) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
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
