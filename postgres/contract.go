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

// ContractService creates and finds service contracts and records what
// their workflows decide.
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
		coalesce(c.account_manager_id::text, ''), c.activated_at, coalesce(c.renewal_of::text, ''),
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
		&c.AccountManagerID, &c.ActivatedAt, &c.RenewalOf, &ents); err != nil {
		return nil, err
	}
	c.WorkflowID = aftercare.ContractWorkflowID(c.ID)
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

// FindContractsByIDs returns the contracts with the given IDs in one
// query, in the order of ids, nil for each FindContractByID would not
// find.
func (s *ContractService) FindContractsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Contract, err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.FindContractsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, contractSelect, "c.id", ids, &scopeContracts, scanContract,
		func(c *aftercare.Contract) string { return c.ID })
}

// FindContractsOfAccounts returns the same page of the contracts of each
// account, as FindContracts by account, in one query.
func (s *ContractService) FindContractsOfAccounts(ctx context.Context, accountIDs []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.Contract], err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.FindContractsOfAccounts(ctx, %d IDs)", len(accountIDs)))
	return s.findContractPages(ctx, "c.account_id = p.id", accountIDs, page)
}

// FindContractsOfAssets returns the same page of the contracts covering
// each asset, as FindContracts by asset, in one query.
func (s *ContractService) FindContractsOfAssets(ctx context.Context, assetIDs []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.Contract], err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.FindContractsOfAssets(ctx, %d IDs)", len(assetIDs)))
	return s.findContractPages(ctx, "EXISTS (SELECT 1 FROM contract_assets ca WHERE ca.contract_id = c.id AND ca.asset_id = p.id)",
		assetIDs, page)
}

func (s *ContractService) findContractPages(ctx context.Context, parentCond string, parents []string, page aftercare.PageRequest) ([]aftercare.Page[*aftercare.Contract], error) {
	var q filter
	q.addScope(ctx, scopeContracts)
	return findPagesOf(ctx, s.db.pool, contractSelect, &q, parentCond, parents, "c.number", page, scanContract,
		func(c *aftercare.Contract) string { return c.Number })
}

// CreateContract writes a draft contract for an account in the caller's
// scope, covering assets of that account, with its entitlements, an audit
// event and the outbox message that starts its workflow, in one
// transaction.
func (s *ContractService) CreateContract(ctx context.Context, create aftercare.ContractCreate) (_ *aftercare.Contract, err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.CreateContract(ctx, %q)", create.AccountID))
	if err := create.Validate(); err != nil {
		return nil, err
	}
	actor := aftercare.UserFromContext(ctx)
	var c *aftercare.Contract
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := findOne(ctx, tx, accountSelect, "a.id", "account", create.AccountID, &scopeAccounts, scanAccount); err != nil {
			return err
		}
		if create.AccountManagerID != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id::text = $1 AND role = 'account_manager')`,
				create.AccountManagerID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return aftercare.Errorf(aftercare.EINVALID, "user %q is not an account manager", create.AccountManagerID)
			}
		}
		id := newID()
		var number string
		if err := tx.QueryRow(ctx, `
			INSERT INTO contracts (id, number, account_id, tier, status, starts_on, ends_on, account_manager_id, created_by)
			VALUES ($1, 'CT-' || to_char($4::date, 'YYYY') || '-' || upper(substr(md5($8), 1, 6)), $2, $3, 'draft',
				$4, $5, $6, $7)
			RETURNING number`,
			id, create.AccountID, create.Tier, create.StartsOn, create.EndsOn, nullIfEmpty(create.AccountManagerID),
			actorID(userID(actor)), id).Scan(&number); err != nil {
			return err
		}
		for _, serial := range create.SerialNumbers {
			tag, err := tx.Exec(ctx, `
				INSERT INTO contract_assets (contract_id, asset_id)
				SELECT $1, a.id FROM assets a WHERE a.serial_number = $2 AND a.account_id = $3
				ON CONFLICT DO NOTHING`, id, strings.ToUpper(strings.TrimSpace(serial)), create.AccountID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return aftercare.Errorf(aftercare.EINVALID, "the account has no asset with serial number %q", serial)
			}
		}
		if err := insertEntitlements(ctx, tx, id, create.Entitlements); err != nil {
			return err
		}
		if err := startContractWorkflow(ctx, tx, id); err != nil {
			return err
		}
		if c, err = findOneBy(ctx, tx, contractSelect, "c.id", "contract", id, nil, scanContract); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "contract.create", "contract", id, nil, c)
	})
	return c, err
}

// insertEntitlements writes a contract's entitlements.
func insertEntitlements(ctx context.Context, tx pgx.Tx, contractID string, ents []aftercare.Entitlement) error {
	for _, e := range ents {
		var limit *int
		if e.AnnualLimit > 0 {
			limit = &e.AnnualLimit
		}
		var to *time.Time
		if !e.ExtendsTo.IsZero() {
			to = &e.ExtendsTo
		}
		if _, err := tx.Exec(ctx, `INSERT INTO entitlements (contract_id, kind, annual_limit, extends_to) VALUES ($1, $2, $3, $4)`,
			contractID, e.Kind, limit, to); err != nil {
			return err
		}
	}
	return nil
}

// startContractWorkflow writes, in tx, the outbox message that starts the
// contract's workflow.
func startContractWorkflow(ctx context.Context, tx pgx.Tx, contractID string) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO outbox (topic, key, payload, trace_context) VALUES ($1, $2, jsonb_build_object('contract_id', $2::text), $3)
		ON CONFLICT (topic, key) DO NOTHING`, aftercare.OutboxTopicContractWorkflow, contractID, outboxTrace(ctx)); err != nil {
		return err
	}
	return notifyOutbox(ctx, tx, aftercare.OutboxTopicContractWorkflow)
}

