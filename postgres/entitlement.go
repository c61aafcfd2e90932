package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// storedCoverage is an aftercare.Coverage as incidents.coverage holds it in
// JSON; the empty object is an incident filed before coverage was recorded.
type storedCoverage struct {
	InWarranty     bool                        `json:"in_warranty"`
	WarrantyEndsOn string                      `json:"warranty_ends_on,omitempty"`
	ContractID     string                      `json:"contract_id,omitempty"`
	ContractNumber string                      `json:"contract_number,omitempty"`
	Tier           aftercare.Tier              `json:"tier,omitempty"`
	Entitlements   []aftercare.EntitlementKind `json:"entitlements,omitempty"`
	Covered        bool                        `json:"covered"`
	Reason         string                      `json:"reason,omitempty"`
	Claim          aftercare.EntitlementKind   `json:"claim,omitempty"`
	ClaimStatus    aftercare.ClaimStatus       `json:"claim_status,omitempty"`
}

// storeCoverage returns c in its stored form.
func storeCoverage(c *aftercare.Coverage) storedCoverage {
	s := storedCoverage{
		InWarranty: c.InWarranty, ContractID: c.ContractID, ContractNumber: c.ContractNumber, Tier: c.Tier,
		Entitlements: c.Entitlements, Covered: c.Covered, Reason: c.Reason, Claim: c.Claim, ClaimStatus: c.ClaimStatus,
	}
	if !c.WarrantyEndsOn.IsZero() {
		s.WarrantyEndsOn = c.WarrantyEndsOn.Format(time.DateOnly)
	}
	return s
}

// coverage returns the stored coverage, or nil for the empty object.
func (s storedCoverage) coverage() *aftercare.Coverage {
	if s.Tier == "" {
		return nil
	}
	c := &aftercare.Coverage{
		InWarranty: s.InWarranty, ContractID: s.ContractID, ContractNumber: s.ContractNumber, Tier: s.Tier,
		Entitlements: s.Entitlements, Covered: s.Covered, Reason: s.Reason, Claim: s.Claim, ClaimStatus: s.ClaimStatus,
	}
	if t, err := time.Parse(time.DateOnly, s.WarrantyEndsOn); err == nil {
		c.WarrantyEndsOn = t
	}
	return c
}

// decideCoverage computes, in q, the coverage of work of a category on an
// asset: its warranty and the extended warranties bought for it, the
// contract in force (nil for none) and the claims already counted against
// it this contract year.
func decideCoverage(ctx context.Context, q querier, assetID string, contractID *string, category aftercare.Category, symptoms string,
	parts []aftercare.PartRequest) (*aftercare.Coverage, error) {
	f := aftercare.CoverageFacts{Category: category, Battery: aftercare.MentionsBattery(symptoms)}
	frus := make([]string, len(parts))
	for i, p := range parts {
		frus[i] = strings.ToUpper(strings.TrimSpace(p.FRU))
	}
	// The asset's facts, its contract and the contract's claims in every
	// year: one round trip.
	var battery bool
	b := &pgx.Batch{}
	b.Queue(`
		SELECT a.warranty_ends_on, (now() AT TIME ZONE s.time_zone)::date,
			(SELECT max(e.extends_to) FROM entitlements e
			 JOIN contract_assets ca ON ca.contract_id = e.contract_id AND ca.asset_id = a.id
			 JOIN contracts c ON c.id = e.contract_id
			 WHERE e.kind = 'extended_warranty' AND c.status IN ('active', 'expiring', 'renewed', 'expired')),
			EXISTS (SELECT 1 FROM parts p WHERE p.fru = ANY($2) AND p.description ILIKE '%battery%')
		FROM assets a JOIN sites s ON s.id = a.site_id
		WHERE a.id = $1`, assetID, frus).QueryRow(func(row pgx.Row) error {
		var extended *time.Time
		if err := row.Scan(&f.BaseWarrantyEndsOn, &f.Today, &extended, &battery); err != nil {
			return err
		}
		if extended != nil {
			f.ExtendedWarrantyTo = *extended
		}
		return nil
	})
	used := map[int]map[aftercare.EntitlementKind]int{} // by contract year
	if contractID != nil {
		b.Queue(contractSelect+" WHERE c.id = $1", *contractID).Query(func(rows pgx.Rows) error {
			k, err := pgx.CollectExactlyOneRow(rows, scanContract)
			if errors.Is(err, pgx.ErrNoRows) {
				return aftercare.Errorf(aftercare.ENOTFOUND, "contract %q not found", *contractID)
			}
			f.Contract = k
			return err
		})
		b.Queue(`
			SELECT contract_year, kind, count(*) FROM entitlement_claims WHERE contract_id = $1
			GROUP BY contract_year, kind`, *contractID).Query(func(rows pgx.Rows) error {
			var year, n int
			var kind aftercare.EntitlementKind
			_, err := pgx.ForEachRow(rows, []any{&year, &kind, &n}, func() error {
				if used[year] == nil {
					used[year] = map[aftercare.EntitlementKind]int{}
				}
				used[year][kind] = n
				return nil
			})
			return err
		})
	}
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	f.Battery = f.Battery || battery
	if f.Contract != nil {
		year, _, _ := aftercare.ContractYear(f.Contract.StartsOn, f.Today)
		f.Used = used[year]
		if f.Used == nil {
			f.Used = map[aftercare.EntitlementKind]int{}
		}
	}
	c := aftercare.DecideCoverage(f)
	return &c, nil
}

