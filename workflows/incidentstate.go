package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// SLAInputs is what the incident workflow loads once, at its start, to run
// the incident's clocks: the effective policy (tier defaults with the
// contract's overrides), the site's time zone and holidays.
type SLAInputs struct {
	IncidentID string
	AccountID  string
	Number     int64
	Tier       aftercare.Tier
	Priority   aftercare.Priority
	Status     aftercare.IncidentStatus
	// Region is the service region of the incident's site.
	Region string
	// CreatedAt is the registration instant every clock starts from.
	CreatedAt      time.Time
	TimeZone       string
	Holidays       []aftercare.SpecialDay
	Policy         aftercare.SLAPolicy
	OnSiteEntitled bool
	// AdvanceParts: dispatch (and so the parts) leaves when the incident is
	// filed, before diagnosis.
	AdvanceParts bool
	// NeedsQuote: the work is not covered, so nothing is dispatched before
	// the customer approves a quote.
	NeedsQuote bool
}

// IncidentState is everything the incident workflow knows, carried across
// continue-as-new. Each clock is kept as its events, from which package sla
// recomputes it.
type IncidentState struct {
	Inputs   SLAInputs
	Status   aftercare.IncidentStatus
	Priority aftercare.Priority
	// Held is the status before the incident began to wait on the customer.
	Held   aftercare.IncidentStatus
	Clocks map[aftercare.ClockKind]*ClockRecord
	// Seq numbers the changes recorded to the database; keys and snapshot
	// versions derive from it.
	Seq int64
	// QuoteLapses is when the quote the incident waits on lapses (see
	// watchQuote); zero when it waits on none.
	QuoteLapses time.Time
}

// ClockRecord is one clock's history in the workflow's state.
type ClockRecord struct {
	Events []aftercare.ClockEvent
	// Fired is how many levels of the ladder have fired, lowest first. It
	// counts positions in the incident's own ladder, which recomputing the
	// SLA keeps (see incident.reload).
	Fired int
	// Fires are the instants each fired level was due at and fired at.
	Fires []Fire
}

// Fire is one fired escalation level.
type Fire struct {
	Level   int
	Percent int
	DueAt   time.Time
	FiredAt time.Time
}

// incident is the workflow's live view of its state: the state plus each
// clock rebuilt from its events.
type incident struct {
	IncidentState
	loc      *time.Location
	holidays sla.HolidaySet
	clocks   map[aftercare.ClockKind]*sla.Clock
}

// newIncident rebuilds the live view of a state.
func newIncident(st IncidentState) (*incident, error) {
	loc, err := time.LoadLocation(st.Inputs.TimeZone)
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "site time zone %q: %v", st.Inputs.TimeZone, err)
	}
	holidays, err := sla.NewHolidaySet(st.Inputs.Holidays)
	if err != nil {
		return nil, err
	}
	inc := &incident{IncidentState: st, loc: loc, holidays: holidays, clocks: map[aftercare.ClockKind]*sla.Clock{}}
	if inc.Clocks == nil {
		inc.Clocks = map[aftercare.ClockKind]*ClockRecord{}
	}
	for kind, rec := range inc.Clocks {
		c, err := sla.Replay(kind, loc, holidays, rec.Events)
		if err != nil {
			return nil, err
		}
		inc.clocks[kind] = c
	}
	return inc, nil
}

// apply folds one event into a clock, starting the clock's record on
// aftercare.ClockEventStarted, and keeps the event for the record.
func (inc *incident) apply(kind aftercare.ClockKind, e aftercare.ClockEvent) error {
	c, ok := inc.clocks[kind]
	if !ok {
		var err error
		if c, err = sla.NewClock(kind, inc.loc, inc.holidays); err != nil {
			return err
		}
	}
	if err := c.Apply(e); err != nil {
		return fmt.Errorf("%s clock: %w", kind, err)
	}
	inc.clocks[kind] = c
	rec, ok := inc.Clocks[kind]
	if !ok {
		rec = &ClockRecord{}
		inc.Clocks[kind] = rec
	}
	rec.Events = append(rec.Events, e)
	return nil
}

// going returns the kinds of the clocks that started and have not stopped,
// in the order of aftercare.ClockKinds.
func (inc *incident) going() []aftercare.ClockKind {
	var kinds []aftercare.ClockKind
	for _, k := range aftercare.ClockKinds {
		if c, ok := inc.clocks[k]; ok && c.Stop().IsZero() {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// snapshots returns every started clock as it stands at now.
func (inc *incident) snapshots(now time.Time) []aftercare.ClockSnapshot {
	var out []aftercare.ClockSnapshot
	for _, k := range aftercare.ClockKinds {
		c, ok := inc.clocks[k]
		if !ok {
			continue
		}
		s := aftercare.ClockSnapshot{
			Kind:      k,
			Target:    c.Terms().Target,
			Coverage:  c.Terms().Coverage,
			TimeZone:  inc.Inputs.TimeZone,
			StartedAt: c.Start(),
			Deadline:  timePtr(c.Deadline()),
			StoppedAt: timePtr(c.Stop()),
			Budget:    c.Budget(),
			Paused:    pausedFor(c.Pauses(), now),
			State:     c.State(now),
			Events:    slices.Clone(inc.Clocks[k].Events),
		}
		out = append(out, s)
	}
	return out
}

// pausedFor returns the wall time of pauses up to now.
func pausedFor(pauses []sla.Pause, now time.Time) time.Duration {
	var d time.Duration
	for _, p := range pauses {
		end := p.To
		if end.IsZero() {
			end = now
		}
		if end.After(p.From) {
			d += end.Sub(p.From)
		}
	}
	return d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ClockStatus is one clock as the sla query reports it.
type ClockStatus struct {
	Kind      aftercare.ClockKind
	Target    string
	Coverage  string
	StartedAt time.Time
	Deadline  time.Time
	StoppedAt time.Time
	Budget    time.Duration
	Elapsed   time.Duration
	Remaining time.Duration
	State     aftercare.ClockState
	Pauses    []sla.Pause
	Fires     []Fire
}

// SLAStatus is the answer of the sla query: the incident's status and
// priority and each started clock at the workflow's current time.
type SLAStatus struct {
	Status   aftercare.IncidentStatus
	Priority aftercare.Priority
	AsOf     time.Time
	Clocks   []ClockStatus
}

// status returns the live SLA status at now.
func (inc *incident) status(now time.Time) SLAStatus {
	out := SLAStatus{Status: inc.Status, Priority: inc.Priority, AsOf: now}
	for _, k := range aftercare.ClockKinds {
		c, ok := inc.clocks[k]
		if !ok {
			continue
		}
		out.Clocks = append(out.Clocks, ClockStatus{
			Kind: k, Target: c.Terms().Target.String(), Coverage: string(c.Terms().Coverage),
			StartedAt: c.Start(), Deadline: c.Deadline(), StoppedAt: c.Stop(), Budget: c.Budget(),
			Elapsed: c.Elapsed(now), Remaining: c.Remaining(now), State: c.State(now),
			Pauses: c.Pauses(), Fires: slices.Clone(inc.Clocks[k].Fires),
		})
	}
	return out
}
