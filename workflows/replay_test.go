package workflows_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// recordedHistories are real server histories of Aftercare's workflows, in
// testdata, each with what it shows happening (as historyFacts names it).
// Together they take the incident through filing, the escalation ladder,
// holds, a priority change, dispatch, a quote sent and approved, a quote
// left to expire, repair, verification, resolution with its survey, and
// continue-as-new, and the contract through its actions and claims.
// record_test.go records them again with -record.
var recordedHistories = []struct {
	file   string
	covers []string
	// searchable is what the history shows of its search attributes, as
	// recorded since ChangeSearchAttributes; its copy in
	// testdataBeforeSearchAttributes shows none.
	searchable []string
}{
	{
		// Clocks of a few seconds that fire their whole ladder (the response
		// clock breaches before triage); nobody can be dispatched, at triage
		// or at the redispatch escalation; a wait on site access, a priority
		// change, an action refused by the validator (which leaves no
		// trace), and a cancellation.
		file: "incident_ladder.json",
		covers: []string{"activity:MarkWorkflowStarted", "activity:LoadSLAInputs", "activity:RecordIncidentChange",
			"activity:RecordEscalation", "activity:DispatchIncident", "transition:acknowledge",
			"transition:await_customer", "transition:customer_responded", "transition:change_priority",
			"transition:cancel", "timer fired", "completed"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareIncidentNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareTier", "search attribute:AftercarePriority",
			"search attribute:AftercareStatus", "search attribute:AftercareRegion"},
	},
	{
		// Work that is not covered, from filing to closing: triage, a quote
		// sent (quoted, then held for the customer's approval), approved,
		// which makes the workflow dispatch by itself; the engineer departs,
		// arrives, repairs; verified, resolved (the survey goes out), closed.
		file: "incident_repair.json",
		covers: []string{"activity:MarkWorkflowStarted", "activity:LoadSLAInputs", "transition:acknowledge",
			"transition:quote", "transition:await_customer", "transition:customer_responded", "transition:approve",
			"activity:DispatchIncident", "transition:depart", "transition:arrive", "transition:repair",
			"transition:verify", "transition:resolve", "activity:CreateSurvey", "transition:close", "completed"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareIncidentNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareTier", "search attribute:AftercarePriority",
			"search attribute:AftercareStatus", "search attribute:AftercareRegion"},
	},
	{
		// An engineer's job through its incident, each action naming it:
		// triage dispatches; the engineer accepts, then declines, and the
		// decline's update dispatches the next candidate itself; the next
		// engineer departs; a re-dispatch by hand, after which the workflow
		// dispatches again; the arrival with the engineer's location;
		// repaired, verified, resolved (the survey goes out), closed.
		file: "incident_jobs.json",
		covers: []string{"transition:acknowledge", "activity:DispatchIncident", "transition:accept",
			"transition:decline", "transition:depart", "transition:dispatch", "transition:arrive",
			"transition:resolve", "activity:CreateSurvey", "transition:close", "completed"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareIncidentNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareTier", "search attribute:AftercarePriority",
			"search attribute:AftercareStatus", "search attribute:AftercareRegion"},
	},
	{
		// A quote sent and held for approval, the SLA recomputed while the
		// customer decides, until the history is long enough for the run to
		// continue as new, carrying the wait on the quote.
		file: "incident_quote_continued.json",
		covers: []string{"activity:MarkWorkflowStarted", "transition:acknowledge", "transition:quote",
			"transition:await_customer", "transition:recompute_sla", "continued as new"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareIncidentNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareTier", "search attribute:AftercarePriority",
			"search attribute:AftercareStatus", "search attribute:AftercareRegion"},
	},
	{
		// The run that carries an unanswered quote on, started from that
		// state with the quote lapsing seconds later: it fires, the quote
		// expires and the incident is cancelled.
		file: "incident_quote_expired.json",
		covers: []string{"started from carried state", "timer fired", "activity:ExpireQuote",
			"activity:RecordIncidentChange", "completed"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareIncidentNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareTier", "search attribute:AftercarePriority",
			"search attribute:AftercareStatus", "search attribute:AftercareRegion"},
	},
	{
		// A draft contract activated 50 days before its end (active, then
		// expiring with the 60-day reminder), claims counted (one twice, one
		// refused by the validator), a renewal and a cancellation.
		file: "contract_history.json",
		covers: []string{"activity:LoadContract", "activity:RecordContractChange", "update:activate",
			"update:claim", "update:renew", "update:cancel", "completed"},
		searchable: []string{"version:search-attributes", "search attribute:AftercareContractNumber",
			"search attribute:AftercareAccount", "search attribute:AftercareContractState"},
	},
}

// testdataBeforeSearchAttributes holds the recorded histories of runs
// started before ChangeSearchAttributes, kept as they were recorded:
// replaying them tests the branch such runs take, which sets no search
// attributes. -record leaves them alone.
var testdataBeforeSearchAttributes = filepath.Join("testdata", "before-search-attributes")

