package workflows

import (
	"context"
	"strings"

	"github.com/aftercare/aftercare"
)

// Jobs implements aftercare.JobService: each action an engineer takes on
// their job is a lifecycle action of the incident, sent to its workflow
// by Lifecycle and naming the job, so the incident's status and the job
// move in the one transaction that records the change.
type Jobs struct {
	Lifecycle *Lifecycle
	// Store reads jobs in the caller's scope: an engineer's own.
	Store aftercare.JobStore
	// Repairs holds the repair record a job is completed against.
	Repairs aftercare.RepairService
}

var _ aftercare.JobService = (*Jobs)(nil)

// AcceptJob accepts a proposed job. The incident becomes dispatched, and
// an incident still new counts as acknowledged by the engineer: a
// qualified person has seen it and committed to go, which stops its
// response clock.
func (j *Jobs) AcceptJob(ctx context.Context, id string) (*aftercare.Assignment, error) {
	job, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if job.State != aftercare.AssignmentProposed {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "the job is %s; only a proposed job can be accepted", job.State)
	}
	return j.act(ctx, job, aftercare.LifecycleRequest{Action: aftercare.ActionAccept})
}

// DeclineJob declines a job the engineer has not set out on: it ends as
// declined, its parts go back, and the incident's workflow gives it to the
// next candidate (never again to this engineer).
func (j *Jobs) DeclineJob(ctx context.Context, id, reason string) (*aftercare.JobDecline, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, aftercare.Errorf(aftercare.EINVALID, "reason: declining a job needs a reason")
	}
	job, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if job.State != aftercare.AssignmentProposed && job.State != aftercare.AssignmentAccepted {
		return nil, aftercare.Errorf(aftercare.ECONFLICT,
			"the job is %s; only a job not yet set out on can be declined (a dispatcher can re-dispatch the incident)", job.State)
	}
	res, err := j.Lifecycle.transition(ctx, aftercare.LifecycleRequest{IncidentID: job.IncidentID,
		Action: aftercare.ActionDecline, Reason: reason, AssignmentID: job.ID})
	if err != nil {
		return nil, err
	}
	declined, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	return &aftercare.JobDecline{Declined: declined, NextID: res.AssignmentID, Unassigned: res.Unassigned}, nil
}

// DepartForJob sets out for the job's site; a job still proposed is
// accepted by it. The incident must be dispatched: accepting the job
// dispatches it.
func (j *Jobs) DepartForJob(ctx context.Context, id string) (*aftercare.Assignment, error) {
	job, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if job.State != aftercare.AssignmentProposed && job.State != aftercare.AssignmentAccepted {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "the job is %s; only a job not yet set out on can be departed for", job.State)
	}
	inc, err := j.Lifecycle.Incidents.FindIncidentByID(ctx, job.IncidentID)
	if err != nil {
		return nil, err
	}
	switch inc.Status {
	case aftercare.StatusNew, aftercare.StatusTriaged, aftercare.StatusApproved:
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "incident %d is %s, not yet dispatched; accept the job first (acceptJob)",
			inc.Number, inc.Status)
	}
	return j.act(ctx, job, aftercare.LifecycleRequest{Action: aftercare.ActionDepart})
}

// ArriveForJob arrives at the job's site. The location is also the
// engineer's location report, recorded with the arrival for the dispatch
// index to follow.
func (j *Jobs) ArriveForJob(ctx context.Context, id string, at aftercare.Location) (*aftercare.Assignment, error) {
	if err := at.Validate(); err != nil {
		return nil, err
	}
	job, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if !job.State.Active() || job.State == aftercare.AssignmentOnSite {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "the job is %s; only a job on its way can arrive", job.State)
	}
	return j.act(ctx, job, aftercare.LifecycleRequest{Action: aftercare.ActionArrive, Location: &at})
}

// CompleteJob ends an on-site job whose repair is recorded: it moves the
// incident through repaired and verified to resolved, each step a
// transition of its own (the one from which a call cut short resumes),
// and the resolution completes the job and sends back the parts it
// reserved and did not use.
func (j *Jobs) CompleteJob(ctx context.Context, id, note string) (*aftercare.Assignment, error) {
	job, err := j.Store.FindJob(ctx, id)
	if err != nil {
		return nil, err
	}
	inc, err := j.Lifecycle.Incidents.FindIncidentByID(ctx, job.IncidentID)
	if err != nil {
		return nil, err
	}
	rec, err := j.Repairs.FindRepairRecord(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	if err := aftercare.CheckCompletable(inc.Number, job.State, rec, len(inc.NeededParts) > 0 || len(job.Parts) > 0); err != nil {
		return nil, err
	}
	steps, err := completionSteps(inc)
	if err != nil {
		return nil, err
	}
	for _, a := range steps {
		if _, err := j.Lifecycle.transition(ctx, aftercare.LifecycleRequest{IncidentID: inc.ID, Action: a, Note: note}); err != nil {
			return nil, err
		}
	}
	return j.Store.FindJob(ctx, id)
}

// completionSteps returns the lifecycle actions that take an incident
// whose engineer is on site to resolved, from where it stands.
func completionSteps(inc *aftercare.Incident) ([]aftercare.LifecycleAction, error) {
	steps := []aftercare.LifecycleAction{aftercare.ActionRepair, aftercare.ActionVerify, aftercare.ActionResolve}
	switch inc.Status {
	case aftercare.StatusOnSite:
		return steps, nil
	case aftercare.StatusRepaired:
		return steps[1:], nil
	case aftercare.StatusVerified:
		return steps[2:], nil
	}
	return nil, aftercare.Errorf(aftercare.ECONFLICT, "cannot complete the job while incident %d is %s; it must be on_site, repaired or verified",
		inc.Number, inc.Status)
}

// act sends a lifecycle action about job to its incident's workflow and
// returns the job as the change left it.
func (j *Jobs) act(ctx context.Context, job *aftercare.Assignment, req aftercare.LifecycleRequest) (*aftercare.Assignment, error) {
	req.IncidentID, req.AssignmentID = job.IncidentID, job.ID
	if _, err := j.Lifecycle.transition(ctx, req); err != nil {
		return nil, err
	}
	return j.Store.FindJob(ctx, job.ID)
}
