package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// seedContract is a contract to load, with the assets it covers.
type seedContract struct {
	id           uuid
	number       string
	account      int
	tier         aftercare.Tier
	status       aftercare.ContractStatus
	startsOn     time.Time
	endsOn       time.Time
	assets       []int
	entitlements []seedEntitlement
	// renewalOf is the contract a draft renewal renews, by index; -1 for
	// none.
	renewalOf int
}

// seedEntitlement is an entitlement to load; a zero limit is unlimited and a
// zero extendsTo is none.
type seedEntitlement struct {
	kind        aftercare.EntitlementKind
	annualLimit int
	extendsTo   time.Time
}

// seedCoverage is the share of an account's assets its contract covers;
// the rest run on base warranty alone.
const seedCoverage = 0.85

// seedExpiringInDays is when the expiring contract ends, counted from Now.
const seedExpiringInDays = 45

// planContracts gives every account a three-year contract of its tier in
// force on Now. The last account's contract (when there are two or more)
// ends within 60 days and has a draft renewal.
func (s *seeder) planContracts() {
	r := s.rng(seedStreamContracts, 0)
	byAccount := make([][]int, len(s.accounts))
	for i, a := range s.assets {
		acct := s.sites[a.site].account
		byAccount[acct] = append(byAccount[acct], i)
	}
	expiring := -1
	if len(s.accounts) >= 2 {
		expiring = len(s.accounts) - 1
	}
	perYear := map[int]int{}
	number := func(starts time.Time) string {
		perYear[starts.Year()]++
		return fmt.Sprintf("CT-%d-%04d", starts.Year(), perYear[starts.Year()])
	}
	for ai, acct := range s.accounts {
		c := seedContract{id: seedUUID(r), account: ai, tier: acct.tier, status: aftercare.ContractActive, renewalOf: -1}
		if ai == expiring {
			c.status = aftercare.ContractExpiring
			c.endsOn = s.today.AddDate(0, 0, seedExpiringInDays)
			c.startsOn = c.endsOn.AddDate(-3, 0, 1)
		} else {
			c.startsOn = s.today.AddDate(0, 0, -(30 + r.IntN(600)))
			c.endsOn = c.startsOn.AddDate(3, 0, -1)
		}
		c.number = number(c.startsOn)
		hasServer := false
		for k, a := range byAccount[ai] {
			if k == 0 || r.Float64() < seedCoverage {
				c.assets = append(c.assets, a)
				hasServer = hasServer || seedProductLines[s.assets[a].line].kind == "server"
			}
		}
		c.entitlements = seedEntitlementsFor(acct.seedAccountProfile, hasServer, c.endsOn)
		s.contracts = append(s.contracts, c)
		if ai == expiring {
			renewal := seedContract{id: seedUUID(r), account: ai, tier: acct.tier, status: aftercare.ContractDraft,
				startsOn: c.endsOn.AddDate(0, 0, 1), renewalOf: len(s.contracts) - 1}
			renewal.endsOn = renewal.startsOn.AddDate(3, 0, -1)
			renewal.number = number(renewal.startsOn)
			renewal.entitlements = seedEntitlementsFor(acct.seedAccountProfile, hasServer, renewal.endsOn)
			s.contracts = append(s.contracts, renewal)
		}
	}
}

// seedEntitlementsFor returns what a contract of an account's tier
// includes: platinum everything but sealed batteries, premium on-site and
// keep-your-drive, standard on-site only where it covers servers, plus an
// extended warranty to the contract's end for some standard accounts.
func seedEntitlementsFor(p seedAccountProfile, coversServers bool, endsOn time.Time) []seedEntitlement {
	switch p.tier {
	case aftercare.TierPlatinum:
		return []seedEntitlement{
			{kind: aftercare.EntitlementOnSite},
			{kind: aftercare.EntitlementAdvancePartsReplacement},
			{kind: aftercare.EntitlementKeepYourDrive},
			{kind: aftercare.EntitlementAccidentalDamageProtection, annualLimit: 10},
			{kind: aftercare.EntitlementDataRecovery, annualLimit: 4},
		}
	case aftercare.TierPremium:
		return []seedEntitlement{{kind: aftercare.EntitlementOnSite}, {kind: aftercare.EntitlementKeepYourDrive}}
	}
	var es []seedEntitlement
	if coversServers {
		es = append(es, seedEntitlement{kind: aftercare.EntitlementOnSite})
	}
	if p.extendedWarranty {
		es = append(es, seedEntitlement{kind: aftercare.EntitlementExtendedWarranty, extendsTo: endsOn})
	}
	return es
}

