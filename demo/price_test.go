package demo

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeededPriceList(t *testing.T) {
	ctx := context.Background()
	cfg := smallSeedConfig()
	first, second := postgrestest.MustOpen(t), postgrestest.MustOpen(t)
	summary, err := Seed(ctx, first, cfg)
	require.NoError(t, err)
	_, err = Seed(ctx, second, cfg)
	require.NoError(t, err)

	regions := seedCount(t, first, `SELECT count(*) FROM regions`)
	parts := seedCount(t, first, `SELECT count(*) FROM parts`)
	assert.Equal(t, (parts+2)*3*regions, summary.Rows["price_list"], "every part, labour and call-out, per tier and region")
	assert.Equal(t, summary.Rows["price_list"], seedCount(t, first, `SELECT count(*) FROM price_list`))
	assert.Zero(t, seedCount(t, first, `
		SELECT count(*) FROM price_list a JOIN price_list b ON a.region = b.region AND a.kind = b.kind
			AND a.part_id IS NOT DISTINCT FROM b.part_id AND a.tier = 'platinum' AND b.tier = 'standard'
		WHERE a.unit_price > b.unit_price`), "platinum never pays more than standard")
	assert.NotZero(t, seedCount(t, first, `SELECT count(DISTINCT unit_price) - 1 FROM price_list WHERE kind = 'labour' AND tier = 'standard'`),
		"regions differ")

	digest := func(db *postgres.DB) string {
		const row = `(to_jsonb(t) - 'id')::text`
		return postgrestest.MustQueryString(t, db, `SELECT md5(string_agg(`+row+`, E'\n' ORDER BY `+row+`)) FROM price_list t`)
	}
	assert.Equal(t, digest(first), digest(second), "the same catalogue gives the same prices")
}
