package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// SetSLAOverrides replaces a contract's per-cell SLA overrides (keyed
// "P1.response", targets as policies write them, such as "30m" or "4BH").
// Each override must make a valid cell of the default policy of the
// contract's tier. The change applies to incidents filed from now on; open
// incidents keep the policy their clocks started with. It returns ENOTFOUND
// for a contract the caller may not see.
func (s *SLAService) SetSLAOverrides(ctx context.Context, contractID string, overrides map[string]string) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SetSLAOverrides(ctx, %q)", contractID))
	c, err := findOne(ctx, s.db.pool, contractSelect, "c.id", "contract", contractID, &scopeContracts, scanContract)
	if err != nil {
		return err
	}
	if _, err := aftercare.EffectiveSLAPolicy(c.Tier, nil, overrides); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var before map[string]string
		if err := tx.QueryRow(ctx, `SELECT sla_overrides FROM contracts WHERE id = $1 FOR UPDATE`, contractID).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contracts SET sla_overrides = $2 WHERE id = $1`, contractID, overrides); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "contract.sla_overrides", "contract", contractID,
			map[string]any{"sla_overrides": before}, map[string]any{"sla_overrides": overrides})
	})
}
