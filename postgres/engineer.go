package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// EngineerService finds field engineers.
type EngineerService struct {
	db *DB
}

var _ aftercare.EngineerService = (*EngineerService)(nil)

// NewEngineerService returns an EngineerService backed by db.
func NewEngineerService(db *DB) *EngineerService {
	return &EngineerService{db: db}
}

// engineerColumns are the columns scanEngineer reads, from engineers e.
const engineerColumns = `e.id, e.code, e.name, e.region, e.home_depot_id, e.tier_clearance, e.capacity, e.time_zone,
		e.shifts, e.lat, e.lng, e.located_at, e.provider_id, coalesce(e.user_id::text, ''),
		coalesce((SELECT jsonb_agg(jsonb_build_object('line', s.product_line, 'level', s.level, 'expires', s.expires_on)
			ORDER BY s.product_line) FROM engineer_skills s WHERE s.engineer_id = e.id), '[]')`

const engineerSelect = `SELECT ` + engineerColumns + ` FROM engineers e`

// shiftJSON is how a shift window is stored: {"day": 1, "start": "08:00", "end": "20:00"}.
type shiftJSON struct {
	Day   time.Weekday `json:"day"`
	Start string       `json:"start"`
	End   string       `json:"end"`
}

func scanEngineer(row pgx.CollectableRow) (*aftercare.Engineer, error) {
	return scanEngineerWith(row)
}

// scanEngineerWith scans engineerColumns and then the extra columns after
// them into extra.
func scanEngineerWith(row pgx.CollectableRow, extra ...any) (*aftercare.Engineer, error) {
	var e aftercare.Engineer
	var shifts []shiftJSON
	var skills []struct {
		Line    string  `json:"line"`
		Level   int     `json:"level"`
		Expires *string `json:"expires"`
	}
	dest := append([]any{&e.ID, &e.Code, &e.Name, &e.Region, &e.HomeDepotID, &e.TierClearance, &e.Capacity,
		&e.TimeZone, &shifts, &e.Lat, &e.Lng, &e.LocatedAt, &e.ProviderID, &e.UserID, &skills}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	for _, s := range shifts {
		start, err := clockTime(s.Start)
		if err != nil {
			return nil, err
		}
		end, err := clockTime(s.End)
		if err != nil {
			return nil, err
		}
		e.Shifts = append(e.Shifts, aftercare.ShiftWindow{Day: s.Day, Start: start, End: end})
	}
	for _, s := range skills {
		skill := aftercare.Skill{ProductLine: s.Line, Level: s.Level}
		if s.Expires != nil {
			on, err := time.Parse(time.DateOnly, *s.Expires)
			if err != nil {
				return nil, err
			}
			skill.ExpiresOn = &on
		}
		e.Skills = append(e.Skills, skill)
	}
	return &e, nil
}

// clockTime parses a stored shift time, "HH:MM" up to "24:00", as a
// duration since midnight.
func clockTime(s string) (time.Duration, error) {
	return aftercare.ParseTimeOfDay("shift", s)
}

// FindEngineerByID returns the engineer with the given ID, or ENOTFOUND.
func (s *EngineerService) FindEngineerByID(ctx context.Context, id string) (_ *aftercare.Engineer, err error) {
	defer wrap(&err, fmt.Sprintf("EngineerService.FindEngineerByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, engineerSelect, "e.id", "engineer", id, &scopeEngineers, scanEngineer)
}

// FindEngineers returns a page of engineers ordered by code.
func (s *EngineerService) FindEngineers(ctx context.Context, f aftercare.EngineerFilter) (_ []*aftercare.Engineer, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "EngineerService.FindEngineers")
	var q filter
	if f.Region != "" {
		q.add("e.region = ?", f.Region)
	}
	if f.ProductLine != "" {
		q.add("EXISTS (SELECT 1 FROM engineer_skills s WHERE s.engineer_id = e.id AND s.product_line = ?)", f.ProductLine)
	}
	if !q.addID("e.provider_id", f.ProviderID) {
		return nil, aftercare.PageInfo{}, nil
	}
	q.addScope(ctx, scopeEngineers)
	return findPage(ctx, s.db.pool, engineerSelect, &q, "e.code", f.Page, scanEngineer,
		func(e *aftercare.Engineer) string { return e.Code })
}

// FindEngineersByIDs returns the engineers with the given IDs in one
// query, in the order of ids, nil for each FindEngineerByID would not
// find.
func (s *EngineerService) FindEngineersByIDs(ctx context.Context, ids []string) (_ []*aftercare.Engineer, err error) {
	defer wrap(&err, fmt.Sprintf("EngineerService.FindEngineersByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, engineerSelect, "e.id", ids, &scopeEngineers, scanEngineer,
		func(e *aftercare.Engineer) string { return e.ID })
}

// FindEngineersOfProviders returns the same page of the engineers of each
// provider, as FindEngineers by provider, in one query.
func (s *EngineerService) FindEngineersOfProviders(ctx context.Context, providerIDs []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.Engineer], err error) {
	defer wrap(&err, fmt.Sprintf("EngineerService.FindEngineersOfProviders(ctx, %d IDs)", len(providerIDs)))
	var q filter
	q.addScope(ctx, scopeEngineers)
	return findPagesOf(ctx, s.db.pool, engineerSelect, &q, "e.provider_id = p.id", providerIDs, "e.code", page, scanEngineer,
		func(e *aftercare.Engineer) string { return e.Code })
}
