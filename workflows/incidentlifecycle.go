package workflows

import (
	"context"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Lifecycle implements aftercare.LifecycleService by sending each action to
// the incident's workflow as an update and waiting for it to complete, so
// that the database already shows the change when Transition returns.
type Lifecycle struct {
	Client    client.Client
	Incidents aftercare.IncidentService
	// Repairs holds the repair records: verifying a repair needs a passing
	// test result.
	Repairs aftercare.RepairService
	// Jobs finds the job an action on the incident's engineer is about.
	Jobs aftercare.JobStore
	// TaskQueue, when set, is where an incident's workflow is started when
	// an action finds it not yet started: the intake relay has not reached
	// it (a burst of filings waits in line), and the user's action need
	// not wait for it. Starting it twice is harmless.
	TaskQueue string
}

var _ aftercare.LifecycleService = (*Lifecycle)(nil)

// Transition applies one lifecycle action to an incident the caller may
// see, and returns the incident after it.
func (l *Lifecycle) Transition(ctx context.Context, req aftercare.LifecycleRequest) (*aftercare.Incident, error) {
	if _, err := l.transition(ctx, req); err != nil {
		return nil, err
	}
	// The workflow mirrored the change, its audit event and what it did to
	// the incident's job, in one transaction before the update completed.
	return l.Incidents.FindIncidentByID(ctx, req.IncidentID)
}

// transition sends one lifecycle action to the incident's workflow and
// returns what the update answered.
func (l *Lifecycle) transition(ctx context.Context, req aftercare.LifecycleRequest) (TransitionResult, error) {
	if !req.Action.Valid() {
		return TransitionResult{}, aftercare.Errorf(aftercare.EINVALID, "unknown lifecycle action %q", req.Action)
	}
	before, err := l.Incidents.FindIncidentByID(ctx, req.IncidentID)
	if err != nil {
		return TransitionResult{}, err
	}
	if req.Action == aftercare.ActionVerify {
		if err := l.requirePassingTest(ctx, before); err != nil {
			return TransitionResult{}, err
		}
	}
	if req.AssignmentID == "" && req.Action.NamesOneJob() {
		if req.AssignmentID, err = l.activeJob(ctx, before); err != nil {
			return TransitionResult{}, err
		}
	}
	in := TransitionInput{Action: req.Action, Reason: req.Reason, Priority: req.Priority, Note: req.Note,
		RequestID: aftercare.RequestIDFromContext(ctx), AssignmentID: req.AssignmentID, Location: req.Location}
	if u := aftercare.UserFromContext(ctx); u != nil {
		in.By, in.ByRole = u.ID, u.Role
	}
	res, err := l.update(ctx, before.WorkflowID, in)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) && before.WorkflowStartedAt == nil && l.TaskQueue != "" {
		if err := StartIncidentWorkflow(ctx, l.Client, l.TaskQueue, before, ""); err != nil {
			return TransitionResult{}, transitionError(req, err)
		}
		res, err = l.update(ctx, before.WorkflowID, in)
	}
	if err != nil {
		return TransitionResult{}, transitionError(req, err)
	}
	return res, nil
}

// update sends the transition update and waits for its result.
func (l *Lifecycle) update(ctx context.Context, workflowID string, in TransitionInput) (TransitionResult, error) {
	handle, err := l.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   UpdateTransition,
		Args:         []any{in},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res TransitionResult
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	return res, err
}

// activeJob returns the incident's active job, which an action on its
// engineer moves ("" when it has none), refusing an engineer who does not
// hold it.
func (l *Lifecycle) activeJob(ctx context.Context, inc *aftercare.Incident) (string, error) {
	if l.Jobs == nil {
		return "", nil
	}
	job, err := l.Jobs.FindActiveJob(aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true}), inc.ID)
	if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if sc := aftercare.ScopeFromContext(ctx); !sc.All && sc.EngineerID != "" && sc.EngineerID != job.EngineerID {
		return "", aftercare.Errorf(aftercare.ECONFLICT, "incident %d is assigned to another engineer", inc.Number)
	}
	return job.ID, nil
}

// transitionError maps what the workflow answered to a domain error: the
// validator's and handler's typed errors keep their code and message, and
// a workflow that does not run yet or any more is a conflict.
func transitionError(req aftercare.LifecycleRequest, err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch code := app.Type(); code {
		case aftercare.EINVALID, aftercare.ECONFLICT, aftercare.ENOTFOUND:
			return aftercare.Errorf(code, "%s", app.Message())
		}
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return aftercare.Errorf(aftercare.EUNAVAILABLE, "the workflow engine is unavailable for a moment; try again")
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return aftercare.Errorf(aftercare.ECONFLICT,
			"cannot %s the incident now: its workflow is not running (it is starting, or the incident has ended)", req.Action)
	}
	return fmt.Errorf("update incident workflow (%s): %w", req.Action, err)
}

// requirePassingTest refuses to verify a repair whose latest test did not
// pass, or that has none.
func (l *Lifecycle) requirePassingTest(ctx context.Context, inc *aftercare.Incident) error {
	if l.Repairs == nil {
		return aftercare.Errorf(aftercare.EINTERNAL, "repair records are not available to verify against")
	}
	rec, err := l.Repairs.FindRepairRecord(ctx, inc.ID)
	if err != nil {
		return err
	}
	if !rec.Passed() {
		why := "no test result is recorded"
		if len(rec.Tests) > 0 {
			why = "its latest test failed"
		}
		return aftercare.Errorf(aftercare.ECONFLICT,
			"cannot verify incident %d: %s; record a passing test result (recordTestResult) first", inc.Number, why)
	}
	return nil
}
