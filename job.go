package aftercare

import (
	"context"
	"strings"
)

// A job is an engineer's assignment seen from the engineer's side
// (DESIGN.md §3, §5): proposed → accepted → en route → on site →
// completed, or declined, cancelled or overridden on the way. It follows
// its incident: every change of the incident that concerns the job moves
// it in the same transaction as the change (JobStateAfter says how), so
// the incident's status and its job never tell two stories.

// Location is a point on the globe where an engineer reports being.
type Location struct {
	Lat, Lng float64
}

// Validate returns EINVALID for a point that is not on the globe.
func (l Location) Validate() error {
	if !(l.Lat >= -90 && l.Lat <= 90) || !(l.Lng >= -180 && l.Lng <= 180) {
		return Errorf(EINVALID, "location %v, %v is not on the globe: lat must be -90 to 90 and lng -180 to 180", l.Lat, l.Lng)
	}
	return nil
}

// JobStateAfter returns the state an incident's active job in state job
// moves to when the incident takes action a from status from, and whether
// it moves at all:
//
//   - accepting, departing and arriving move the job along with the
//     incident (a job still proposed is accepted by departing, and one not
//     yet en route by arriving);
//   - declining ends a job the engineer has not set out on as declined;
//   - resolving, closing, and quoting from on site end the job: completed
//     when the engineer got on site, cancelled when they never did;
//   - cancelling ends it as cancelled;
//   - dispatching an incident already dispatched or en route is a
//     re-dispatch, which ends the job as cancelled (the job a dispatch
//     itself created is not this one; see JobStateAfter's callers).
//
// Every other change leaves the job as it is, and an ended job never moves.
func JobStateAfter(a LifecycleAction, from IncidentStatus, job AssignmentState) (AssignmentState, bool) {
	to := jobTarget(a, from, job)
	if to == "" || to == job || !job.Active() {
		return job, false
	}
	return to, true
}

// jobTarget is JobStateAfter's table: the state an active job moves to, ""
// when it stays.
func jobTarget(a LifecycleAction, from IncidentStatus, job AssignmentState) AssignmentState {
	notStarted := job == AssignmentProposed || job == AssignmentAccepted
	switch {
	case a == ActionAccept && job == AssignmentProposed:
		return AssignmentAccepted
	case a == ActionDepart && notStarted:
		return AssignmentEnRoute
	case a == ActionArrive:
		return AssignmentOnSite
	case a == ActionDecline && notStarted:
		return AssignmentDeclined
	case a == ActionResolve || a == ActionClose || a == ActionQuote:
		if job == AssignmentOnSite {
			return AssignmentCompleted
		}
		return AssignmentCancelled
	case a == ActionCancel, a == ActionDispatch && (from == StatusDispatched || from == StatusEnRoute):
		return AssignmentCancelled
	}
	return ""
}

// NamesOneJob reports whether action a is about one job an engineer works
// (accepting, declining, departing, arriving), which a change names; any
// other action concerns whatever job the incident holds.
func (a LifecycleAction) NamesOneJob() bool {
	return a == ActionAccept || a == ActionDecline || a == ActionDepart || a == ActionArrive
}

// CheckCompletable returns an ECONFLICT error saying what is missing
// before job on incident number may be completed, or nil: the engineer is
// on site, and the repair record has a diagnosis, a part installed with
// its serial number when the repair needs parts, and a passing latest
// test.
func CheckCompletable(number int64, job AssignmentState, rec *RepairRecord, needsParts bool) error {
	if job != AssignmentOnSite {
		return Errorf(ECONFLICT, "cannot complete the job of incident %d while it is %s; arrive on site first (arriveForJob)",
			number, job)
	}
	var missing []string
	if rec == nil || strings.TrimSpace(rec.Diagnosis) == "" {
		missing = append(missing, "no diagnosis is recorded (recordDiagnosis)")
	}
	if needsParts && (rec == nil || len(rec.Parts) == 0) {
		missing = append(missing, "no part used is recorded with its serial number (recordPartUsed)")
	}
	switch {
	case rec == nil || len(rec.Tests) == 0:
		missing = append(missing, "no test result is recorded (recordTestResult)")
	case !rec.Passed():
		missing = append(missing, "the latest test failed (record a passing one with recordTestResult)")
	}
	if len(missing) > 0 {
		return Errorf(ECONFLICT, "cannot complete the job of incident %d: %s", number, strings.Join(missing, "; "))
	}
	return nil
}

