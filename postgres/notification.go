package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// NotificationService reads users' notifications and keeps the regions'
// duty managers.
type NotificationService struct {
	db *DB
}

var _ aftercare.NotificationService = (*NotificationService)(nil)

// NewNotificationService returns a NotificationService backed by db.
func NewNotificationService(db *DB) *NotificationService {
	return &NotificationService{db: db}
}

// routeNotifications is the routing of DESIGN.md §6 in one statement: it
// writes one notification per recipient the level's actions ($5) name, in
// the order of the ladder's roles, and returns them. A recipient named by
// two actions is notified once, for the first. Parameters: incident, clock,
// level, percent, actions, fired at.
const routeNotifications = `
	WITH inc AS (
		SELECT i.id, i.account_id, i.contract_id, i.contact_name, i.contact_email, s.region
		FROM incidents i JOIN sites s ON s.id = i.site_id WHERE i.id = $1),
	staff AS (
		SELECT id, email, display_name AS name, role FROM users WHERE disabled_at IS NULL),
	duty AS (
		SELECT u.* FROM inc JOIN duty_managers d ON d.region = inc.region JOIN staff u ON u.id = d.user_id),
	contract_manager AS (
		SELECT u.* FROM inc JOIN contracts c ON c.id = inc.contract_id JOIN staff u ON u.id = c.account_manager_id),
	routed (ord, reason, user_id, email, name) AS (
		SELECT 1, 'assigned_engineer', u.id, u.email, u.name
		FROM inc JOIN assignments a ON a.incident_id = inc.id AND a.state IN ('proposed', 'accepted', 'en_route', 'on_site')
		JOIN engineers e ON e.id = a.engineer_id JOIN staff u ON u.id = e.user_id
		WHERE 'warn_engineer' = ANY($5)
		UNION ALL
		SELECT 2, 'dispatcher', u.id, u.email, u.name
		FROM inc JOIN casbin_rule g ON g.ptype = 'g' AND g.v1 = 'dispatcher' AND g.v2 = 'region:' || inc.region
		JOIN staff u ON 'user:' || u.id = g.v0
		WHERE 'warn_dispatcher' = ANY($5)
		UNION ALL
		SELECT 3, 'duty_manager', id, email, name FROM duty WHERE 'escalate_duty_manager' = ANY($5)
		UNION ALL
		SELECT 3, 'duty_manager', id, email, name FROM staff
		WHERE 'escalate_duty_manager' = ANY($5) AND role = 'service_director' AND NOT EXISTS (SELECT 1 FROM duty)
		UNION ALL
		SELECT 4, 'account_manager', id, email, name FROM contract_manager WHERE 'notify_account_manager' = ANY($5)
		UNION ALL
		SELECT 4, 'account_manager', u.id, u.email, u.name
		FROM inc JOIN casbin_rule g ON g.ptype = 'g' AND g.v1 = 'account_manager' AND g.v2 = 'account:' || inc.account_id
		JOIN staff u ON 'user:' || u.id = g.v0
		WHERE 'notify_account_manager' = ANY($5) AND NOT EXISTS (SELECT 1 FROM contract_manager)
		UNION ALL
		SELECT 5, 'service_director', id, email, name FROM staff WHERE 'breach' = ANY($5) AND role = 'service_director'
		UNION ALL
		SELECT 6, 'customer_contact',
			(SELECT u.id FROM users u WHERE u.account_id = inc.account_id AND u.disabled_at IS NULL
				AND lower(u.email) = lower(inc.contact_email) ORDER BY u.id LIMIT 1),
			inc.contact_email, inc.contact_name
		FROM inc WHERE 'breach' = ANY($5) AND inc.contact_email <> ''),
	keyed AS (
		SELECT DISTINCT ON (recipient) ord, reason, user_id, email, name, recipient
		FROM (SELECT r.*, coalesce('user:' || r.user_id, 'email:' || lower(r.email)) AS recipient FROM routed r) x
		ORDER BY recipient, ord)
	INSERT INTO notifications (incident_id, clock, level, percent, recipient, user_id, email, name, reason, actions, created_at)
	SELECT $1, $2, $3, $4, recipient, user_id, email, name, reason, $5, $6 FROM keyed ORDER BY ord, name, recipient
	ON CONFLICT (incident_id, clock, level, recipient) DO NOTHING
	RETURNING id, recipient, coalesce(user_id::text, ''), email, name, reason`

// actionNames returns escalation actions as the text array columns hold
// them.
func actionNames(actions []aftercare.EscalationAction) []string {
	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = string(a)
	}
	return names
}

// queueRecipients queues the routing of a fired escalation to its
// recipients, once per recipient, and collects into *out those it wrote.
func queueRecipients(b *pgx.Batch, e aftercare.Escalation, out *[]*aftercare.Notification) {
	b.Queue(routeNotifications, e.IncidentID, e.Clock, e.Level, e.Percent, actionNames(e.Actions), e.FiredAt).
		Query(func(rows pgx.Rows) error {
			sent, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.Notification, error) {
				n := aftercare.Notification{Kind: aftercare.NotificationEscalation, IncidentID: e.IncidentID, Clock: e.Clock, Level: e.Level, Percent: e.Percent,
					Actions: e.Actions, CreatedAt: e.FiredAt}
				err := row.Scan(&n.ID, &n.Recipient, &n.UserID, &n.Email, &n.Name, &n.Reason)
				return &n, err
			})
			if err != nil {
				return fmt.Errorf("route notifications: %w", err)
			}
			*out = sent
			return nil
		})
}

