package postgres

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// IncidentService files and finds incidents.
type IncidentService struct {
	db *DB
}

var _ aftercare.IncidentService = (*IncidentService)(nil)

// NewIncidentService returns an IncidentService backed by db.
func NewIncidentService(db *DB) *IncidentService {
	return &IncidentService{db: db}
}

// CreateIncident files an incident and, in the same transaction, the outbox
// message that starts its workflow, so an accepted incident always gets its
// workflow even if the process dies right after the commit.
func (s *IncidentService) CreateIncident(ctx context.Context, create aftercare.IncidentCreate) (_ *aftercare.Incident, err error) {
	defer wrap(&err, fmt.Sprintf("IncidentService.CreateIncident(ctx, %q)", create.ClientRequestID))
	create.Normalize()
	if err := create.Validate(); err != nil {
		return nil, err
	}
	var inc *aftercare.Incident
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		inc, err = createIncident(ctx, tx, create, aftercare.UserFromContext(ctx))
		return err
	})
	return inc, err
}

// intakeAsset is what filing needs to know about the failed device.
type intakeAsset struct {
	id, accountID, siteID string
	region                string // the site's
	contractID            *string
	tier                  aftercare.Tier
}

func createIncident(ctx context.Context, tx pgx.Tx, create aftercare.IncidentCreate, actor *aftercare.User) (*aftercare.Incident, error) {
	asset, err := findIntakeAsset(ctx, tx, create.SerialNumber)
	if err != nil {
		return nil, err
	}
	coverage, err := decideCoverage(ctx, tx, asset.id, asset.contractID, create.Category, create.Symptoms, create.Parts)
	if err != nil {
		return nil, err
	}
	id := newID()
	var actorID *string
	if actor != nil {
		actorID = &actor.ID
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO incidents (id, account_id, site_id, asset_id, contract_id, tier, priority, category, symptoms,
			status, contact_name, contact_email, contact_phone, client_request_id, created_by, workflow_id, coverage)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (account_id, client_request_id) DO NOTHING`,
		id, asset.accountID, asset.siteID, asset.id, asset.contractID, asset.tier, create.Priority, create.Category,
		create.Symptoms, create.Contact.Name, create.Contact.Email, create.Contact.Phone, create.ClientRequestID,
		actorID, aftercare.IncidentWorkflowID(id), storeCoverage(coverage))
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return findRepeatedIncident(ctx, tx, asset, create)
	}
	if err := insertIncidentParts(ctx, tx, id, create.Parts); err != nil {
		return nil, err
	}
	inc, err := findIncidentByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(aftercare.IncidentIntake{IncidentID: id, Number: inc.Number, AccountID: inc.AccountID,
		Tier: inc.Tier, Priority: inc.Priority, Status: inc.Status, Region: asset.region})
	if err != nil {
		return nil, err
	}
	// The rest are writes whose results nobody reads: one round trip.
	var p pipeline
	p.Exec(ctx, `
		INSERT INTO incident_events (incident_id, kind, to_status, actor_id, data)
		VALUES ($1, 'created', 'new', $2, $3)`,
		id, actorID, map[string]any{"priority": inc.Priority, "tier": inc.Tier})
	p.Exec(ctx, `INSERT INTO outbox (topic, key, payload, trace_context) VALUES ($1, $2, $3, $4)`,
		aftercare.OutboxTopicIncidentWorkflow, id, payload, outboxTrace(ctx))
	if err := writeAudit(ctx, &p, actor, "incident.create", "incident", id, nil, inc); err != nil {
		return nil, err
	}
	if err := notifyOutbox(ctx, &p, aftercare.OutboxTopicIncidentWorkflow); err != nil {
		return nil, err
	}
	if err := writeClaim(ctx, &p, inc); err != nil {
		return nil, err
	}
	return inc, p.send(ctx, tx)
}

// findIntakeAsset finds the asset behind a serial number and the contract
// that covers it today in the site's time zone, if any. An asset outside the
// caller's scope (another company's serial number) is as unknown as a
// made-up one.
func findIntakeAsset(ctx context.Context, tx pgx.Tx, serial string) (*intakeAsset, error) {
	var a intakeAsset
	var tier *string
	var q filter
	q.add("a.serial_number = ?", serial)
	q.addScope(ctx, scopeAssets)
	err := tx.QueryRow(ctx, `
		SELECT a.id, a.account_id, a.site_id, s.region, c.id, c.tier
		FROM assets a
		JOIN sites s ON s.id = a.site_id
		LEFT JOIN LATERAL (
			SELECT c.id, c.tier FROM contracts c
			JOIN contract_assets ca ON ca.contract_id = c.id AND ca.asset_id = a.id
			WHERE c.status IN ('active', 'expiring', 'renewed')
			  AND (now() AT TIME ZONE s.time_zone)::date BETWEEN c.starts_on AND c.ends_on
			ORDER BY CASE c.tier WHEN 'platinum' THEN 1 WHEN 'premium' THEN 2 ELSE 3 END, c.number
			LIMIT 1) c ON true`+q.where(), q.args...).Scan(&a.id, &a.accountID, &a.siteID, &a.region, &a.contractID, &tier)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "no asset has serial number %q", serial)
	}
	if err != nil {
		return nil, err
	}
	a.tier = aftercare.TierStandard
	if tier != nil {
		a.tier = aftercare.Tier(*tier)
	}
	return &a, nil
}

// findRepeatedIncident returns the incident an earlier request with the same
// client request ID created, or ECONFLICT if that request asked for
// something else.
func findRepeatedIncident(ctx context.Context, tx pgx.Tx, asset *intakeAsset, create aftercare.IncidentCreate) (*aftercare.Incident, error) {
	var id string
	if err := tx.QueryRow(ctx, `SELECT id FROM incidents WHERE account_id = $1 AND client_request_id = $2`,
		asset.accountID, create.ClientRequestID).Scan(&id); err != nil {
		return nil, err
	}
	inc, err := findIncidentByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if inc.AssetID != asset.id || inc.Priority != create.Priority || inc.Category != create.Category ||
		inc.Symptoms != create.Symptoms || inc.Contact != create.Contact {
		return nil, aftercare.Errorf(aftercare.ECONFLICT,
			"client request ID %q was already used for a different incident", create.ClientRequestID)
	}
	return inc, nil
}

// FindIncidentByID returns the incident with the given ID, or ENOTFOUND.
func (s *IncidentService) FindIncidentByID(ctx context.Context, id string) (_ *aftercare.Incident, err error) {
	defer wrap(&err, fmt.Sprintf("IncidentService.FindIncidentByID(ctx, %q)", id))
	return findIncidentByID(ctx, s.db.pool, id)
}

// FindIncidents returns a page of incidents, newest first.
func (s *IncidentService) FindIncidents(ctx context.Context, f aftercare.IncidentFilter) (_ []*aftercare.Incident, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "IncidentService.FindIncidents")
	limit, err := f.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	var q filter
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "status %q is not known", f.Status)
		}
		q.add("i.status = ?", f.Status)
	}
	if f.Priority != "" {
		if !f.Priority.Valid() {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "priority %q is not one of P1, P2, P3, P4", f.Priority)
		}
		q.add("i.priority = ?", f.Priority)
	}
	if f.AccountID != "" {
		if !validID(f.AccountID) {
			return nil, aftercare.PageInfo{}, nil
		}
		q.add("i.account_id = ?", f.AccountID)
	}
	after, err := decodeCursor(f.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "cursor %q is not valid", f.Page.After)
		}
		q.add("i.number < ?", n)
	}
	q.addScope(ctx, scopeIncidents)
	rows, err := s.db.pool.Query(ctx, incidentSelect+q.where()+" ORDER BY i.number DESC LIMIT "+q.arg(limit+1), q.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	incs, err := pgx.CollectRows(rows, scanIncident)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	incs, info := pageOf(incs, limit, func(i *aftercare.Incident) string { return strconv.FormatInt(i.Number, 10) })
	return incs, info, nil
}

const incidentSelect = `
	SELECT i.id, i.number, i.account_id, i.site_id, i.asset_id, coalesce(i.contract_id::text, ''), i.tier,
		i.priority, i.category, i.symptoms, i.status, i.contact_name, i.contact_email, i.contact_phone,
		i.client_request_id, coalesce(i.created_by::text, ''), i.created_at, i.updated_at, i.workflow_id,
		i.workflow_started_at, i.min_level, i.coverage,
		coalesce((SELECT jsonb_agg(jsonb_build_object('part', ip.part_id, 'quantity', ip.quantity) ORDER BY ip.part_id)
			FROM incident_parts ip WHERE ip.incident_id = i.id), '[]')
	FROM incidents i`

func findIncidentByID(ctx context.Context, q querier, id string) (*aftercare.Incident, error) {
	return findOne(ctx, q, incidentSelect, "i.id", "incident", id, &scopeIncidents, scanIncident)
}

// FindIncidentsByIDs returns the incidents with the given IDs in one
// query, in the order of ids, nil for each FindIncidentByID would not
// find.
func (s *IncidentService) FindIncidentsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Incident, err error) {
	defer wrap(&err, fmt.Sprintf("IncidentService.FindIncidentsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, incidentSelect, "i.id", ids, &scopeIncidents, scanIncident,
		func(i *aftercare.Incident) string { return i.ID })
}

func scanIncident(row pgx.CollectableRow) (*aftercare.Incident, error) {
	var i aftercare.Incident
	var parts []struct {
		Part     string `json:"part"`
		Quantity int    `json:"quantity"`
	}
	var coverage storedCoverage
	err := row.Scan(&i.ID, &i.Number, &i.AccountID, &i.SiteID, &i.AssetID, &i.ContractID, &i.Tier, &i.Priority,
		&i.Category, &i.Symptoms, &i.Status, &i.Contact.Name, &i.Contact.Email, &i.Contact.Phone,
		&i.ClientRequestID, &i.CreatedBy, &i.CreatedAt, &i.UpdatedAt, &i.WorkflowID, &i.WorkflowStartedAt,
		&i.MinLevel, &coverage, &parts)
	for _, p := range parts {
		i.NeededParts = append(i.NeededParts, aftercare.PartNeed{PartID: p.Part, Quantity: p.Quantity})
	}
	i.Coverage = coverage.coverage()
	return &i, err
}

// SetIncidentNeeds sets the level and the parts an incident in the caller's
// scope needs, replacing the parts it had, with an audit event.
func (s *IncidentService) SetIncidentNeeds(ctx context.Context, n aftercare.IncidentNeeds) (_ *aftercare.Incident, err error) {
	defer wrap(&err, fmt.Sprintf("IncidentService.SetIncidentNeeds(ctx, %q)", n.IncidentID))
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var inc *aftercare.Incident
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findIncidentByID(ctx, tx, n.IncidentID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET min_level = $2, updated_at = now() WHERE id = $1`, n.IncidentID, n.MinLevel); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM incident_parts WHERE incident_id = $1`, n.IncidentID); err != nil {
			return err
		}
		if err := insertIncidentParts(ctx, tx, n.IncidentID, n.Parts); err != nil {
			return err
		}
		if inc, err = findIncidentByID(ctx, tx, n.IncidentID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "incident.set_needs", "incident", n.IncidentID, before, inc)
	})
	return inc, err
}

// insertIncidentParts records the parts an incident needs, by FRU number.
func insertIncidentParts(ctx context.Context, tx pgx.Tx, incidentID string, parts []aftercare.PartRequest) error {
	for _, p := range parts {
		tag, err := tx.Exec(ctx, `
			INSERT INTO incident_parts (incident_id, part_id, quantity)
			SELECT $1, id, $3 FROM parts WHERE fru = $2`, incidentID, strings.ToUpper(strings.TrimSpace(p.FRU)), p.Quantity)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return aftercare.Errorf(aftercare.EINVALID, "no part has FRU number %q", p.FRU)
		}
	}
	return nil
}

// MarkWorkflowStarted records that the incident's workflow runs. Only the
// first call has an effect, so a retried activity is harmless.
func (s *IncidentService) MarkWorkflowStarted(ctx context.Context, incidentID string) (err error) {
	defer wrap(&err, fmt.Sprintf("IncidentService.MarkWorkflowStarted(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", incidentID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE incidents SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL`, incidentID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO incident_events (incident_id, kind, idempotency_key) VALUES ($1, 'workflow_started', $2)`,
			incidentID, "workflow_started:"+incidentID)
		return err
	})
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand.Read never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
