package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// FleetRegistry brings engineers, depots and service providers into
// service. Every row it writes is stamped for the fleet's change feed (the
// defaults and triggers of migrations 005, 013 and 016), so the dispatch
// index follows each change on its next read.
type FleetRegistry struct {
	db      *DB
	locator aftercare.RegionLocator
}

var _ aftercare.FleetRegistry = (*FleetRegistry)(nil)

// NewFleetRegistry returns a FleetRegistry backed by db that places new
// and moved depots in regions with locator.
func NewFleetRegistry(db *DB, locator aftercare.RegionLocator) *FleetRegistry {
	return &FleetRegistry{db: db, locator: locator}
}

// homeDepot is what an engineer takes from their home depot.
type homeDepot struct {
	region, zone string
	lat, lng     float64
}

// findHomeDepot returns a depot an engineer may call home, or EINVALID
// naming homeDepotId.
func findHomeDepot(ctx context.Context, tx pgx.Tx, id string) (*homeDepot, error) {
	var d homeDepot
	if !validID(id) {
		return nil, aftercare.InvalidField("homeDepotId", "no depot %q", id)
	}
	err := tx.QueryRow(ctx, `SELECT region, time_zone, lat, lng FROM depots WHERE id = $1`, id).Scan(&d.region, &d.zone, &d.lat, &d.lng)
	if aftercare.ErrorCode(mapError(err)) == aftercare.ENOTFOUND {
		return nil, aftercare.InvalidField("homeDepotId", "no depot %q", id)
	}
	return &d, err
}

// requireProvider returns the provider an engineer is to work for — the
// given one, or the maker's own field service for "" — holding it shared
// until commit so that a change of its status waits (and then stamps the
// engineer) or goes first (and is seen), or EINVALID naming providerId for
// none, ECONFLICT for a terminated one.
func requireProvider(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	sql := `SELECT id::text, code, status FROM service_providers WHERE id::text = $1 FOR SHARE`
	if id == "" {
		sql = `SELECT id::text, code, status FROM service_providers WHERE kind = 'own' AND $1 = '' ORDER BY code LIMIT 1 FOR SHARE`
	}
	var got, code, status string
	err := tx.QueryRow(ctx, sql, id).Scan(&got, &code, &status)
	if aftercare.ErrorCode(mapError(err)) == aftercare.ENOTFOUND {
		return "", aftercare.InvalidField("providerId", "no service provider %q", id)
	}
	if err != nil {
		return "", err
	}
	if aftercare.ProviderStatus(status) == aftercare.ProviderTerminated {
		return "", conflictField("providerId", "service provider %s is terminated", code)
	}
	return got, nil
}

// CreateEngineer brings an engineer into service at their home depot, with
// their skills, and links their login if the input names one.
func (r *FleetRegistry) CreateEngineer(ctx context.Context, in aftercare.EngineerInput) (_ *aftercare.Engineer, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.CreateEngineer(ctx, %q)", in.Code))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var e *aftercare.Engineer
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		depot, err := findHomeDepot(ctx, tx, in.HomeDepotID)
		if err != nil {
			return err
		}
		if in.Region == "" {
			in.Region = depot.region
		}
		if in.TimeZone == "" {
			in.TimeZone = depot.zone
		}
		refs := engineerRefs{code: in.Code, region: in.Region, provider: in.ProviderID, newProvider: true, skills: in.Skills}
		if in.ProviderID, err = checkEngineerRefs(ctx, tx, refs); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO engineers (id, code, name, region, home_depot_id, tier_clearance, capacity, time_zone, shifts,
				lat, lng, provider_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, in.Code, in.Name, in.Region, in.HomeDepotID, in.TierClearance, in.Capacity, in.TimeZone,
			shiftsJSON(in.Shifts), depot.lat, depot.lng, in.ProviderID); err != nil {
			return err
		}
		if err := writeSkills(ctx, tx, id, in.Skills); err != nil {
			return err
		}
		if in.UserID != "" {
			if err := linkEngineerUser(ctx, tx, id, in.UserID); err != nil {
				return err
			}
		}
		if e, err = findOneBy(ctx, tx, engineerSelect, "e.id", "engineer", id, nil, scanEngineer); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "engineer.create", "engineer", id, nil,
			map[string]any{"engineer": e, "user_id": in.UserID})
	})
	return e, err
}

// engineerRefs are what an engineer's row refers to.
type engineerRefs struct {
	code, except string // a code no engineer but except may have; "" checks none
	region       string
	provider     string
	// newProvider asks for the provider to be checked: one the engineer
	// joins, not the one they stay with.
	newProvider bool
	skills      []aftercare.Skill
}

