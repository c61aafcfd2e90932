package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
	"github.com/jackc/pgx/v5"
)

// findTierPolicy returns the stored policy of a tier, or nil.
func findTierPolicy(ctx context.Context, q querier, tier aftercare.Tier) ([]byte, error) {
	var policy []byte
	err := q.QueryRow(ctx, `SELECT policy FROM tier_policies WHERE tier = $1`, tier).Scan(&policy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return policy, err
}

// FindTierPolicy returns the policy an admin set for a tier, as package
// sla encodes it in JSON, or nil when the tier follows the defaults.
func (s *SLAService) FindTierPolicy(ctx context.Context, tier aftercare.Tier) (_ []byte, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindTierPolicy(ctx, %q)", tier))
	if !tier.Valid() {
		return nil, aftercare.Errorf(aftercare.EINVALID, "unknown tier %q", tier)
	}
	return findTierPolicy(ctx, s.db.pool, tier)
}

// SetTierPolicy replaces a tier's policy after checking that it is a
// complete, valid policy of that tier, and audits the change.
func (s *SLAService) SetTierPolicy(ctx context.Context, tier aftercare.Tier, policy []byte) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SetTierPolicy(ctx, %q)", tier))
	var p sla.Policy
	if err := json.Unmarshal(policy, &p); err != nil {
		return aftercare.Errorf(aftercare.EINVALID, "tier policy: %s", aftercare.ErrorMessage(err))
	}
	if p.Tier != tier {
		return aftercare.Errorf(aftercare.EINVALID, "the policy is for tier %q, not %q", p.Tier, tier)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	user := aftercare.UserFromContext(ctx)
	var by *string
	if user != nil {
		by = actorID(user.ID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findTierPolicy(ctx, tx, tier)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO tier_policies (tier, policy, updated_by) VALUES ($1, $2, $3)
			ON CONFLICT (tier) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			tier, json.RawMessage(policy), by); err != nil {
			return err
		}
		var old any
		if before != nil {
			old = json.RawMessage(before)
		}
		return writeAudit(ctx, tx, user, "tier_policy.set", "tier_policy", string(tier), old, json.RawMessage(policy))
	})
}