// userID returns the ID of a user, "" for none.
func userID(u *aftercare.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

// LoadContractFacts returns a contract, whoever asks, with the claims
// counted against it: what its workflow starts from.
func (s *ContractService) LoadContractFacts(ctx context.Context, id string) (_ *aftercare.ContractFacts, err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.LoadContractFacts(ctx, %q)", id))
	if !validID(id) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "contract %q not found", id)
	}
	c, err := findOneBy(ctx, s.db.pool, contractSelect, "c.id", "contract", id, nil, scanContract)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT contract_id, incident_id, kind, contract_year, claimed_at FROM entitlement_claims
		WHERE contract_id = $1 ORDER BY claimed_at, incident_id`, id)
	if err != nil {
		return nil, err
	}
	facts := &aftercare.ContractFacts{Contract: c}
	facts.Claims, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.ClaimCounted, error) {
		var c aftercare.ClaimCounted
		err := row.Scan(&c.ContractID, &c.IncidentID, &c.Kind, &c.Year, &c.At)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	err = s.db.pool.QueryRow(ctx, `
		SELECT coalesce((SELECT array_agg(days_before ORDER BY days_before DESC) FROM contract_reminders
			WHERE contract_id = $1 AND ends_on = $2), '{}'),
			coalesce((SELECT id::text FROM contracts WHERE renewal_of = $1), '')`,
		id, c.EndsOn).Scan(&facts.RemindersSent, &facts.SuccessorID)
	return facts, err
}

// RecordContractChange mirrors one change of a contract's workflow, once
// per key: the event, the status, the signature, a reminder with one
// webhook notification per URL, a counted claim (marking the incident's
// claim accepted), a renewal's successor with the message that starts its
// workflow, and the audit event of a user's change. It returns the
// successor's ID for a renewal, also on a repeat.
func (s *ContractService) RecordContractChange(ctx context.Context, c aftercare.ContractChange, webhooks []string) (successorID string, err error) {
	defer wrap(&err, fmt.Sprintf("ContractService.RecordContractChange(ctx, %q)", c.Key))
	if !validID(c.ContractID) {
		return "", aftercare.Errorf(aftercare.ENOTFOUND, "contract %q not found", c.ContractID)
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		data := map[string]any{}
		if r := c.Reminder; r != nil {
			data["days_before"], data["ends_on"] = r.DaysBefore, r.EndsOn.Format(time.DateOnly)
		}
		if cl := c.Claim; cl != nil {
			data["incident_id"], data["kind"], data["year"] = cl.IncidentID, cl.Kind, cl.Year
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO contract_events (contract_id, kind, from_status, to_status, reason, actor_id, at, data, idempotency_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (idempotency_key) DO NOTHING`,
			c.ContractID, c.Kind, nullIfEmpty(string(c.FromStatus)), nullIfEmpty(string(c.ToStatus)), c.Reason,
			actorID(c.ActorID), c.At, data, c.Key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			if c.Renewal != nil {
				return tx.QueryRow(ctx, `SELECT id FROM contracts WHERE renewal_of = $1`, c.ContractID).Scan(&successorID)
			}
			return nil
		}
		if _, err := tx.Exec(ctx, `
			UPDATE contracts SET status = coalesce(nullif($2, ''), status),
				activated_at = CASE WHEN $3 THEN coalesce(activated_at, $4) ELSE activated_at END
			WHERE id = $1`, c.ContractID, c.ToStatus, c.Activated, c.At); err != nil {
			return err
		}
		if c.Reminder != nil {
			if err := recordReminder(ctx, tx, c, webhooks); err != nil {
				return err
			}
		}
		if cl := c.Claim; cl != nil {
			if err := recordClaim(ctx, tx, *cl); err != nil {
				return err
			}
		}
		if c.Renewal != nil {
			if successorID, err = createSuccessor(ctx, tx, *c.Renewal, c.At); err != nil {
				return err
			}
		}
		if a := c.Audit; a != nil {
			after := a.After
			if successorID != "" {
				after = map[string]any{"status": c.ToStatus, "successor_id": successorID}
			}
			_, err = tx.Exec(ctx, `
				INSERT INTO audit_events (at, actor_id, actor_role, action, object_type, object_id, before, after, request_id)
				VALUES ($1, $2, $3, $4, 'contract', $5, $6, $7, $8)`,
				c.At, actorID(c.ActorID), a.ActorRole, a.Action, c.ContractID, a.Before, after, a.RequestID)
		}
		return err
	})
	return successorID, err
}

