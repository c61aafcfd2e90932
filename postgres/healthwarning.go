package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/risk"
	"github.com/jackc/pgx/v5"
)

// scopeWarnings: a warning is seen by whoever sees its asset's account, or
// its site's region.
var scopeWarnings = scopeRule{
	account: "w.account_id = ANY(?::uuid[])",
	region:  "EXISTS (SELECT 1 FROM assets ra JOIN sites rs ON rs.id = ra.site_id WHERE ra.id = w.asset_id AND rs.region = ANY(?::text[]))",
}

const warningSelect = `
	SELECT w.id, w.asset_id, a.serial_number, w.account_id, w.kind, w.slot, w.score, w.reasons,
		coalesce(w.part_id::text, ''), coalesce(p.fru, ''), coalesce(w.incident_id::text, ''), w.state, w.raised_at,
		w.resolved_at, w.dismissed_at, coalesce(w.dismissed_by::text, ''), coalesce(w.dismiss_reason, '')
	FROM health_warnings w JOIN assets a ON a.id = w.asset_id LEFT JOIN parts p ON p.id = w.part_id`

func scanWarning(row pgx.CollectableRow) (*aftercare.HealthWarning, error) {
	var w aftercare.HealthWarning
	var score float32
	err := row.Scan(&w.ID, &w.AssetID, &w.SerialNumber, &w.AccountID, &w.Kind, &w.Slot, &score, &w.Reasons, &w.PartID,
		&w.FRU, &w.IncidentID, &w.State, &w.RaisedAt, &w.ResolvedAt, &w.DismissedAt, &w.DismissedBy, &w.DismissReason)
	w.Score = float64(score)
	return &w, err
}

// raiseWarning records a component at risk, unless it has a warning open
// (then it returns nil: the unique index on open warnings holds concurrent
// batches to one), or within HealthDismissalQuiet corporate IT dismissed
// one or cancelled the incident one filed. It names
// the part that replaces the component, files the proactive incident where
// the asset's contract monitors, and notifies the account's corporate IT.
func raiseWarning(ctx context.Context, tx pgx.Tx, asset *healthAsset, k componentKey, a risk.Assessment, fru string) (*aftercare.HealthWarning, error) {
	partID, fru, err := replacementPart(ctx, tx, asset.productLine, k.kind, fru)
	if err != nil {
		return nil, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO health_warnings (asset_id, account_id, kind, slot, score, reasons, part_id)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE NOT EXISTS (SELECT 1 FROM health_warnings d WHERE d.asset_id = $1 AND d.kind = $3 AND d.slot = $4
			AND ((d.state = 'dismissed' AND d.dismissed_at > now() - $8::interval)
				OR (d.state = 'resolved' AND d.resolved_at > now() - $8::interval
					AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = d.incident_id AND i.status = 'cancelled'))))
		ON CONFLICT (asset_id, kind, slot) WHERE state = 'open' DO NOTHING
		RETURNING id`,
		asset.id, asset.accountID, k.kind, k.slot, float32(a.Score), a.Explain(), partID,
		aftercare.HealthDismissalQuiet).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if asset.monitored {
		if err := fileProactiveIncident(ctx, tx, asset, k, a, id, fru); err != nil {
			return nil, err
		}
	}
	if err := notifyWarning(ctx, tx, id); err != nil {
		return nil, err
	}
	w, err := findWarning(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return w, writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "health_warning.raise", "health_warning",
		strconv.FormatInt(id, 10), nil, w)
}

// replacementPart returns the catalogue part that replaces a component of
// an asset of the product line: the one the device named when it fits,
// else the cheapest fitting part of that kind; "" when none fits.
func replacementPart(ctx context.Context, tx pgx.Tx, productLine string, kind aftercare.ComponentKind, fru string) (*string, string, error) {
	var id, found string
	err := tx.QueryRow(ctx, `
		SELECT p.id, p.fru FROM parts p JOIN part_product_lines pl ON pl.part_id = p.id AND pl.product_line = $1
		WHERE p.component = $2
		ORDER BY p.fru = $3 DESC, p.unit_price, p.fru LIMIT 1`, productLine, kind, fru).Scan(&id, &found)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return &id, found, nil
}

// fileProactiveIncident files the incident of a new warning through the
// same path as corporate IT's filing (coverage, workflow outbox, audit),
// with the part named so that dispatch sends it ahead. Its client request
// ID is the warning's, so it is filed once.
func fileProactiveIncident(ctx context.Context, tx pgx.Tx, asset *healthAsset, k componentKey, a risk.Assessment, warningID int64, fru string) error {
	contact, err := warningContact(ctx, tx, asset.accountID)
	if err != nil {
		return err
	}
	create := aftercare.IncidentCreate{
		SerialNumber: asset.serial,
		Priority:     aftercare.P3,
		Category:     aftercare.CategoryPredictedFailure,
		Symptoms: fmt.Sprintf("Predicted %s failure (slot %d), risk %.2f: %s. Filed by proactive monitoring.",
			k.kind, k.slot, a.Score, a.Explain()),
		Contact:         contact,
		ClientRequestID: "health-warning-" + strconv.FormatInt(warningID, 10),
	}
	if fru != "" {
		create.Parts = []aftercare.PartRequest{{FRU: fru, Quantity: 1}}
	}
	create.Normalize()
	if err := create.Validate(); err != nil {
		return err
	}
	inc, err := createIncident(ctx, tx, create, aftercare.UserFromContext(ctx))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE health_warnings SET incident_id = $2 WHERE id = $1`, warningID, inc.ID)
	return err
}

