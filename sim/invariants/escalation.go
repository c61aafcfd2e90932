package invariants

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// storedClock is one clock of one of the day's incidents, with what
// replaying it needs.
type storedClock struct {
	incidentID, kind, timeZone, country string
	number                              int64
	tier                                aftercare.Tier
	startedAt                           time.Time // the workflow's start, when it loaded its ladder
	events                              []byte
}

// fired is one recorded escalation.
type fired struct {
	incidentID, clock string
	level, percent    int
	dueAt, firedAt    time.Time
}

// escalationKey identifies a level of a clock of an incident.
type escalationKey struct {
	incidentID, clock string
	level             int
}

const (
	escalationsName = "escalations fired exactly when due"
	escalationsRule = "for each clock of the day's incidents, replayed from its events (package sla) with the " +
		"ladder its tier had when the incident's workflow started (tier_policies and their audit events, else " +
		"DESIGN §6's default): every level whose instant came while the clock ran (before it stopped) and at " +
		"least %s before the check has exactly one escalation row; and every row was due when it fired: its " +
		"level is on the ladder with its percentage, and replaying the events up to its fired_at gives the level " +
		"an instant at or before fired_at and before any stop, equal to its due_at (all within %s)"
)

// checkEscalations checks invariant 6: each escalation level fired once
// where it was due, and never where it was not.
func (c *checker) checkEscalations(ctx context.Context) Result {
	rule := fmt.Sprintf(escalationsRule, TimerGrace, FireTolerance)
	clocks, rows, err := c.dayEscalations(ctx)
	if err != nil {
		return failed(escalationsName, rule, err)
	}
	ladders, err := c.loadLadders(ctx)
	if err != nil {
		return failed(escalationsName, rule, err)
	}
	var countries []string
	for _, k := range clocks {
		if !slices.Contains(countries, k.country) {
			countries = append(countries, k.country)
		}
	}
	holidays, err := c.loadHolidays(ctx, countries)
	if err != nil {
		return failed(escalationsName, rule, err)
	}
	recorded := map[escalationKey][]fired{}
	byClock := map[[2]string][]fired{}
	for _, f := range rows {
		k := escalationKey{f.incidentID, f.clock, f.level}
		recorded[k] = append(recorded[k], f)
		byClock[[2]string{f.incidentID, f.clock}] = append(byClock[[2]string{f.incidentID, f.clock}], f)
	}
	var p problems
	var due, repeats, notDue int
	for _, k := range clocks {
		ladder, err := ladders.at(k.tier, k.startedAt)
		if err != nil {
			return failed(escalationsName, rule, err)
		}
		e := clockCheck{clock: k, ladder: ladder, holidays: holidays[k.country], p: &p}
		n, err := e.checkDue(c.now.Add(-TimerGrace), recorded)
		if err != nil {
			p.add("incident #%d's %s clock: %v", k.number, k.kind, err)
			continue
		}
		due += n
		for level := range ladder {
			got := recorded[escalationKey{k.incidentID, k.kind, level + 1}]
			if len(got) > 1 {
				repeats += len(got) - 1
				p.add("incident #%d's %s clock fired level %d %d times", k.number, k.kind, level+1, len(got))
			}
		}
		for _, f := range byClock[[2]string{k.incidentID, k.kind}] {
			if !e.checkFired(f) {
				notDue++
			}
		}
	}
	return p.result(escalationsName, rule, fmt.Sprintf("%d clocks, %d levels due, %d fired, %d repeated, %d not due",
		len(clocks), due, len(rows), repeats, notDue))
}

// dayEscalations reads the clocks of the day's incidents and their
// escalations.
func (c *checker) dayEscalations(ctx context.Context) ([]storedClock, []fired, error) {
	var clocks []storedClock
	var k storedClock
	if err := c.db.Query(ctx, `
		SELECT c.incident_id::text, i.number, i.tier, coalesce(i.workflow_started_at, i.created_at), c.kind,
			c.time_zone, s.country, c.events
		FROM sla_clocks c JOIN incidents i ON i.id = c.incident_id JOIN sites s ON s.id = i.site_id
		WHERE i.created_at >= $1 ORDER BY i.number, c.kind`, []any{c.rec.Since},
		[]any{&k.incidentID, &k.number, &k.tier, &k.startedAt, &k.kind, &k.timeZone, &k.country, &k.events},
		func() error {
			clocks = append(clocks, k)
			k.events = nil
			return nil
		}); err != nil {
		return nil, nil, fmt.Errorf("read the day's clocks: %w", err)
	}
	var rows []fired
	var f fired
	if err := c.db.Query(ctx, `
		SELECT x.incident_id::text, x.clock, x.level, x.percent, x.due_at, x.fired_at
		FROM escalations x JOIN incidents i ON i.id = x.incident_id
		WHERE i.created_at >= $1 ORDER BY x.incident_id, x.clock, x.level`, []any{c.rec.Since},
		[]any{&f.incidentID, &f.clock, &f.level, &f.percent, &f.dueAt, &f.firedAt}, func() error {
			rows = append(rows, f)
			return nil
		}); err != nil {
		return nil, nil, fmt.Errorf("read the day's escalations: %w", err)
	}
	return clocks, rows, nil
}

