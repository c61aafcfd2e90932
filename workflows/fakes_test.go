package workflows_test

import (
	"context"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
)

// fakeSLA is an SLAStore in memory: one platinum P1 incident in UTC whose
// clocks last seconds, unless policyTargets keeps the tier's own targets.
type fakeSLA struct {
	mu          sync.Mutex
	changes     []aftercare.IncidentChange
	escalations []aftercare.EscalationFired
	created     time.Time
	// policyTargets keeps the platinum tier's targets (15 minutes to
	// respond, 4 hours on site, 6 to restore) instead of seconds.
	policyTargets bool
	// notCovered makes the incident's work need a quote.
	notCovered bool
	// account is the incident's account; a fixed one when "".
	account string
	// advanceParts gives the incident's contract advance parts
	// replacement, which dispatches as soon as the clocks start.
	advanceParts bool
}

func (f *fakeSLA) FindSLAFacts(_ context.Context, id string) (*aftercare.SLAFacts, error) {
	account := f.account
	if account == "" {
		account = "00000000-0000-4000-8000-0000000000aa"
	}
	facts := &aftercare.SLAFacts{
		Incident: &aftercare.Incident{ID: id, AccountID: account, Number: 7,
			Tier: aftercare.TierPlatinum, Priority: aftercare.P1, Status: aftercare.StatusNew, CreatedAt: f.created},
		TimeZone:     "Asia/Shanghai",
		Region:       "east",
		AdvanceParts: f.advanceParts,
	}
	if !f.policyTargets {
		facts.Overrides = map[string]string{"P1.response": "3s", "P1.on_site": "20s", "P1.restore": "30s", "P2.on_site": "16s"}
	}
	if f.notCovered {
		facts.Incident.Coverage = &aftercare.Coverage{Tier: aftercare.TierPlatinum,
			Reason: "the damage is not covered by the warranty or the contract"}
	}
	return facts, nil
}

func (f *fakeSLA) RecordIncidentChange(_ context.Context, c aftercare.IncidentChange) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, c)
	return nil
}

func (f *fakeSLA) RecordEscalation(_ context.Context, e aftercare.EscalationFired, _ []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.escalations = append(f.escalations, e)
	return nil
}

// path lists the changes recorded as "kind:status after".
func (f *fakeSLA) path() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.changes {
		out = append(out, c.Kind+":"+string(c.ToStatus))
	}
	return out
}

type noIncidents struct{}

func (noIncidents) MarkWorkflowStarted(context.Context, string) error { return nil }

// fakeDispatch is a dispatch service that gives every incident engineer
// eng-1, or, when skip is set, refuses as a fleet with nobody free does.
type fakeDispatch struct {
	aftercare.DispatchService
	skip bool
}

func (d fakeDispatch) Assign(_ context.Context, incidentID, _, _ string) (*aftercare.Assignment, error) {
	if d.skip {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "no engineer can take the incident (3 off_shift)")
	}
	return &aftercare.Assignment{ID: "asg-" + incidentID, IncidentID: incidentID, EngineerID: "eng-1"}, nil
}

// fakeSurveys is a SurveyStore that sends every survey and counts them.
type fakeSurveys struct {
	mu   sync.Mutex
	sent []string
}

func (s *fakeSurveys) CreateSurvey(_ context.Context, incidentID string, now time.Time) (*aftercare.SurveyOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, incidentID)
	return &aftercare.SurveyOutcome{Survey: &aftercare.Survey{IncidentID: incidentID, SentAt: now,
		ExpiresAt: now.Add(14 * 24 * time.Hour)}}, nil
}

// fakeQuotes is a QuoteExpirer whose incidents each wait on quote q-1,
// which has lapsed.
type fakeQuotes struct{}

func (fakeQuotes) ExpireQuote(_ context.Context, incidentID string) (*aftercare.Quote, error) {
	return &aftercare.Quote{ID: "q-1", IncidentID: incidentID, State: aftercare.QuoteExpired}, nil
}

// fakeContracts is an in-memory ContractStore.
type fakeContracts struct {
	mu       sync.Mutex
	contract aftercare.Contract
	changes  []aftercare.ContractChange
	refused  map[string]string
}

func (f *fakeContracts) LoadContractFacts(context.Context, string) (*aftercare.ContractFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.contract
	return &aftercare.ContractFacts{Contract: &c}, nil
}

func (f *fakeContracts) RecordContractChange(_ context.Context, c aftercare.ContractChange, _ []string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, c)
	return "", nil
}

func (f *fakeContracts) RefuseClaim(_ context.Context, c aftercare.EntitlementClaim, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refused[c.IncidentID] = reason
	return nil
}
