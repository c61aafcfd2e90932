package demo

import (
	"context"

	"github.com/aftercare/aftercare/postgres"
)

// seedStreamProviders is the random stream that gives engineers their
// service provider, apart from the streams of seed.go.
const seedStreamProviders uint64 = 65

// The service providers migration 010 loads, and how many engineers in a
// hundred each employs: the maker's own field service, then three
// authorised partners.
var (
	seedProviders = []string{
		"5e7a1c00-0000-4000-8000-000000000001",
		"5e7a1c00-0000-4000-8000-000000000002",
		"5e7a1c00-0000-4000-8000-000000000003",
		"5e7a1c00-0000-4000-8000-000000000004",
	}
	seedProviderWeights = []int{65, 15, 12, 8}
)

// assignProviders gives each engineer a provider; ENG-00001 (the demo
// engineer login) works for the maker's own field service.
func (s *seeder) assignProviders(ctx context.Context, l *postgres.Loader) error {
	ids := make([]uuid, s.cfg.Engineers)
	providers := make([]string, s.cfg.Engineers)
	for i := range s.cfg.Engineers {
		ids[i] = s.engineer(i).id
		providers[i] = seedProviders[0]
		if i > 0 {
			providers[i] = seedProviders[seedWeighted(s.rng(seedStreamProviders, i), seedProviderWeights)]
		}
	}
	_, err := l.Exec(ctx, `
		UPDATE engineers e SET provider_id = p.provider_id
		FROM unnest($1::uuid[], $2::uuid[]) AS p (id, provider_id)
		WHERE e.id = p.id AND e.provider_id <> p.provider_id`, ids, providers)
	return err
}