// warningContact is who a proactive incident names as its contact: the
// account's corporate IT, the reporting user first when it is one of them,
// else the reporting user (an administrator reporting for the account).
func warningContact(ctx context.Context, tx pgx.Tx, accountID string) (aftercare.Contact, error) {
	var c aftercare.Contact
	err := tx.QueryRow(ctx, `
		SELECT display_name, email FROM users
		WHERE disabled_at IS NULL AND ((account_id = $1 AND role = 'customer_it') OR id = $2::uuid)
		ORDER BY account_id IS NOT DISTINCT FROM $1 DESC, id = $2::uuid DESC, created_at, id LIMIT 1`,
		accountID, nullableID(aftercare.UserIDFromContext(ctx))).Scan(&c.Name, &c.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return aftercare.Contact{}, aftercare.Errorf(aftercare.ECONFLICT,
			"the account has no corporate IT user to name as the contact of a proactive incident")
	}
	return c, err
}

// nullableID is id, or nil when it could not name a row.
func nullableID(id string) any {
	if validID(id) {
		return id
	}
	return nil
}

// notifyWarning tells the account's corporate IT users of a warning, one
// notification each, and the webhooks.
func notifyWarning(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `
		WITH w AS (
			SELECT w.*, a.serial_number FROM health_warnings w JOIN assets a ON a.id = w.asset_id WHERE w.id = $1),
		sent AS (
			INSERT INTO notifications (kind, health_warning_id, incident_id, recipient, user_id, email, name, reason,
				actions, created_at)
			SELECT 'health_warning', w.id, w.incident_id, 'user:' || u.id, u.id, u.email, u.display_name, 'customer_it',
				'{}', now()
			FROM w JOIN users u ON u.account_id = w.account_id AND u.role = 'customer_it' AND u.disabled_at IS NULL
			ORDER BY u.display_name, u.id
			RETURNING id, user_id, name, email)
		INSERT INTO outbox (topic, key, payload)
		SELECT 'notification.broadcast', 'health-warning:' || w.id, jsonb_build_object('key', 'health-warning:' || w.id,
			'body', jsonb_build_object('kind', 'health.warning', 'warning_id', w.id, 'serial_number', w.serial_number,
				'account_id', w.account_id, 'component', w.kind, 'slot', w.slot, 'score', w.score, 'reasons', w.reasons,
				'incident_id', w.incident_id, 'at', w.raised_at,
				'recipients', (SELECT coalesce(jsonb_agg(jsonb_build_object('notification_id', id, 'reason', 'customer_it',
					'user_id', user_id, 'name', name, 'email', email) ORDER BY id), '[]') FROM sent)))
		FROM w
		ON CONFLICT (topic, key) DO NOTHING`, id)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `SELECT pg_notify('aftercare_outbox', 'notification.webhook')`)
	return err
}