// recordReminder records a renewal reminder to the contract's account
// manager once per term end and level, with its webhook notifications.
func recordReminder(ctx context.Context, tx pgx.Tx, c aftercare.ContractChange, webhooks []string) error {
	r := c.Reminder
	var number, accountID string
	var manager *string
	tag, err := tx.Exec(ctx, `
		INSERT INTO contract_reminders (contract_id, ends_on, days_before, due_on, sent_at, account_manager_id)
		SELECT id, $2, $3, $4, $5, account_manager_id FROM contracts WHERE id = $1
		ON CONFLICT DO NOTHING`, c.ContractID, r.EndsOn, r.DaysBefore, r.DueOn, c.At)
	if err != nil || tag.RowsAffected() == 0 || len(webhooks) == 0 {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT number, account_id, account_manager_id::text FROM contracts WHERE id = $1`,
		c.ContractID).Scan(&number, &accountID, &manager); err != nil {
		return err
	}
	recipients, err := reminderRecipients(ctx, tx, c.ContractID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{
		"kind": "contract.renewal_reminder", "contract_id": c.ContractID, "contract_number": number,
		"account_id": accountID, "account_manager_id": manager, "recipients": recipients,
		"ends_on": r.EndsOn.Format(time.DateOnly), "days_before": r.DaysBefore, "at": c.At,
	})
	if err != nil {
		return err
	}
	return enqueueWebhooks(ctx, tx, c.Key, body, webhooks)
}

// reminderRecipient is a person a renewal reminder is for.
type reminderRecipient struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// reminderRecipients returns who a contract's renewal reminders go to: its
// account manager, or, where it names none, the managers assigned to its
// account (as the 90 % escalation routes), by name.
func reminderRecipients(ctx context.Context, tx pgx.Tx, contractID string) ([]reminderRecipient, error) {
	rows, err := tx.Query(ctx, `
		WITH c AS (SELECT account_id, account_manager_id FROM contracts WHERE id = $1)
		SELECT u.id::text, u.display_name, u.email FROM c JOIN users u ON u.id = c.account_manager_id
		WHERE u.disabled_at IS NULL
		UNION
		SELECT u.id::text, u.display_name, u.email
		FROM c JOIN casbin_rule g ON g.ptype = 'g' AND g.v1 = 'account_manager' AND g.v2 = 'account:' || c.account_id
		JOIN users u ON 'user:' || u.id = g.v0
		WHERE c.account_manager_id IS NULL AND u.disabled_at IS NULL
		ORDER BY 2, 1`, contractID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (reminderRecipient, error) {
		var r reminderRecipient
		err := row.Scan(&r.UserID, &r.Name, &r.Email)
		return r, err
	})
}

// enqueueWebhooks writes, in tx, one outbox message per webhook URL that
// delivers body, keyed by the notification's key and the URL.
func enqueueWebhooks(ctx context.Context, tx pgx.Tx, key string, body []byte, webhooks []string) error {
	for _, url := range webhooks {
		delivery := aftercare.WebhookDelivery{URL: url, Key: aftercare.WebhookDeliveryKey(key, url), Body: body}
		payload, err := json.Marshal(delivery)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3) ON CONFLICT (topic, key) DO NOTHING`,
			aftercare.OutboxTopicWebhook, delivery.Key, payload); err != nil {
			return err
		}
	}
	return notifyOutbox(ctx, tx, aftercare.OutboxTopicWebhook)
}

