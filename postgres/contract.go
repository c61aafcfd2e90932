package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// ContractService finds service contracts.
type ContractService struct {
	db *DB
}

var _ aftercare.ContractService = (*ContractService)(nil)

// NewContractService returns a ContractService backed by db.
func NewContractService(db *DB) *ContractService {
	return &ContractService{db: db}
}

const contractSelect = `
	SELECT c.id, c.number, c.account_id, c.tier, c.status, c.starts_on, c.ends_on,
		coalesce(c.account_manager_id::text, ''),
		coalesce((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'limit', e.annual_limit, 'to', e.extends_to)
			ORDER BY e.kind) FROM entitlements e WHERE e.contract_id = c.id), '[]')
	FROM contracts c`

func scanContract(row pgx.CollectableRow) (*aftercare.Contract, error) {
	var c aftercare.Contract
	var ents []struct {
		Kind  aftercare.EntitlementKind `json:"kind"`
		Limit *int                      `json:"limit"`
		To    *string                   `json:"to"`
	}
	if err := row.Scan(&c.ID, &c.Number, &c.AccountID, &c.Tier, &c.Status, &c.StartsOn, &c.EndsOn,
		&c.AccountManagerID, &ents); err != nil {
		return nil, err
	}
	for _, e := range ents {
		ent := aftercare.Entitlement{Kind: e.Kind}
		if e.Limit != nil {
			ent.AnnualLimit = *e.Limit
		}
		if e.To != nil {
			to, err := time.Parse(time.DateOnly, *e.To)
			if err != nil {
				return nil, err
			}
			ent.ExtendsTo = to
		}
		c.Entitlements = append(c.Entitlements, ent)
	}
	return &c, nil
}

// FindContractByID returns the contract with the given ID, or ENOTFOUND.
func (s *ContractService) FindContractByID(ctx context.Context, id string) (_ *aftercare.Contract, err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.FindContractByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, contractSelect, "c.id", "contract", id, &scopeContracts, scanContract)
}

// FindContracts returns a page of contracts ordered by number.
func (s *ContractService) FindContracts(ctx context.Context, f aftercare.ContractFilter) (_ []*aftercare.Contract, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "ContractService.FindContracts")
	var q filter
	if !q.addID("c.account_id", f.AccountID) {
		return nil, aftercare.PageInfo{}, nil
	}
	if f.AssetID != "" {
		if !validID(f.AssetID) {
			return nil, aftercare.PageInfo{}, nil
		}
		q.add("EXISTS (SELECT 1 FROM contract_assets ca WHERE ca.contract_id = c.id AND ca.asset_id = ?)", f.AssetID)
	}
	if f.Status != "" {
		q.add("c.status = ?", f.Status)
	}
	q.addScope(ctx, scopeContracts)
	return findPage(ctx, s.db.pool, contractSelect, &q, "c.number", f.Page, scanContract,
		func(c *aftercare.Contract) string { return c.Number })
}
