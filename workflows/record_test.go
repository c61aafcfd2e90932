package workflows_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

// record makes TestReplayRecordedHistories record every history in
// recordedHistories again before replaying them: each recording runs its
// workflow on the real Temporal test server (AFTERCARE_TEST_TEMPORAL_ADDRESS,
// or the one `make test` starts) with in-memory stores, fetches the run's
// history and writes it to testdata as JSON. Re-record after a deliberate
// change to a workflow, and only then:
//
//	go test ./workflows -run TestReplayRecordedHistories -record
var record = flag.Bool("record", false, "record the workflow histories in testdata again, from runs on the Temporal test server")

// recordHistories runs every recording, about half a minute in all.
func recordHistories(t *testing.T) {
	for _, rec := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"ladder", recordLadder},
		{"repair", recordRepair},
		{"quote expiry", recordQuoteExpiry},
		{"jobs", recordJobs},
		{"contract", recordContract},
	} {
		t.Run("record "+rec.name, rec.run)
	}
}

// recorder runs workflows on the real Temporal server, with a worker of
// its own on a task queue of its own, and writes their histories.
type recorder struct {
	t     *testing.T
	ctx   context.Context
	c     client.Client
	queue string
}

// newRecorder starts a worker whose activities use acts' stores.
func newRecorder(t *testing.T, acts *workflows.Activities) *recorder {
	t.Helper()
	r := &recorder{t: t, ctx: context.Background(), c: workflowstest.MustDial(t), queue: workflowstest.TaskQueue(t)}
	w := workflows.NewWorker(r.c, r.queue, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return r
}

// recordingID returns an incident or contract ID of its own for each
// recording, so that a server that keeps old runs never sees it twice.
func recordingID(prefix string) string {
	return fmt.Sprintf("%s-0000-4000-8000-%012d", prefix, time.Now().UnixNano()%1e12)
}

// startIncident starts the workflow of a new incident.
func (r *recorder) startIncident(in workflows.IncidentInput) client.WorkflowRun {
	r.t.Helper()
	run, err := r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{
		ID: aftercare.IncidentWorkflowID(in.IncidentID), TaskQueue: r.queue,
	}, workflows.IncidentWorkflowName, in)
	require.NoError(r.t, err)
	return run
}

// transition sends one lifecycle action, by the recorder, to an incident's
// workflow and waits for it to complete.
func (r *recorder) transition(workflowID string, action aftercare.LifecycleAction, reason string) error {
	h, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: workflows.UpdateTransition,
		Args:         []any{workflows.TransitionInput{Action: action, Reason: reason, By: "rec"}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(r.ctx, nil)
}

// transitions sends actions one after the other, each without a reason.
func (r *recorder) transitions(workflowID string, actions ...aftercare.LifecycleAction) {
	r.t.Helper()
	for _, a := range actions {
		require.NoError(r.t, r.transition(workflowID, a, ""), a)
	}
}

// awaitStatus waits until the incident's workflow reports status s.
func (r *recorder) awaitStatus(workflowID string, s aftercare.IncidentStatus) {
	r.t.Helper()
	require.Eventually(r.t, func() bool {
		v, err := r.c.QueryWorkflow(r.ctx, workflowID, "", workflows.QuerySLA)
		var st workflows.SLAStatus
		return err == nil && v.Get(&st) == nil && st.Status == s
	}, 10*time.Second, 50*time.Millisecond, "the incident becomes %s", s)
}

// awaitFiled waits until the workflow of a new incident has recorded its
// clocks' start. An action sent before then may be recorded first: the
// start's record does not wait for the workflow's lock.
func (r *recorder) awaitFiled(store *fakeSLA) {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return len(store.path()) > 0 }, 10*time.Second, 20*time.Millisecond)
}

// currentRun returns the ID of the workflow's latest run.
func (r *recorder) currentRun(workflowID string) string {
	r.t.Helper()
	d, err := r.c.DescribeWorkflow(r.ctx, workflowID, "")
	require.NoError(r.t, err)
	return d.WorkflowExecution.RunID
}