// recordClaim mirrors a counted claim and marks the incident's claim
// accepted.
func recordClaim(ctx context.Context, tx pgx.Tx, cl aftercare.ClaimCounted) error {
	if !validID(cl.IncidentID) {
		return aftercare.Errorf(aftercare.EINVALID, "incident %q is not an ID", cl.IncidentID)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO entitlement_claims (contract_id, kind, incident_id, contract_year, claimed_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		cl.ContractID, cl.Kind, cl.IncidentID, cl.Year, cl.At); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		UPDATE incidents SET coverage = jsonb_set(coverage, '{claim_status}', to_jsonb($3::text))
		WHERE id = $1 AND coverage->>'claim' = $2 AND coverage->>'claim_status' = $4`,
		cl.IncidentID, cl.Kind, aftercare.ClaimAccepted, aftercare.ClaimPending)
	return err
}

// createSuccessor signs the renewal of a contract: the draft prepared as
// its renewal, or a new contract that starts the day after it ends, with
// the same tier, account manager, assets and entitlements (an extended
// warranty moves to the new end), for the years asked or the same length.
// The successor's workflow starts from the outbox.
func createSuccessor(ctx context.Context, tx pgx.Tx, r aftercare.ContractRenewal, at time.Time) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM contracts WHERE renewal_of = $1`, r.ContractID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		id = newID()
		_, err = tx.Exec(ctx, `
			WITH old AS (SELECT * FROM contracts WHERE id = $2),
			term AS (SELECT old.ends_on + 1 AS starts_on,
				CASE WHEN $3 > 0 THEN (old.ends_on + 1 + make_interval(years => $3))::date - 1
				     ELSE (old.ends_on + 1) + (old.ends_on - old.starts_on) END AS ends_on FROM old)
			INSERT INTO contracts (id, number, account_id, tier, status, starts_on, ends_on, account_manager_id,
				credit_percent_per_breach, credit_cap_percent, sla_overrides, renewal_of, created_by)
			SELECT $1, 'CT-' || to_char(term.starts_on, 'YYYY') || '-' || upper(substr(md5($4), 1, 6)), old.account_id,
				old.tier, 'draft', term.starts_on, term.ends_on, old.account_manager_id, old.credit_percent_per_breach,
				old.credit_cap_percent, old.sla_overrides, old.id, NULL
			FROM old, term`, id, r.ContractID, r.Years, id)
		if err != nil {
			return "", err
		}
		if _, err = tx.Exec(ctx, `
			INSERT INTO contract_assets (contract_id, asset_id) SELECT $1, asset_id FROM contract_assets WHERE contract_id = $2;`,
			id, r.ContractID); err != nil {
			return "", err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO entitlements (contract_id, kind, annual_limit, extends_to)
			SELECT $1, e.kind, e.annual_limit, CASE WHEN e.extends_to IS NULL THEN NULL ELSE (SELECT ends_on FROM contracts WHERE id = $1) END
			FROM entitlements e WHERE e.contract_id = $2`, id, r.ContractID)
	}
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `UPDATE contracts SET activated_at = coalesce(activated_at, $2) WHERE id = $1 AND status = 'draft'`,
		id, at); err != nil {
		return "", err
	}
	return id, startContractWorkflow(ctx, tx, id)
}