// clockCheck checks the escalations of one clock.
type clockCheck struct {
	clock    storedClock
	ladder   aftercare.EscalationLadder
	holidays sla.HolidaySet
	p        *problems
}

// replay replays the clock's events at or before until (all of them for
// the zero time), or strictly before it when before is set.
func (e *clockCheck) replay(until time.Time, before bool) (*sla.Clock, error) {
	loc, err := time.LoadLocation(e.clock.timeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", e.clock.timeZone, err)
	}
	var events []aftercare.ClockEvent
	if err := json.Unmarshal(e.clock.events, &events); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	if !until.IsZero() {
		events = slices.DeleteFunc(events, func(ev aftercare.ClockEvent) bool {
			return ev.At.After(until) || (before && !ev.At.Before(until))
		})
	}
	return sla.Replay(aftercare.ClockKind(e.clock.kind), loc, e.holidays, events)
}

// checkDue reports each level that fell due while the clock ran, by the
// deadline, and has no escalation, and returns how many levels fell due.
func (e *clockCheck) checkDue(by time.Time, recorded map[escalationKey][]fired) (int, error) {
	c, err := e.replay(time.Time{}, false)
	if err != nil {
		return 0, err
	}
	due := 0
	for i, at := range c.LadderInstants(e.ladder) {
		if at.IsZero() || at.After(by) {
			continue
		}
		due++
		if len(recorded[escalationKey{e.clock.incidentID, e.clock.kind, i + 1}]) == 0 {
			e.p.add("incident #%d's %s clock: level %d (%d %%) fell due at %s%s and never fired", e.clock.number,
				e.clock.kind, i+1, e.ladder[i].Percent, stamp(at), stoppedSuffix(c.Stop()))
		}
	}
	return due, nil
}

// checkFired reports an escalation that was not due when it fired, and
// returns whether it was.
func (e *clockCheck) checkFired(f fired) bool {
	k := e.clock
	if f.level < 1 || f.level > len(e.ladder) || e.ladder[f.level-1].Percent != f.percent {
		e.p.add("incident #%d's %s clock fired level %d at %d %%, which its ladder %v does not have", k.number, k.kind,
			f.level, f.percent, percents(e.ladder))
		return false
	}
	if f.firedAt.Before(f.dueAt.Add(-FireTolerance)) {
		e.p.add("incident #%d's %s clock fired level %d at %s, before its due time %s", k.number, k.kind, f.level,
			stamp(f.firedAt), stamp(f.dueAt))
		return false
	}
	var instant time.Time
	var stop time.Time
	for _, before := range []bool{false, true} {
		c, err := e.replay(f.firedAt.Add(FireTolerance), before)
		if err != nil {
			e.p.add("incident #%d's %s clock: %v", k.number, k.kind, err)
			return false
		}
		at := c.LadderInstants(e.ladder)[f.level-1]
		stop = c.Stop()
		if !at.IsZero() && !at.After(f.firedAt.Add(FireTolerance)) {
			instant = at
			break
		}
	}
	if instant.IsZero() {
		e.p.add("incident #%d's %s clock fired level %d (%d %%) at %s, when it was not due%s", k.number, k.kind,
			f.level, f.percent, stamp(f.firedAt), stoppedSuffix(stop))
		return false
	}
	if d := instant.Sub(f.dueAt); d > FireTolerance || d < -FireTolerance {
		e.p.add("incident #%d's %s clock fired level %d recorded as due at %s; its events make it due at %s",
			k.number, k.kind, f.level, stamp(f.dueAt), stamp(instant))
	}
	return true
}

// stamp formats an instant for a problem.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// stoppedSuffix says when a clock stopped, if it did.
func stoppedSuffix(stop time.Time) string {
	if stop.IsZero() {
		return ""
	}
	return " (the clock stopped at " + stamp(stop) + ")"
}

// percents lists a ladder's percentages.
func percents(l aftercare.EscalationLadder) []int {
	out := make([]int, len(l))
	for i, lv := range l {
		out[i] = lv.Percent
	}
	return out
}