// pickSerials chooses the demo serial numbers of the summary.
func (s *seeder) pickSerials() {
	covered := make([]bool, len(s.assets))
	for _, c := range s.contracts {
		if c.status == aftercare.ContractDraft {
			continue
		}
		for _, a := range c.assets {
			covered[a] = true
		}
	}
	for _, status := range []aftercare.ContractStatus{aftercare.ContractActive, aftercare.ContractExpiring} {
		for _, c := range s.contracts {
			if c.status != status || s.summary.Serials[c.tier] != "" || len(c.assets) == 0 {
				continue
			}
			pick := c.assets[0]
			for _, a := range c.assets {
				if seedProductLines[s.assets[a].line].kind == "server" {
					pick = a
					break
				}
			}
			s.summary.Serials[c.tier] = s.assets[pick].serial
		}
	}
	for i, a := range s.assets {
		if !covered[i] && a.warrantyEnds.Before(s.today) {
			s.summary.UncoveredSerial = a.serial
			break
		}
	}
}

// seedPercent returns a whole percentage, or NULL for 0.
func seedPercent(p int64) any {
	if p == 0 {
		return nil
	}
	return float64(p)
}

// copyContracts loads the contracts, those in force signed on their start
// date and the draft renewal linked to the contract it renews, and queues
// the start of each contract's workflow in the outbox, so that whichever
// worker runs first starts them all, once.
func (s *seeder) copyContracts(ctx context.Context, l *postgres.Loader) error {
	err := s.copyRows(ctx, l, "contracts",
		[]string{"id", "number", "account_id", "tier", "status", "starts_on", "ends_on", "account_manager_id",
			"credit_percent_per_breach", "credit_cap_percent", "activated_at", "renewal_of"},
		len(s.contracts), func(i int) []any {
			c := s.contracts[i]
			acct := s.accounts[c.account]
			// Platinum buys service credits: 5 % of the monthly fee per
			// breached committed time, at most 30 % a month.
			var credit, limit int64
			if c.tier == aftercare.TierPlatinum {
				credit, limit = 5, 30
			}
			var signed *time.Time
			if c.status != aftercare.ContractDraft {
				signed = &c.startsOn
			}
			var renews any
			if c.renewalOf >= 0 {
				renews = s.contracts[c.renewalOf].id
			}
			return []any{c.id, c.number, acct.id, string(c.tier), string(c.status), c.startsOn, c.endsOn,
				s.users[acct.manager].id, seedPercent(credit), seedPercent(limit), signed, renews}
		})
	if err != nil {
		return err
	}
	if _, err := l.Exec(ctx, `
		INSERT INTO outbox (topic, key, payload)
		SELECT $1, id::text, jsonb_build_object('contract_id', id::text) FROM contracts
		ON CONFLICT (topic, key) DO NOTHING`, aftercare.OutboxTopicContractWorkflow); err != nil {
		return err
	}
	return l.NotifyOutbox(ctx, aftercare.OutboxTopicContractWorkflow)
}

func (s *seeder) copyContractAssets(ctx context.Context, l *postgres.Loader) error {
	ci, k := 0, 0
	return s.copyFrom(ctx, l, "contract_assets", []string{"contract_id", "asset_id"}, func() ([]any, error) {
		for ci < len(s.contracts) && k >= len(s.contracts[ci].assets) {
			ci, k = ci+1, 0
		}
		if ci == len(s.contracts) {
			return nil, nil
		}
		c := s.contracts[ci]
		k++
		return []any{c.id, s.assets[c.assets[k-1]].id}, nil
	})
}

func (s *seeder) copyEntitlements(ctx context.Context, l *postgres.Loader) error {
	var rows [][]any
	for _, c := range s.contracts {
		for _, e := range c.entitlements {
			rows = append(rows, []any{c.id, string(e.kind), seedNullInt(e.annualLimit), seedNullDate(e.extendsTo)})
		}
	}
	return s.copyFrom(ctx, l, "entitlements", []string{"contract_id", "kind", "annual_limit", "extends_to"},
		postgres.Rows(rows))
}