// FindNotifications returns every notification of an incident, in the order
// they were written; for tests and operators, unscoped.
func (s *NotificationService) FindNotifications(ctx context.Context, incidentID string) (_ []*aftercare.Notification, err error) {
	defer wrap(&err, fmt.Sprintf("NotificationService.FindNotifications(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return nil, nil
	}
	rows, err := s.db.pool.Query(ctx, notificationSelect+` WHERE n.incident_id = $1 ORDER BY n.id`, incidentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanNotification)
}

const notificationSelect = `
	SELECT n.id, n.kind, coalesce(n.incident_id::text, ''), coalesce(n.clock, ''), coalesce(n.level, 0),
		coalesce(n.percent, 0), n.recipient, coalesce(n.user_id::text, ''), n.email, n.name, n.reason, n.actions,
		n.created_at, a.stock_id, a.crossing, coalesce(a.movement_id, 0), st.part_id, p.fru, st.depot_id, a.available,
		a.reorder_point, a.at, coalesce(n.health_warning_id, 0)
	FROM notifications n
	LEFT JOIN stock_alerts a ON a.stock_id = n.stock_id AND a.crossing = n.stock_crossing
	LEFT JOIN stock st ON st.id = a.stock_id
	LEFT JOIN parts p ON p.id = st.part_id`

func scanNotification(row pgx.CollectableRow) (*aftercare.Notification, error) {
	var n aftercare.Notification
	var stockID *int64
	var crossing, available, point *int
	var movementID int64
	var partID, fru, depotID *string
	var at *time.Time
	err := row.Scan(&n.ID, &n.Kind, &n.IncidentID, &n.Clock, &n.Level, &n.Percent, &n.Recipient, &n.UserID, &n.Email,
		&n.Name, &n.Reason, &n.Actions, &n.CreatedAt, &stockID, &crossing, &movementID, &partID, &fru, &depotID,
		&available, &point, &at, &n.HealthWarningID)
	if err == nil && stockID != nil {
		n.Stock = &aftercare.StockAlert{StockID: *stockID, Crossing: *crossing, MovementID: movementID, PartID: *partID,
			FRU: *fru, DepotID: *depotID, Available: *available, ReorderPoint: *point, At: *at}
	}
	return &n, err
}

// FindMyNotifications returns a page of the calling user's notifications,
// newest first. Without a signed-in user there are none.
func (s *NotificationService) FindMyNotifications(ctx context.Context, page aftercare.PageRequest) (_ []*aftercare.Notification, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "NotificationService.FindMyNotifications")
	limit, err := page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	me := aftercare.UserIDFromContext(ctx)
	if !validID(me) {
		return nil, aftercare.PageInfo{}, nil
	}
	var q filter
	q.add("n.user_id = ?", me)
	after, err := decodeCursor(page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "cursor %q is not valid", page.After)
		}
		q.add("n.id < ?", n)
	}
	rows, err := s.db.pool.Query(ctx, notificationSelect+q.where()+" ORDER BY n.id DESC LIMIT "+q.arg(limit+1), q.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, info := pageOf(found, limit, func(n *aftercare.Notification) string { return strconv.FormatInt(n.ID, 10) })
	return found, info, nil
}

// FindDutyManagers returns the duty manager of every region that has one.
func (s *NotificationService) FindDutyManagers(ctx context.Context) (_ []*aftercare.DutyManager, err error) {
	defer wrap(&err, "NotificationService.FindDutyManagers")
	rows, err := s.db.pool.Query(ctx, `SELECT region, user_id::text, updated_at FROM duty_managers ORDER BY region`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.DutyManager, error) {
		var d aftercare.DutyManager
		err := row.Scan(&d.Region, &d.UserID, &d.UpdatedAt)
		return &d, err
	})
}

// SetDutyManager makes a service director or dispatcher the duty manager of
// a region, or clears the region's when userID is "", and audits the change.
func (s *NotificationService) SetDutyManager(ctx context.Context, region, userID string) (_ *aftercare.DutyManager, err error) {
	defer wrap(&err, fmt.Sprintf("NotificationService.SetDutyManager(ctx, %q, %q)", region, userID))
	if userID != "" && !validID(userID) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "user %q not found", userID)
	}
	d := &aftercare.DutyManager{Region: region, UserID: userID}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, region).Scan(&known); err != nil {
			return err
		}
		if !known {
			return aftercare.Errorf(aftercare.ENOTFOUND, "region %q not found", region)
		}
		if userID != "" {
			var role string
			err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 AND disabled_at IS NULL`, userID).Scan(&role)
			if errors.Is(err, pgx.ErrNoRows) {
				return aftercare.Errorf(aftercare.EINVALID, "user %q not found", userID)
			}
			if err != nil {
				return err
			}
			if role != string(aftercare.RoleServiceDirector) && role != string(aftercare.RoleDispatcher) {
				return aftercare.Errorf(aftercare.EINVALID, "a duty manager must be a service director or a dispatcher, not %s", role)
			}
		}
		var before *string
		err := tx.QueryRow(ctx, `SELECT user_id::text FROM duty_managers WHERE region = $1 FOR UPDATE`, region).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if userID == "" {
			err = tx.QueryRow(ctx, `WITH gone AS (DELETE FROM duty_managers WHERE region = $1) SELECT now()`, region).
				Scan(&d.UpdatedAt)
		} else {
			err = tx.QueryRow(ctx, `
				INSERT INTO duty_managers (region, user_id) VALUES ($1, $2)
				ON CONFLICT (region) DO UPDATE SET user_id = EXCLUDED.user_id, updated_at = now()
				RETURNING updated_at`, region, userID).Scan(&d.UpdatedAt)
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "duty_manager.set", "region", region,
			map[string]any{"duty_manager": before}, map[string]any{"duty_manager": nullID(userID)})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
