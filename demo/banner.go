package demo

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// Serials returns, for each tier, the serial number of a server covered by
// an in-force contract of that tier (any asset when no server is), for the
// console banner of a database seeded earlier.
func Serials(ctx context.Context, db *postgres.DB) (map[aftercare.Tier]string, error) {
	out := map[aftercare.Tier]string{}
	var tier aftercare.Tier
	var serial string
	err := db.Query(ctx, `
		SELECT DISTINCT ON (c.tier) c.tier, a.serial_number
		FROM contracts c
		JOIN contract_assets ca ON ca.contract_id = c.id
		JOIN assets a ON a.id = ca.asset_id
		JOIN product_lines pl ON pl.code = a.product_line
		WHERE c.status IN ('active', 'expiring') AND current_date BETWEEN c.starts_on AND c.ends_on
		ORDER BY c.tier, pl.kind = 'server' DESC, c.number, a.serial_number`, nil, []any{&tier, &serial}, func() error {
		out[tier] = serial
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo.Serials: %w", err)
	}
	return out, nil
}

// Filer returns the username of a corporate IT user of the account that
// owns the asset with the given serial number — who may file an incident
// for it — or "" when the account has none.
func Filer(ctx context.Context, db *postgres.DB, serial string) (string, error) {
	var username string
	err := db.QueryRow(ctx, `
		SELECT coalesce(min(u.username), '') FROM assets a
		JOIN users u ON u.account_id = a.account_id AND u.role = 'customer_it' AND u.disabled_at IS NULL
		WHERE a.serial_number = $1`, []any{serial}, &username)
	if err != nil {
		return "", fmt.Errorf("demo.Filer(%q): %w", serial, err)
	}
	return username, nil
}
