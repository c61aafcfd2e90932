package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// findTierPolicyJSON returns the stored policy of a tier as stored, or nil.
func findTierPolicyJSON(ctx context.Context, q querier, tier aftercare.Tier) ([]byte, error) {
	var policy []byte
	err := q.QueryRow(ctx, `SELECT policy FROM tier_policies WHERE tier = $1`, tier).Scan(&policy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return policy, err
}

// findTierPolicy returns the stored policy of a tier, or nil. A stored
// policy is read over the tier's default, whose values stand for any it
// leaves out.
func findTierPolicy(ctx context.Context, q querier, tier aftercare.Tier) (*aftercare.SLAPolicy, error) {
	raw, err := findTierPolicyJSON(ctx, q, tier)
	if raw == nil || err != nil {
		return nil, err
	}
	p, err := aftercare.DefaultSLAPolicy(tier)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("%s tier policy: %w", tier, err)
	}
	return &p, nil
}

// FindTierPolicy returns the policy an admin set for a tier, or nil when the
// tier follows the defaults.
func (s *SLAService) FindTierPolicy(ctx context.Context, tier aftercare.Tier) (_ *aftercare.SLAPolicy, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindTierPolicy(ctx, %q)", tier))
	if !tier.Valid() {
		return nil, aftercare.Errorf(aftercare.EINVALID, "unknown tier %q", tier)
	}
	return findTierPolicy(ctx, s.db.pool, tier)
}

// SetTierPolicy replaces a tier's policy after checking that it is a
// complete, valid policy of that tier, and audits the change.
func (s *SLAService) SetTierPolicy(ctx context.Context, tier aftercare.Tier, policy aftercare.SLAPolicy) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SetTierPolicy(ctx, %q)", tier))
	if policy.Tier != tier {
		return aftercare.Errorf(aftercare.EINVALID, "the policy is for tier %q, not %q", policy.Tier, tier)
	}
	if err := policy.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(policy)
	if err != nil {
		return err
	}
	user := aftercare.UserFromContext(ctx)
	var by *string
	if user != nil {
		by = actorID(user.ID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findTierPolicyJSON(ctx, tx, tier)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO tier_policies (tier, policy, updated_by) VALUES ($1, $2, $3)
			ON CONFLICT (tier) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			tier, json.RawMessage(raw), by); err != nil {
			return err
		}
		var old any
		if before != nil {
			old = json.RawMessage(before)
		}
		return writeAudit(ctx, tx, user, "tier_policy.set", "tier_policy", string(tier), old, json.RawMessage(raw))
	})
}