// history fetches the whole history of one run.
func (r *recorder) history(workflowID, runID string) *historypb.History {
	r.t.Helper()
	var hist historypb.History
	it := r.c.GetWorkflowHistory(r.ctx, workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(r.t, err)
		hist.Events = append(hist.Events, e)
	}
	return &hist
}

// save writes one run's history to testdata/file.
func (r *recorder) save(workflowID, runID, file string) {
	r.t.Helper()
	hist := r.history(workflowID, runID)
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(r.t, err)
	require.NoError(r.t, os.WriteFile(filepath.Join("testdata", file), append(b, '\n'), 0o644))
	r.t.Logf("recorded %s: %d events", file, len(hist.Events))
}

// recordLadder records incident_ladder.json: seconds-long clocks whose
// ladders fire while the incident is triaged, held for site access,
// reprioritised and cancelled, with nobody free to dispatch.
func recordLadder(t *testing.T) {
	store := &fakeSLA{created: time.Now().UTC()}
	r := newRecorder(t, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{skip: true}})
	run := r.startIncident(workflows.IncidentInput{IncidentID: recordingID("0000cafe")})
	id := run.GetID()
	time.Sleep(4 * time.Second) // the response clock breaches
	r.transitions(id, aftercare.ActionAcknowledge)
	assert.Error(t, r.transition(id, aftercare.ActionRepair, ""), "nobody is on site to repair")
	require.NoError(t, r.transition(id, aftercare.ActionAwaitCustomer, string(aftercare.PauseSiteAccess)))
	time.Sleep(2 * time.Second)
	r.transitions(id, aftercare.ActionCustomerResponded)
	update, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.UpdateTransition, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.TransitionInput{Action: aftercare.ActionChangePriority, Priority: aftercare.P2, By: "rec"}},
	})
	require.NoError(t, err)
	require.NoError(t, update.Get(r.ctx, nil))
	time.Sleep(14 * time.Second) // the on-site clock's levels fire
	require.NoError(t, r.transition(id, aftercare.ActionCancel, "recorded"))
	require.NoError(t, run.Get(r.ctx, nil))
	r.save(id, run.GetRunID(), "incident_ladder.json")

	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "await_customer:awaiting_customer",
		"customer_responded:triaged", "change_priority:triaged", "cancel:cancelled"}, store.path())
	store.mu.Lock()
	defer store.mu.Unlock()
	assert.NotEmpty(t, store.escalations)
}

// recordRepair records incident_repair.json: work that is not covered,
// quoted, approved, dispatched by the workflow, repaired, verified,
// resolved with its survey, and closed.
func recordRepair(t *testing.T) {
	store := &fakeSLA{created: time.Now().UTC(), policyTargets: true, notCovered: true}
	surveys := &fakeSurveys{}
	r := newRecorder(t, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{}, Surveys: surveys})
	run := r.startIncident(workflows.IncidentInput{IncidentID: recordingID("0000beef")})
	id := run.GetID()
	r.awaitFiled(store)
	r.transitions(id, aftercare.ActionAcknowledge, aftercare.ActionQuote)
	require.NoError(t, r.transition(id, aftercare.ActionAwaitCustomer, string(aftercare.PauseQuoteApproval)))
	r.transitions(id, aftercare.ActionCustomerResponded, aftercare.ActionApprove)
	r.awaitStatus(id, aftercare.StatusDispatched) // the workflow dispatches the approved work itself
	r.transitions(id, aftercare.ActionDepart, aftercare.ActionArrive, aftercare.ActionRepair, aftercare.ActionVerify,
		aftercare.ActionResolve, aftercare.ActionClose)
	require.NoError(t, run.Get(r.ctx, nil))
	r.save(id, run.GetRunID(), "incident_repair.json")

	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "quote:quoted", "await_customer:awaiting_customer",
		"customer_responded:quoted", "approve:approved", "dispatch:dispatched", "depart:en_route", "arrive:on_site",
		"repair:repaired", "verify:verified", "resolve:resolved", "close:closed"}, store.path())
	surveys.mu.Lock()
	defer surveys.mu.Unlock()
	assert.Len(t, surveys.sent, 1, "one survey for the resolution")
}