// writeClaim writes, in the incident's transaction, the outbox message that
// takes the claim its coverage draws on to the contract's workflow, which
// counts it or refuses it past the entitlement's annual limit.
func writeClaim(ctx context.Context, tx execer, inc *aftercare.Incident) error {
	c := inc.Coverage
	if c == nil || c.Claim == "" {
		return nil
	}
	payload, err := json.Marshal(aftercare.EntitlementClaim{ContractID: c.ContractID, IncidentID: inc.ID, Kind: c.Claim})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3) ON CONFLICT (topic, key) DO NOTHING`,
		aftercare.OutboxTopicEntitlementClaim, inc.ID, payload); err != nil {
		return err
	}
	return notifyOutbox(ctx, tx, aftercare.OutboxTopicEntitlementClaim)
}

// RefuseClaim records that the contract's workflow refused an incident's
// claim: the incident's coverage becomes not covered, with the refusal as
// its reason (so the work needs a quote), together with an incident event.
// A repeat changes nothing.
func (s *ContractService) RefuseClaim(ctx context.Context, claim aftercare.EntitlementClaim, reason string) (err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.RefuseClaim(ctx, %q)", claim.IncidentID))
	if !validID(claim.IncidentID) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", claim.IncidentID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE incidents SET coverage = coverage || jsonb_build_object('covered', false, 'reason', $3::text,
				'claim_status', $4::text, 'entitlements', coalesce((SELECT jsonb_agg(k) FROM jsonb_array_elements_text(
					coverage->'entitlements') k WHERE k <> $2), '[]'::jsonb)), updated_at = now()
			WHERE id = $1 AND coverage->>'claim' = $2 AND coverage->>'claim_status' = $5`,
			claim.IncidentID, claim.Kind, reason, aftercare.ClaimRefused, aftercare.ClaimPending)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO incident_events (incident_id, kind, reason, data, idempotency_key)
			VALUES ($1, 'claim_refused', $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING`,
			claim.IncidentID, reason, map[string]any{"contract_id": claim.ContractID, "kind": claim.Kind},
			"claim_refused:"+claim.IncidentID)
		return err
	})
}

// EntitlementService answers what assets are entitled to.
type EntitlementService struct {
	db *DB
}

var _ aftercare.EntitlementService = (*EntitlementService)(nil)

// NewEntitlementService returns an EntitlementService backed by db.
func NewEntitlementService(db *DB) *EntitlementService {
	return &EntitlementService{db: db}
}

// CheckEntitlement returns the coverage an incident of the category filed
// now for the asset would get, computed exactly as filing computes it.
func (s *EntitlementService) CheckEntitlement(ctx context.Context, serial string, category aftercare.Category) (_ *aftercare.Coverage, err error) {
	defer wrap(&err, fmt.Sprintf("EntitlementService.CheckEntitlement(ctx, %q)", serial))
	if !category.Valid() {
		return nil, aftercare.Errorf(aftercare.EINVALID, "category %q is not known", category)
	}
	serial = strings.ToUpper(strings.TrimSpace(serial))
	var c *aftercare.Coverage
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		asset, err := findIntakeAsset(ctx, tx, serial)
		if aftercare.ErrorCode(err) == aftercare.EINVALID {
			return aftercare.Errorf(aftercare.ENOTFOUND, "no asset has serial number %q", serial)
		}
		if err != nil {
			return err
		}
		c, err = decideCoverage(ctx, tx, asset.id, asset.contractID, category, "", nil)
		return err
	})
	return c, err
}