// testdataBeforeLocalDispatch holds the recorded histories of runs started
// at VersionSearchAttributes, before VersionLocalDispatch, kept as they
// were recorded: replaying them tests the branch such runs take, which
// dispatches through the server's activity queue. -record leaves them
// alone.
var testdataBeforeLocalDispatch = filepath.Join("testdata", "before-local-dispatch")

// TestReplayRecordedHistories replays every recorded history against
// today's workflow code: a change that would break running workflows
// (a nondeterministic one) fails here. Each history must still show what
// it is kept for. With -record (see record_test.go) the histories in
// testdata are recorded again first.
func TestReplayRecordedHistories(t *testing.T) {
	if *record {
		recordHistories(t)
	}
	for _, h := range recordedHistories {
		for _, dir := range []string{"testdata", testdataBeforeLocalDispatch, testdataBeforeSearchAttributes} {
			path := filepath.Join(dir, h.file)
			t.Run(path, func(t *testing.T) {
				f, err := os.Open(path)
				require.NoError(t, err)
				defer f.Close()
				hist, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
				require.NoError(t, err)

				r := worker.NewWorkflowReplayer()
				r.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: workflows.IncidentWorkflowName})
				r.RegisterWorkflowWithOptions(workflows.ContractWorkflow, workflow.RegisterOptions{Name: workflows.ContractWorkflowName})
				require.NoError(t, r.ReplayWorkflowHistory(nil, hist))

				facts := historyFacts(t, hist)
				for _, want := range h.covers {
					assert.Contains(t, facts, want, "%s shows %s", path, want)
				}
				if slices.Contains(h.covers, "activity:DispatchIncident") {
					// Runs dispatch through the activity queue before
					// VersionLocalDispatch, and in a local activity since.
					queued := slices.Contains(facts, "queued activity:DispatchIncident")
					assert.Equal(t, dir != "testdata", queued, "%s dispatches through the activity queue", path)
					assert.Equal(t, dir == "testdata", slices.Contains(facts, "local activity:DispatchIncident"),
						"%s dispatches in a local activity", path)
				}
				if dir == testdataBeforeSearchAttributes {
					for _, f := range facts {
						assert.False(t, strings.HasPrefix(f, "search attribute:") || strings.HasPrefix(f, "version:"),
							"%s, recorded before search attributes, shows %s", path, f)
					}
					return
				}
				for _, want := range h.searchable {
					assert.Contains(t, facts, want, "%s shows %s", path, want)
				}
			})
		}
	}
}

// historyFacts lists what a history shows happening: "transition:<action>"
// for each transition update of an incident and "update:<name>" for every
// other update accepted, "activity:<type>" for each activity and local
// activity, and beside it "queued activity:<type>" or "local
// activity:<type>" for which of the two it was, "timer fired", "started from carried state" (a run that began
// with the state of an earlier one), "version:<change ID>" for each
// workflow.GetVersion marker, "search attribute:<name>" for each search
// attribute of Aftercare's the workflow upserted, "continued as new" and
// "completed".
func historyFacts(t *testing.T, h *historypb.History) []string {
	t.Helper()
	dc := converter.GetDefaultDataConverter()
	var facts []string
	add := func(f string) {
		if !slices.Contains(facts, f) {
			facts = append(facts, f)
		}
	}
	for _, e := range h.GetEvents() {
		switch e.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			var in struct{ State any }
			if p := e.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads(); len(p) > 0 {
				require.NoError(t, dc.FromPayload(p[0], &in))
			}
			if in.State != nil {
				add("started from carried state")
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			req := e.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput()
			if req.GetName() != workflows.UpdateTransition {
				add("update:" + req.GetName())
				continue
			}
			var in workflows.TransitionInput
			require.NoError(t, dc.FromPayload(req.GetArgs().GetPayloads()[0], &in))
			add("transition:" + string(in.Action))
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			add("activity:" + name)
			add("queued activity:" + name)
		case enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			for name := range e.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
				if strings.HasPrefix(name, "Aftercare") {
					add("search attribute:" + name)
				}
			}
		case enums.EVENT_TYPE_MARKER_RECORDED:
			m := e.GetMarkerRecordedEventAttributes()
			if m.GetMarkerName() == "Version" {
				var change string
				require.NoError(t, dc.FromPayload(m.GetDetails()["change-id"].GetPayloads()[0], &change))
				add("version:" + change)
				continue
			}
			if m.GetMarkerName() != "LocalActivity" {
				continue
			}
			var data struct{ ActivityType string }
			require.NoError(t, dc.FromPayload(m.GetDetails()["data"].GetPayloads()[0], &data))
			add("activity:" + data.ActivityType)
			add("local activity:" + data.ActivityType)
		case enums.EVENT_TYPE_TIMER_FIRED:
			add("timer fired")
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			add("continued as new")
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			add("completed")
		}
	}
	return facts
}