// recordJobs records incident_jobs.json: an engineer's job through its
// incident, named by each action: triage dispatches, the engineer accepts
// and then declines (the update dispatches the next candidate itself), the
// next engineer departs, a dispatcher re-dispatches by hand (the workflow
// dispatches again), the engineer arrives with a location; repaired,
// verified, resolved with its survey, closed.
func recordJobs(t *testing.T) {
	store := &fakeSLA{created: time.Now().UTC(), policyTargets: true}
	r := newRecorder(t, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{},
		Surveys: &fakeSurveys{}})
	run := r.startIncident(workflows.IncidentInput{IncidentID: recordingID("0000d0b5")})
	id := run.GetID()
	r.awaitFiled(store)
	r.transitions(id, aftercare.ActionAcknowledge)
	r.awaitStatus(id, aftercare.StatusDispatched)
	onJob := func(a aftercare.LifecycleAction, edit func(*workflows.TransitionInput)) {
		in := workflows.TransitionInput{Action: a, By: "rec", AssignmentID: "asg-" + id}
		if edit != nil {
			edit(&in)
		}
		h, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateTransition,
			Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		require.NoError(t, h.Get(r.ctx, nil), a)
	}
	onJob(aftercare.ActionAccept, nil)
	onJob(aftercare.ActionDecline, func(in *workflows.TransitionInput) { in.Reason = "van broke down" })
	onJob(aftercare.ActionDepart, nil)
	r.transitions(id, aftercare.ActionDispatch)
	require.Eventually(t, func() bool { return len(store.path()) >= 9 }, 10*time.Second, 20*time.Millisecond,
		"the workflow dispatches again after the re-dispatch")
	onJob(aftercare.ActionArrive, func(in *workflows.TransitionInput) { in.Location = &aftercare.Location{Lat: 31.23, Lng: 121.47} })
	r.transitions(id, aftercare.ActionRepair, aftercare.ActionVerify, aftercare.ActionResolve, aftercare.ActionClose)
	require.NoError(t, run.Get(r.ctx, nil))
	r.save(id, run.GetRunID(), "incident_jobs.json")

	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "accept:dispatched",
		"decline:dispatched", "dispatch:dispatched", "depart:en_route", "dispatch:dispatched", "dispatch:dispatched",
		"arrive:on_site", "repair:repaired", "verify:verified", "resolve:resolved", "close:closed"}, store.path())
}

