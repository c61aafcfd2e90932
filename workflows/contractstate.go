package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
)

// ContractState is a contract as its workflow holds it: the terms, whether
// it was signed, the counters of the current contract year and the claims
// behind them, the reminders sent, and a renewal's successor. It is carried
// across continue-as-new.
type ContractState struct {
	Contract aftercare.Contract
	Signed   bool
	// Year is the contract year the counters are for, 0 for the first.
	Year int
	// Used counts the claims of Year by entitlement.
	Used map[aftercare.EntitlementKind]int
	// Claims are the claims counted in Year and the year before, by
	// claimKey, so that a repeated claim is answered as the first was.
	Claims map[string]int
	// Reminded are the reminder levels handled for the current end date, in
	// days before it: sent, or passed while the workflow was away; Sent are
	// those sent.
	Reminded    []int
	Sent        []int
	SuccessorID string
	// Ended says the workflow's work is done: the contract expired, was
	// cancelled, or reached the end of a renewed term.
	Ended bool
}

// contractStep is one thing the passing of time does to a contract.
type contractStep struct {
	Kind     string
	From, To aftercare.ContractStatus
	Reminder *aftercare.ContractReminder
}

// newContractState builds a workflow's state from what the database holds.
func newContractState(f aftercare.ContractFacts, today time.Time) ContractState {
	c := *f.Contract
	s := ContractState{Contract: c, Signed: c.ActivatedAt != nil, Used: map[aftercare.EntitlementKind]int{},
		Claims: map[string]int{}, Reminded: slices.Clone(f.RemindersSent), Sent: slices.Clone(f.RemindersSent),
		SuccessorID: f.SuccessorID}
	s.Year = max(0, contractYear(c, today))
	for _, cl := range f.Claims {
		if cl.Year == s.Year {
			s.Used[cl.Kind]++
		}
		if cl.Year >= s.Year-1 {
			s.Claims[claimKey(cl.EntitlementClaim)] = cl.Year
		}
	}
	switch c.Status {
	case aftercare.ContractExpired, aftercare.ContractCancelled:
		s.Ended = true
	}
	return s
}

// claimKey identifies a claim: one per incident and entitlement.
func claimKey(c aftercare.EntitlementClaim) string {
	return c.IncidentID + ":" + string(c.Kind)
}

// contractYear returns the contract year of a day.
func contractYear(c aftercare.Contract, today time.Time) int {
	y, _, _ := aftercare.ContractYear(c.StartsOn, today)
	return y
}

// day returns the calendar day of t in UTC, the calendar contracts run on.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// inForce reports whether the contract covers today: signed into force and
// within its term.
func (s *ContractState) inForce(today time.Time) bool {
	switch s.Contract.Status {
	case aftercare.ContractActive, aftercare.ContractExpiring, aftercare.ContractRenewed:
		return !today.Before(s.Contract.StartsOn) && !today.After(s.Contract.EndsOn)
	}
	return false
}

// due returns the steps that have fallen due by today, in order, and
// applies them to the state: a signed draft becomes active on its start
// date; an active contract becomes expiring at the first reminder, and each
// reminder level is sent once (when the workflow was away past several,
// only the latest is sent); at the end date the contract expires, or a
// renewed one ends.
func (s *ContractState) due(today time.Time) []contractStep {
	var steps []contractStep
	c := &s.Contract
	if s.Ended {
		return nil
	}
	move := func(kind string, to aftercare.ContractStatus, r *aftercare.ContractReminder) {
		steps = append(steps, contractStep{Kind: kind, From: c.Status, To: to, Reminder: r})
		c.Status = to
	}
	if today.After(c.EndsOn) {
		switch c.Status {
		case aftercare.ContractRenewed:
			steps = append(steps, contractStep{Kind: "ended", From: c.Status, To: c.Status})
		default:
			move("expired", aftercare.ContractExpired, nil)
		}
		s.Ended = true
		return steps
	}
	if c.Status == aftercare.ContractDraft && s.Signed && !today.Before(c.StartsOn) {
		move("activated", aftercare.ContractActive, nil)
	}
	if c.Status != aftercare.ContractActive && c.Status != aftercare.ContractExpiring {
		return steps
	}
	latest := 0
	for _, d := range aftercare.ReminderDays {
		if !today.Before(c.EndsOn.AddDate(0, 0, -d)) && !slices.Contains(s.Reminded, d) {
			latest = d // ReminderDays runs from the earliest level to the latest
		}
	}
	if latest == 0 {
		return steps
	}
	for _, d := range aftercare.ReminderDays {
		if d >= latest && !slices.Contains(s.Reminded, d) {
			s.Reminded = append(s.Reminded, d)
		}
	}
	s.Sent = append(s.Sent, latest)
	r := &aftercare.ContractReminder{DaysBefore: latest, DueOn: c.EndsOn.AddDate(0, 0, -latest), EndsOn: c.EndsOn}
	if c.Status == aftercare.ContractActive {
		move("expiring", aftercare.ContractExpiring, r)
	} else {
		steps = append(steps, contractStep{Kind: "reminder", From: c.Status, To: c.Status, Reminder: r})
	}
	return steps
}