// checkEngineerRefs checks what an engineer's row refers to — a code no
// other engineer has, a region, a provider the engineer joins, the product
// lines of the skills — and returns the provider's ID.
func checkEngineerRefs(ctx context.Context, tx pgx.Tx, refs engineerRefs) (string, error) {
	code, except, region, skills := refs.code, refs.except, refs.region, refs.skills
	if code != "" {
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM engineers WHERE code = $1 AND id::text <> $2)`, code, except)
		if err != nil {
			return "", err
		}
		if taken {
			return "", conflictField("code", "an engineer %s exists already", code)
		}
	}
	if err := requireRegion(ctx, tx, "region", region); err != nil {
		return "", err
	}
	for i, s := range skills {
		if err := requireProductLine(ctx, tx, fmt.Sprintf("skills[%d].productLine", i), s.ProductLine); err != nil {
			return "", err
		}
	}
	if !refs.newProvider {
		return refs.provider, nil
	}
	return requireProvider(ctx, tx, refs.provider)
}

// linkEngineerUser makes a user with the engineer role the engineer's
// login, acting in the engineer's own domain; a login the engineer had
// before no longer acts for them.
func linkEngineerUser(ctx context.Context, tx pgx.Tx, engineerID, userID string) error {
	ok := validID(userID)
	if ok {
		var err error
		if ok, err = exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'engineer')`, userID); err != nil {
			return err
		}
	}
	if !ok {
		return aftercare.InvalidField("userId", "%q is no user with the engineer role", userID)
	}
	linked, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM engineers WHERE user_id = $1 AND id <> $2)`, userID, engineerID)
	if err != nil {
		return err
	}
	if linked {
		return conflictField("userId", "the user is another engineer's login already")
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM casbin_rule r USING engineers e
		WHERE e.id = $1 AND e.user_id <> $2 AND r.ptype = 'g' AND r.v0 = 'user:' || e.user_id AND r.v2 = $3`,
		engineerID, userID, aftercare.DomainEngineerPrefix+engineerID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE engineers SET user_id = $2 WHERE id = $1`, engineerID, userID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, 'engineer', $2) ON CONFLICT DO NOTHING`,
		"user:"+userID, aftercare.DomainEngineerPrefix+engineerID); err != nil {
		return err
	}
	return notifyPolicyChange(ctx, tx)
}

// shiftsJSON writes shift windows as engineers.shifts holds them.
func shiftsJSON(shifts []aftercare.ShiftWindow) []shiftJSON {
	out := make([]shiftJSON, len(shifts))
	for i, w := range shifts {
		out[i] = shiftJSON{Day: w.Day, Start: aftercare.FormatTimeOfDay(w.Start), End: aftercare.FormatTimeOfDay(w.End)}
	}
	return out
}

// writeSkills replaces an engineer's skills. The skills triggers stamp the
// engineer for the fleet feed.
func writeSkills(ctx context.Context, tx pgx.Tx, engineerID string, skills []aftercare.Skill) error {
	type skillJSON struct {
		Line    string  `json:"line"`
		Level   int     `json:"level"`
		Expires *string `json:"expires"`
	}
	rows := make([]skillJSON, len(skills))
	for i, s := range skills {
		rows[i] = skillJSON{Line: s.ProductLine, Level: s.Level}
		if s.ExpiresOn != nil {
			on := s.ExpiresOn.Format(time.DateOnly)
			rows[i].Expires = &on
		}
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM engineer_skills WHERE engineer_id = $1`, engineerID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO engineer_skills (engineer_id, product_line, level, expires_on)
		SELECT $1, s.line, s.level, s.expires FROM jsonb_to_recordset($2::jsonb) AS s (line text, level smallint, expires date)`,
		engineerID, string(body))
	return err
}

// UpdateEngineer changes an engineer. A new home depot brings its region
// along unless the update names one.
func (r *FleetRegistry) UpdateEngineer(ctx context.Context, id string, u aftercare.EngineerUpdate) (_ *aftercare.Engineer, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.UpdateEngineer(ctx, %q)", id))
	var e *aftercare.Engineer
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, engineerSelect, "e.id", "engineer", id, scopeNone, scanEngineer)
		if err != nil {
			return err
		}
		if u.HomeDepotID != nil && u.Region == nil {
			depot, err := findHomeDepot(ctx, tx, *u.HomeDepotID)
			if err != nil {
				return err
			}
			u.Region = &depot.region
		}
		after, err := u.Apply(*before)
		if err != nil {
			return err
		}
		if u.HomeDepotID != nil {
			if _, err := findHomeDepot(ctx, tx, after.HomeDepotID); err != nil {
				return err
			}
		}
		refs := engineerRefs{except: id, region: after.Region, provider: after.ProviderID,
			newProvider: after.ProviderID != before.ProviderID, skills: after.Skills}
		if after.ProviderID, err = checkEngineerRefs(ctx, tx, refs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE engineers SET name = $2, home_depot_id = $3, region = $4, tier_clearance = $5, capacity = $6,
				time_zone = $7, shifts = $8, provider_id = $9
			WHERE id = $1`, id, after.Name, after.HomeDepotID, after.Region, after.TierClearance, after.Capacity,
			after.TimeZone, shiftsJSON(after.Shifts), after.ProviderID); err != nil {
			return err
		}
		if u.Skills != nil {
			if err := writeSkills(ctx, tx, id, after.Skills); err != nil {
				return err
			}
		}
		if u.UserID != nil {
			if err := linkEngineerUser(ctx, tx, id, *u.UserID); err != nil {
				return err
			}
		}
		if e, err = findOneBy(ctx, tx, engineerSelect, "e.id", "engineer", id, nil, scanEngineer); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "engineer.update", "engineer", id, before, e)
	})
	return e, err
}