// recordQuoteExpiry records incident_quote_continued.json, a run that
// sends a quote and continues as new while the customer decides, and
// incident_quote_expired.json, a run that carries the wait on. A quote
// holds for 14 days, longer than a recording can wait, so the run whose
// quote lapses starts from the state the first one carried over with only
// the lapse moved to seconds away.
func recordQuoteExpiry(t *testing.T) {
	store := &fakeSLA{created: time.Now().UTC(), policyTargets: true, notCovered: true}
	r := newRecorder(t, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Quotes: fakeQuotes{}})
	// The history passes 40 events only after the hold: filing and each
	// action add fewer than ten.
	first := r.startIncident(workflows.IncidentInput{IncidentID: recordingID("0000f00d"), ContinueAfter: 40})
	id := first.GetID()
	r.awaitFiled(store)
	r.transitions(id, aftercare.ActionAcknowledge, aftercare.ActionQuote)
	require.NoError(t, r.transition(id, aftercare.ActionAwaitCustomer, string(aftercare.PauseQuoteApproval)))
	require.Equal(t, first.GetRunID(), r.currentRun(id), "the run did not continue before the hold")
	// Recomputing the SLA, as an admin may while the customer decides,
	// grows the history until the run continues as new.
	for i := 0; r.currentRun(id) == first.GetRunID(); i++ {
		require.Less(t, i, 10, "the run continues as new")
		if err := r.transition(id, aftercare.ActionRecomputeSLA, ""); err != nil {
			require.NotEqual(t, first.GetRunID(), r.currentRun(id), "recompute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.save(id, first.GetRunID(), "incident_quote_continued.json")

	second := r.currentRun(id)
	started := r.history(id, second).GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
	var in workflows.IncidentInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &in))
	require.NotNil(t, in.State, "the run carries the incident's state")
	require.Equal(t, aftercare.StatusAwaitingCustomer, in.State.Status)
	require.False(t, in.State.QuoteLapses.IsZero(), "the run carries the wait on the quote")
	require.NoError(t, r.c.TerminateWorkflow(r.ctx, id, second, "recorded; run again with the quote about to lapse"))

	in.State.QuoteLapses = time.Now().Add(2 * time.Second)
	last := r.startIncident(in)
	require.NoError(t, last.Get(r.ctx, nil))
	r.save(id, last.GetRunID(), "incident_quote_expired.json")

	store.mu.Lock()
	defer store.mu.Unlock()
	end := store.changes[len(store.changes)-1]
	assert.Equal(t, aftercare.StatusCancelled, end.ToStatus)
	assert.Equal(t, "quote q-1 expired unanswered after 14 days", end.Reason)
}

// recordContract records contract_history.json: a draft activated 50 days
// before its end, claims counted and refused, a renewal, a cancellation.
func recordContract(t *testing.T) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	id := recordingID("0000feed")
	adp := aftercare.EntitlementAccidentalDamageProtection
	store := &fakeContracts{refused: map[string]string{}, contract: aftercare.Contract{ID: id, Number: "CT-REC-1",
		AccountID: "00000000-0000-4000-8000-0000000000aa",
		Tier:      aftercare.TierPremium, Status: aftercare.ContractDraft, StartsOn: today.AddDate(0, 0, -300),
		EndsOn: today.AddDate(0, 0, 50), Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 2}}}}
	r := newRecorder(t, &workflows.Activities{Contracts: store})
	require.NoError(t, workflows.StartContractWorkflow(r.ctx, r.c, r.queue, &aftercare.Contract{ID: id}))
	act := func(action string, in workflows.ContractActionInput) error {
		in.By = "rec"
		h, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{WorkflowID: aftercare.ContractWorkflowID(id),
			UpdateName: action, Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(r.ctx, nil)
	}
	require.NoError(t, act(workflows.ActionActivateContract, workflows.ContractActionInput{}))
	for _, inc := range []string{"inc-1", "inc-2", "inc-1"} {
		_, err := workflows.ClaimEntitlement(r.ctx, r.c, r.queue, aftercare.EntitlementClaim{ContractID: id, IncidentID: inc, Kind: adp})
		require.NoError(t, err)
	}
	_, err := workflows.ClaimEntitlement(r.ctx, r.c, r.queue, aftercare.EntitlementClaim{ContractID: id, IncidentID: "inc-3", Kind: adp})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	require.NoError(t, act(workflows.ActionRenewContract, workflows.ContractActionInput{Years: 1}))
	require.NoError(t, act(workflows.ActionCancelContract, workflows.ContractActionInput{Reason: "recorded"}))
	run := r.c.GetWorkflow(r.ctx, aftercare.ContractWorkflowID(id), "")
	require.NoError(t, run.Get(r.ctx, nil))
	r.save(run.GetID(), run.GetRunID(), "contract_history.json")

	store.mu.Lock()
	defer store.mu.Unlock()
	var kinds []string
	for _, ch := range store.changes {
		kinds = append(kinds, ch.Kind)
	}
	assert.Equal(t, []string{"activated", "expiring", "claim", "claim", "renewed", "cancelled"}, kinds)
}