// JobDecline is what declining a job came to: the declined job, and the
// job of the next candidate the incident went to, or why nobody took it.
type JobDecline struct {
	Declined *Assignment
	// NextID is the next candidate's job, "" when nobody could take it.
	NextID string
	// Unassigned says why nobody took the incident, when NextID is "".
	Unassigned string
}

// JobService is how an engineer works their own jobs. Each action goes
// through the incident's workflow, so that the incident's status and the
// job move together; each answers ENOTFOUND for a job outside the caller's
// scope (an engineer's own jobs only), ECONFLICT for one whose state or
// incident does not allow the action, and writes an audit event.
type JobService interface {
	// AcceptJob accepts a proposed job: the incident becomes dispatched,
	// and one still new is acknowledged by it.
	AcceptJob(ctx context.Context, id string) (*Assignment, error)
	// DeclineJob declines a job not yet set out on, releasing its parts,
	// and gives the incident to the next candidate.
	DeclineJob(ctx context.Context, id, reason string) (*JobDecline, error)
	// DepartForJob sets out for the job's site: the incident is en route.
	DepartForJob(ctx context.Context, id string) (*Assignment, error)
	// ArriveForJob arrives at the job's site, reporting where the engineer
	// is: the incident is on site.
	ArriveForJob(ctx context.Context, id string, at Location) (*Assignment, error)
	// CompleteJob ends the job once its repair is recorded (see
	// CheckCompletable), moving the incident through repaired and
	// verified to resolved; the parts reserved and not used go back.
	CompleteJob(ctx context.Context, id, note string) (*Assignment, error)
}

// JobStore reads jobs in the caller's scope: an engineer sees their own,
// others the jobs of incidents they see.
type JobStore interface {
	// FindJob returns a job, or ENOTFOUND.
	FindJob(ctx context.Context, id string) (*Assignment, error)
	// FindActiveJob returns the incident's active job, or ENOTFOUND when
	// it has none the caller may see.
	FindActiveJob(ctx context.Context, incidentID string) (*Assignment, error)
	// FindMyJobs returns the calling engineer's jobs, the active ones
	// first (in ActiveJobOrder), then the ended ones, newest first, at most
	// limit; none for a caller who is no engineer.
	FindMyJobs(ctx context.Context, limit int) ([]*Assignment, error)
	// FindEngineerJobs returns an engineer's active jobs whose incidents
	// the caller sees, oldest first.
	FindEngineerJobs(ctx context.Context, engineerID string) ([]*Assignment, error)
	// EngineerLoad returns how many active jobs an engineer holds, all of
	// them wherever they are: what dispatch counts against the capacity.
	EngineerLoad(ctx context.Context, engineerID string) (int, error)
	// FindJobsOfEngineers is FindEngineerJobs for many engineers in one
	// query: the active jobs of each, in the order of engineerIDs.
	FindJobsOfEngineers(ctx context.Context, engineerIDs []string) ([][]*Assignment, error)
	// EngineerLoads is EngineerLoad for many engineers in one query: the
	// load of each, in the order of engineerIDs, nil where EngineerLoad
	// would answer ENOTFOUND.
	EngineerLoads(ctx context.Context, engineerIDs []string) ([]*int, error)
}

// EngineerStanding is how dispatch sees an engineer at an instant.
type EngineerStanding struct {
	// OnShift says whether the instant falls in one of the engineer's
	// shifts, by their time zone.
	OnShift bool
	// IndexedLoad is the engineer's load as the dispatch index holds it,
	// which follows the database's through the fleet's change feed;
	// Indexed is false for an engineer the index does not hold yet.
	IndexedLoad int
	Indexed     bool
}

// ActiveJobOrder returns the active job states in the order a list of an
// engineer's jobs shows them, the furthest along first; the ended jobs
// follow, newest first.
func ActiveJobOrder() []AssignmentState {
	return []AssignmentState{AssignmentOnSite, AssignmentEnRoute, AssignmentAccepted, AssignmentProposed}
}
