package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
	"github.com/jackc/pgx/v5"
)

// clockRow is one stored clock snapshot with what replaying it needs.
type clockRow struct {
	incidentID, accountID, kind, target, coverage, timeZone, country string
	deadline                                                         *time.Time
	events                                                           []byte
}

const clockSelect = `
	SELECT c.incident_id, i.account_id, c.kind, c.target, c.coverage, c.time_zone, s.country, c.deadline, c.events
	FROM sla_clocks c
	JOIN incidents i ON i.id = c.incident_id
	JOIN sites s ON s.id = i.site_id`

func scanClockRow(row pgx.CollectableRow) (*clockRow, error) {
	var r clockRow
	err := row.Scan(&r.incidentID, &r.accountID, &r.kind, &r.target, &r.coverage, &r.timeZone, &r.country,
		&r.deadline, &r.events)
	return &r, err
}

// FindSLAClocks returns the clocks of an incident the caller may see, each
// recomputed from its events as it stands at now.
func (s *SLAService) FindSLAClocks(ctx context.Context, incidentID string, now time.Time) (_ []*aftercare.SLAClock, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindSLAClocks(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return nil, nil
	}
	var f filter
	f.add("c.incident_id = ?", incidentID)
	f.addScope(ctx, scopeIncidents)
	rows, err := s.db.pool.Query(ctx, clockSelect+f.where()+
		" ORDER BY array_position(ARRAY['response', 'on_site', 'restore'], c.kind)", f.args...)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, scanClockRow)
	if err != nil {
		return nil, err
	}
	return s.clocksAt(ctx, found, now)
}