func findWarning(ctx context.Context, q querier, id int64) (*aftercare.HealthWarning, error) {
	rows, err := q.Query(ctx, warningSelect+` WHERE w.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectExactlyOneRow(rows, scanWarning)
}

// FindHealthWarning returns a warning of an asset in the caller's scope,
// or ENOTFOUND.
func (s *HealthService) FindHealthWarning(ctx context.Context, id int64) (_ *aftercare.HealthWarning, err error) {
	defer wrap(&err, fmt.Sprintf("HealthService.FindHealthWarning(ctx, %d)", id))
	var q filter
	q.add("w.id = ?", id)
	q.addScope(ctx, scopeWarnings)
	rows, err := s.db.pool.Query(ctx, warningSelect+q.where(), q.args...)
	if err != nil {
		return nil, err
	}
	w, err := pgx.CollectExactlyOneRow(rows, scanWarning)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "health warning %d not found", id)
	}
	return w, err
}

// FindHealthWarnings returns a page of the warnings of assets in the
// caller's scope, newest first.
func (s *HealthService) FindHealthWarnings(ctx context.Context, f aftercare.HealthWarningFilter) (_ []*aftercare.HealthWarning, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "HealthService.FindHealthWarnings")
	limit, err := f.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	var q filter
	switch f.State {
	case "":
	case aftercare.WarningOpen, aftercare.WarningResolved, aftercare.WarningDismissed:
		q.add("w.state = ?", f.State)
	default:
		return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "state %q is not known", f.State)
	}
	if serial := strings.ToUpper(strings.TrimSpace(f.SerialNumber)); serial != "" {
		q.add("a.serial_number = ?", serial)
	}
	q.addScope(ctx, scopeWarnings)
	after, err := decodeCursor(f.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "cursor %q is not valid", f.Page.After)
		}
		q.add("w.id < ?", n)
	}
	rows, err := s.db.pool.Query(ctx, warningSelect+q.where()+" ORDER BY w.id DESC LIMIT "+q.arg(limit+1), q.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, err := pgx.CollectRows(rows, scanWarning)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, info := pageOf(found, limit, func(w *aftercare.HealthWarning) string { return strconv.FormatInt(w.ID, 10) })
	return found, info, nil
}

// DismissHealthWarning dismisses an open warning of an asset in the
// caller's scope with a reason: ENOTFOUND outside it, ECONFLICT once it is
// no longer open. The incident it filed, if any, stays for corporate IT to
// cancel or let run.
func (s *HealthService) DismissHealthWarning(ctx context.Context, d aftercare.HealthWarningDismissal) (_ *aftercare.HealthWarning, err error) {
	defer wrap(&err, fmt.Sprintf("HealthService.DismissHealthWarning(ctx, %d)", d.WarningID))
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var w *aftercare.HealthWarning
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var q filter
		q.add("w.id = ?", d.WarningID)
		q.addScope(ctx, scopeWarnings)
		rows, err := tx.Query(ctx, warningSelect+q.where()+" FOR UPDATE OF w", q.args...)
		if err != nil {
			return err
		}
		before, err := pgx.CollectExactlyOneRow(rows, scanWarning)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "health warning %d not found", d.WarningID)
		}
		if err != nil {
			return err
		}
		if before.State != aftercare.WarningOpen {
			return aftercare.Errorf(aftercare.ECONFLICT, "health warning %d is %s, not open", d.WarningID, before.State)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE health_warnings SET state = 'dismissed', dismissed_at = now(), dismissed_by = $2, dismiss_reason = $3
			WHERE id = $1`, d.WarningID, nullableID(aftercare.UserIDFromContext(ctx)), d.Reason); err != nil {
			return err
		}
		if w, err = findWarning(ctx, tx, d.WarningID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "health_warning.dismiss", "health_warning",
			strconv.FormatInt(d.WarningID, 10), before, w)
	})
	return w, err
}

// FindAssetRisk assesses each component of an asset in the caller's scope
// from its readings over HealthAssessmentWindow before its newest.
func (s *HealthService) FindAssetRisk(ctx context.Context, serial string) (_ []*aftercare.ComponentRisk, err error) {
	defer wrap(&err, fmt.Sprintf("HealthService.FindAssetRisk(ctx, %q)", serial))
	var q filter
	q.add("a.serial_number = ?", strings.ToUpper(strings.TrimSpace(serial)))
	q.addScope(ctx, scopeAssets)
	var assetID string
	if err := s.db.pool.QueryRow(ctx, `SELECT a.id FROM assets a`+q.where(), q.args...).Scan(&assetID); errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "no asset has serial number %q", serial)
	} else if err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `
		WITH newest AS (
			SELECT kind, slot, max(taken_at) AS at FROM health_readings
			WHERE asset_id = $1 AND taken_at >= $2 GROUP BY kind, slot)
		SELECT r.kind, r.slot, `+readingColumns+`
		FROM health_readings r JOIN newest n ON n.kind = r.kind AND n.slot = r.slot
		WHERE r.asset_id = $1 AND r.taken_at >= $2 AND r.taken_at >= n.at - $3::interval
		ORDER BY r.kind, r.slot, r.taken_at`,
		assetID, time.Now().Add(-aftercare.HealthReadingWindow-aftercare.HealthAssessmentWindow), aftercare.HealthAssessmentWindow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*aftercare.ComponentRisk
	var readings []rawReading
	flush := func() {
		if len(out) > 0 {
			c := out[len(out)-1]
			a := risk.Assess(risk.Kind(c.Kind), fillGaps(readings))
			c.Score, c.Reasons, c.Readings, c.LastTakenAt = a.Score, a.Explain(), len(readings), readings[len(readings)-1].at
		}
		readings = readings[:0]
	}
	for rows.Next() {
		var kind aftercare.ComponentKind
		var slot int
		var r rawReading
		if err := rows.Scan(append([]any{&kind, &slot}, r.dest()...)...); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Kind != kind || out[len(out)-1].Slot != slot {
			flush()
			out = append(out, &aftercare.ComponentRisk{Kind: kind, Slot: slot})
		}
		readings = append(readings, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}