// nextWake returns the next day on which time changes something: a signed
// draft's start, the next reminder, the day after the end, or the next
// contract year, whichever comes first.
func (s *ContractState) nextWake(today time.Time) time.Time {
	c := s.Contract
	next := c.EndsOn.AddDate(0, 0, 1)
	earlier := func(t time.Time) {
		if t.After(today) && t.Before(next) {
			next = t
		}
	}
	if c.Status == aftercare.ContractDraft && s.Signed {
		earlier(c.StartsOn)
	}
	if c.Status == aftercare.ContractActive || c.Status == aftercare.ContractExpiring {
		for _, d := range aftercare.ReminderDays {
			if !slices.Contains(s.Reminded, d) {
				earlier(c.EndsOn.AddDate(0, 0, -d))
			}
		}
	}
	if s.inForce(today) {
		_, _, resets := aftercare.ContractYear(c.StartsOn, today)
		earlier(resets)
	}
	return next
}

// rollYear starts a new contract year when today is in one: the counters
// reset, and claims older than the year before are forgotten. It reports
// whether the year changed.
func (s *ContractState) rollYear(today time.Time) bool {
	y := contractYear(s.Contract, today)
	if y <= s.Year {
		return false
	}
	s.Year = y
	s.Used = map[aftercare.EntitlementKind]int{}
	for k, year := range s.Claims {
		if year < y-1 {
			delete(s.Claims, k)
		}
	}
	return true
}

// used returns the claims of an entitlement counted in today's contract
// year.
func (s *ContractState) used(k aftercare.EntitlementKind, today time.Time) int {
	if contractYear(s.Contract, today) > s.Year {
		return 0 // a new year the main loop has not rolled into yet
	}
	return s.Used[k]
}

// checkClaim says whether a claim may be counted: a claim already counted
// is answered again (counted is false then); otherwise the contract must
// be in force, carry the entitlement, and have claims left this year.
func (s *ContractState) checkClaim(c aftercare.EntitlementClaim, today time.Time) (counted bool, err error) {
	k := s.Contract
	switch {
	case c.ContractID != k.ID:
		return false, aftercare.Errorf(aftercare.EINVALID, "the claim is for contract %q, not %s", c.ContractID, k.Number)
	case c.IncidentID == "" || !c.Kind.Valid():
		return false, aftercare.Errorf(aftercare.EINVALID, "a claim names an incident and a known entitlement")
	}
	if _, ok := s.Claims[claimKey(c)]; ok {
		return true, nil
	}
	if !s.inForce(today) {
		return false, aftercare.Errorf(aftercare.ECONFLICT, "contract %s is not in force on %s (it is %s, %s to %s)",
			k.Number, today.Format(time.DateOnly), k.Status, k.StartsOn.Format(time.DateOnly), k.EndsOn.Format(time.DateOnly))
	}
	i := slices.IndexFunc(k.Entitlements, func(e aftercare.Entitlement) bool { return e.Kind == c.Kind })
	if i < 0 {
		return false, aftercare.Errorf(aftercare.ECONFLICT, "contract %s does not include %s", k.Number, aftercare.EntitlementLabel(c.Kind))
	}
	if limit := k.Entitlements[i].AnnualLimit; limit > 0 && s.used(c.Kind, today) >= limit {
		_, _, resets := aftercare.ContractYear(k.StartsOn, today)
		return false, aftercare.Errorf(aftercare.ECONFLICT, "%s", aftercare.LimitReason(c.Kind, s.used(c.Kind, today), limit, resets))
	}
	return false, nil
}

// checkAction says whether a user's action may apply to the contract now.
func (s *ContractState) checkAction(action string, today time.Time) error {
	k := s.Contract
	refuse := func(format string, args ...any) error {
		return aftercare.Errorf(aftercare.ECONFLICT, "cannot %s contract %s: %s", action, k.Number, fmt.Sprintf(format, args...))
	}
	switch {
	case s.Ended || k.Status == aftercare.ContractCancelled || k.Status == aftercare.ContractExpired:
		return refuse("it is %s", k.Status)
	case action == ActionActivateContract && k.Status != aftercare.ContractDraft:
		return refuse("it is %s; only a draft can be activated", k.Status)
	case action == ActionActivateContract && s.Signed:
		return refuse("it is already activated and becomes active on %s", k.StartsOn.Format(time.DateOnly))
	case action == ActionActivateContract && today.After(k.EndsOn):
		return refuse("its term ended on %s", k.EndsOn.Format(time.DateOnly))
	case action == ActionRenewContract && k.Status == aftercare.ContractRenewed:
		return refuse("it is already renewed")
	case action == ActionRenewContract && k.Status != aftercare.ContractActive && k.Status != aftercare.ContractExpiring:
		return refuse("it is %s; only an active or expiring contract can be renewed", k.Status)
	}
	return nil
}

// usage is the contract's live state for the contract query.
func (s *ContractState) usage(today time.Time) aftercare.ContractUsage {
	k := s.Contract
	u := aftercare.ContractUsage{ContractID: k.ID, Status: k.Status, Activated: s.Signed,
		RemindersSent: slices.Clone(s.Sent), SuccessorID: s.SuccessorID}
	if today.Before(k.StartsOn) {
		today = k.StartsOn // before the term, its first year
	}
	u.Year, u.YearStartsOn, u.ResetsOn = aftercare.ContractYear(k.StartsOn, today)
	for _, e := range k.Entitlements {
		u.Entitlements = append(u.Entitlements, aftercare.EntitlementUsage{Kind: e.Kind, AnnualLimit: e.AnnualLimit,
			Used: s.used(e.Kind, today)})
	}
	slices.Sort(u.RemindersSent)
	slices.Reverse(u.RemindersSent)
	return u
}