// clocksAt recomputes stored clocks at now, with the holidays of their
// countries read in one query.
func (s *SLAService) clocksAt(ctx context.Context, rows []*clockRow, now time.Time) ([]*aftercare.SLAClock, error) {
	out := make([]*aftercare.SLAClock, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	countries := make([]string, 0, 1)
	for _, r := range rows {
		if !slices.Contains(countries, r.country) {
			countries = append(countries, r.country)
		}
	}
	days, err := findHolidaysOf(ctx, s.db.pool, countries)
	if err != nil {
		return nil, err
	}
	holidays := make(map[string]sla.HolidaySet, len(countries))
	for _, country := range countries {
		if holidays[country], err = holidaySet(days[country]); err != nil {
			return nil, err
		}
	}
	for _, r := range rows {
		c, err := clockAt(r, holidays[r.country], now)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// holidaySet turns stored holidays into package sla's set.
func holidaySet(days []aftercare.Holiday) (sla.HolidaySet, error) {
	special := make([]aftercare.SpecialDay, len(days))
	for i, h := range days {
		special[i] = h.SpecialDay
	}
	return sla.NewHolidaySet(special)
}

// clockAt replays a stored clock's events and reads it at now.
func clockAt(r *clockRow, holidays sla.HolidaySet, now time.Time) (*aftercare.SLAClock, error) {
	loc, err := time.LoadLocation(r.timeZone)
	if err != nil {
		return nil, fmt.Errorf("clock %s of incident %s: time zone %q: %w", r.kind, r.incidentID, r.timeZone, err)
	}
	var events []aftercare.ClockEvent
	if err := json.Unmarshal(r.events, &events); err != nil {
		return nil, fmt.Errorf("clock %s of incident %s: events: %w", r.kind, r.incidentID, err)
	}
	c, err := sla.Replay(aftercare.ClockKind(r.kind), loc, holidays, events)
	if err != nil {
		return nil, fmt.Errorf("clock %s of incident %s: %w", r.kind, r.incidentID, err)
	}
	out := &aftercare.SLAClock{
		IncidentID: r.incidentID, AccountID: r.accountID, Kind: c.Kind(), Target: c.Terms().Target,
		Coverage: c.Terms().Coverage, TimeZone: r.timeZone, StartedAt: c.Start(),
		Budget: c.Budget(), Elapsed: c.Elapsed(now), Remaining: c.Remaining(now),
		State: c.State(now), AsOf: now,
	}
	if d := c.Deadline(); !d.IsZero() {
		out.Deadline = &d
	}
	if st := c.Stop(); !st.IsZero() {
		out.StoppedAt = &st
	}
	for _, p := range c.Pauses() {
		sp := aftercare.SLAPause{From: p.From, Reason: p.Reason, PausedBy: p.PausedBy, ResumedBy: p.ResumedBy}
		if !p.To.IsZero() {
			to := p.To
			sp.To = &to
		}
		out.Pauses = append(out.Pauses, sp)
	}
	return out, nil
}

// FindEscalations returns the escalations an incident's clocks fired, in
// the order they fired, if the caller may see the incident.
func (s *SLAService) FindEscalations(ctx context.Context, incidentID string) (_ []*aftercare.Escalation, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindEscalations(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return nil, nil
	}
	var f filter
	f.add("x.incident_id = ?", incidentID)
	f.addScope(ctx, scopeIncidents)
	rows, err := s.db.pool.Query(ctx, escalationSelect+f.where()+` ORDER BY x.fired_at, x.clock, x.level`, f.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEscalation)
}

const escalationSelect = `
	SELECT x.incident_id, x.clock, x.level, x.percent, x.actions, x.due_at, x.fired_at,
		x.service_credit_percent::float8
	FROM escalations x JOIN incidents i ON i.id = x.incident_id`

func scanEscalation(row pgx.CollectableRow) (*aftercare.Escalation, error) {
	var e aftercare.Escalation
	err := row.Scan(&e.IncidentID, &e.Clock, &e.Level, &e.Percent, &e.Actions, &e.DueAt, &e.FiredAt, &e.ServiceCredit)
	return &e, err
}

// FindSLAClocksOfIncidents returns the clocks of each incident the caller
// may see, as FindSLAClocks, in one query for the clocks and one for their
// countries' holidays.
func (s *SLAService) FindSLAClocksOfIncidents(ctx context.Context, incidentIDs []string, now time.Time) (_ [][]*aftercare.SLAClock, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindSLAClocksOfIncidents(ctx, %d IDs)", len(incidentIDs)))
	var f filter
	f.addScope(ctx, scopeIncidents)
	found, err := findAnyOf(ctx, s.db.pool, clockSelect, &f, "c.incident_id", incidentIDs,
		"c.incident_id, array_position(ARRAY['response', 'on_site', 'restore'], c.kind)", scanClockRow)
	if err != nil {
		return nil, err
	}
	clocks, err := s.clocksAt(ctx, found, now)
	if err != nil {
		return nil, err
	}
	return groupBy(incidentIDs, clocks, func(c *aftercare.SLAClock) string { return c.IncidentID }, nil), nil
}

// FindEscalationsOfIncidents returns the escalations of each incident the
// caller may see, as FindEscalations, in one query.
func (s *SLAService) FindEscalationsOfIncidents(ctx context.Context, incidentIDs []string) (_ [][]*aftercare.Escalation, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindEscalationsOfIncidents(ctx, %d IDs)", len(incidentIDs)))
	var f filter
	f.addScope(ctx, scopeIncidents)
	found, err := findAnyOf(ctx, s.db.pool, escalationSelect, &f, "x.incident_id", incidentIDs, "x.fired_at, x.clock, x.level",
		scanEscalation)
	if err != nil {
		return nil, err
	}
	return groupBy(incidentIDs, found, func(e *aftercare.Escalation) string { return e.IncidentID }, nil), nil
}

// FindBreaches returns a page of the clocks the caller may see that are
// breached at now (stopped late, or still going past their deadline),
// latest deadline first.
func (s *SLAService) FindBreaches(ctx context.Context, bf aftercare.BreachFilter, now time.Time) (_ []*aftercare.SLAClock, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "SLAService.FindBreaches")
	limit, err := bf.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	var f filter
	f.add("c.deadline IS NOT NULL AND (c.state = 'breached' OR (c.stopped_at IS NULL AND c.deadline < ?))", now)
	if bf.OpenOnly {
		f.conds = append(f.conds, "c.stopped_at IS NULL")
	}
	if !f.addID("i.account_id", bf.AccountID) {
		return nil, aftercare.PageInfo{}, nil
	}
	if bf.Clock != "" {
		f.add("c.kind = ?", bf.Clock)
	}
	if bf.Priority != "" {
		f.add("i.priority = ?", bf.Priority)
	}
	if bf.Tier != "" {
		f.add("i.tier = ?", bf.Tier)
	}
	if bf.Since != nil {
		f.add("c.deadline >= ?", *bf.Since)
	}
	if bf.Until != nil {
		f.add("c.deadline <= ?", *bf.Until)
	}
	after, err := decodeCursor(bf.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		nanos, rest, _ := strings.Cut(after, "|")
		id, kind, _ := strings.Cut(rest, "|")
		n, err := strconv.ParseInt(nanos, 10, 64)
		if err != nil || !validID(id) {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "cursor %q is not valid", bf.Page.After)
		}
		f.add("(c.deadline, c.incident_id, c.kind) < (?, ?::uuid, ?)", time.Unix(0, n))
		f.args = append(f.args, id, kind)
		f.conds[len(f.conds)-1] = replacePlaceholder(replacePlaceholder(f.conds[len(f.conds)-1], len(f.args)-1), len(f.args))
	}
	f.addScope(ctx, scopeIncidents)
	rows, err := s.db.pool.Query(ctx, clockSelect+f.where()+
		" ORDER BY c.deadline DESC, c.incident_id DESC, c.kind DESC LIMIT "+f.arg(limit+1), f.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, err := pgx.CollectRows(rows, scanClockRow)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, info := pageOf(found, limit, func(r *clockRow) string {
		return strconv.FormatInt(r.deadline.UnixNano(), 10) + "|" + r.incidentID + "|" + r.kind
	})
	clocks, err := s.clocksAt(ctx, found, now)
	return clocks, info, err
}
