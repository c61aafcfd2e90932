package aftercare

import (
	"context"
	"time"
)

// AssignmentState is where an engineer's job on an incident stands.
type AssignmentState string

// The assignment states. Proposed, accepted, en route and on site are
// active: they hold the engineer's capacity and the reserved parts.
const (
	AssignmentProposed   AssignmentState = "proposed"
	AssignmentAccepted   AssignmentState = "accepted"
	AssignmentEnRoute    AssignmentState = "en_route"
	AssignmentOnSite     AssignmentState = "on_site"
	AssignmentCompleted  AssignmentState = "completed"
	AssignmentDeclined   AssignmentState = "declined"
	AssignmentCancelled  AssignmentState = "cancelled"
	AssignmentOverridden AssignmentState = "overridden"
)

// Active reports whether the state holds the engineer and the parts.
func (s AssignmentState) Active() bool {
	switch s {
	case AssignmentProposed, AssignmentAccepted, AssignmentEnRoute, AssignmentOnSite:
		return true
	}
	return false
}

// Assignment gives an incident to an engineer, with the parts reserved for it.
type Assignment struct {
	ID         string
	IncidentID string
	EngineerID string
	// SiteID is the incident's site, where the engineer goes.
	SiteID     string
	State      AssignmentState
	ETA        time.Time
	DistanceKm float64
	// Decision is the JSON record of the ranked candidates and rejections
	// behind the assignment: the answer to "why this engineer?".
	Decision []byte
	// OverrideReason is set when a dispatcher chose the engineer by hand.
	OverrideReason string
	DecidedBy      string
	CreatedAt      time.Time
	Parts          []PartReservation
}

// PartReservation is a quantity of a part held for an assignment at one
// stock location: a depot, or a van (DepotID empty).
type PartReservation struct {
	StockID  int64
	PartID   string
	DepotID  string
	Quantity int
}

// PartNeed is a quantity of a part a repair needs.
type PartNeed struct {
	PartID   string
	Quantity int
}

// AssignmentCreate asks to give an incident to an engineer, reserving parts
// from the van and at most one depot, in one transaction.
type AssignmentCreate struct {
	IncidentID string
	EngineerID string
	ETA        time.Time
	DistanceKm float64
	FromVan    []PartNeed
	DepotID    string
	FromDepot  []PartNeed
	Decision   []byte
	// OverrideReason marks a dispatcher's choice; the active assignment of
	// the incident, if any, is then replaced instead of refused.
	OverrideReason string
}

// FleetEngineer is an engineer as the dispatch index sees them.
type FleetEngineer struct {
	Engineer
	// Load is the number of active assignments.
	Load int
	// VanStock is the available quantity (on hand less reserved) by part.
	VanStock map[string]int
	// Version rises with every committed change to the engineer, their
	// van or their load, in the order they commit: of two reads of one
	// engineer, the one with the higher Version is the newer.
	Version int64
	// InService is false while the engineer's service provider is not
	// active: the index leaves them out.
	InService bool
}

// FleetDepot is a depot as the dispatch index sees it.
type FleetDepot struct {
	Depot
	// Stock is the available quantity by part.
	Stock map[string]int
	// Version rises with every committed change to the depot or its
	// stock, in the order they commit, like FleetEngineer.Version.
	Version int64
}

// FleetCursor is where a reader of the fleet's change feed stands: a token
// the store hands out with each read, meaningful only to the store. The
// zero cursor stands before everything.
type FleetCursor string

// FleetChanges are the engineers and depots changed by the transactions a
// cursor had not seen committed.
type FleetChanges struct {
	Engineers []FleetEngineer
	Depots    []FleetDepot
	// Cursor is where the next read continues: after the transactions
	// committed when this one was read.
	Cursor FleetCursor
}

// FleetIndexLag is how far a dispatch index is behind the fleet in the
// database.
type FleetIndexLag struct {
	// Age is how long ago the index last caught up: the time since the
	// start of the last read of the change feed it applied.
	Age time.Duration
	// Pending counts the engineers and depots changed since that read.
	Pending int
}

// DispatchInput is what dispatching an incident needs to know about it.
type DispatchInput struct {
	IncidentID  string
	AccountID   string
	Region      string
	Lat, Lng    float64
	ProductLine string
	MinLevel    int
	Tier        Tier
	Priority    Priority
	Parts       []PartNeed
	// OnSiteDeadline is the on-site clock's deadline, also when it has
	// passed; zero when the clock has stopped, has not started or is paused
	// with no deadline.
	OnSiteDeadline time.Time
	// Declined lists engineers who declined the incident; they are not
	// asked again.
	Declined []string
}

// DispatchStore keeps assignments and the fleet in the database.
type DispatchStore interface {
	// FleetChangesSince returns the engineers and depots changed by every
	// transaction that had not committed when the cursor was handed out,
	// whatever order they commit in; the zero cursor returns the whole
	// fleet. A read may also return an engineer or depot given before,
	// unchanged or in an older state than a concurrent read returned: a
	// follower applies one only when its Version is above the one it holds.
	FleetChangesSince(ctx context.Context, cursor FleetCursor) (*FleetChanges, error)
	// CountFleetChangesSince counts the engineers and depots that
	// FleetChangesSince would return for the cursor, without reading them:
	// how far a follower standing there is behind the database.
	CountFleetChangesSince(ctx context.Context, cursor FleetCursor) (int, error)
	// FindDispatchInput returns what dispatching an incident needs.
	FindDispatchInput(ctx context.Context, incidentID string) (*DispatchInput, error)
	// CreateAssignment reserves the engineer and the parts in one
	// transaction, or answers ECONFLICT saying what was taken meanwhile.
	CreateAssignment(ctx context.Context, create AssignmentCreate) (*Assignment, error)
	// FindAssignments returns an incident's assignments, newest first.
	FindAssignments(ctx context.Context, incidentID string) ([]*Assignment, error)
	// FindAssignmentsOfIncidents is FindAssignments for many incidents in
	// two queries: the assignments of each, in the order of incidentIDs,
	// nil where FindAssignments would answer ENOTFOUND (an empty list for an
	// incident without any).
	FindAssignmentsOfIncidents(ctx context.Context, incidentIDs []string) ([][]*Assignment, error)
	// FindAssignmentByID returns an assignment, or ENOTFOUND.
	FindAssignmentByID(ctx context.Context, id string) (*Assignment, error)
	// ReportLocation records where an engineer is.
	ReportLocation(ctx context.Context, engineerID string, lat, lng float64, at time.Time) error
	// FindDispatchQueue returns the open incidents of a region that need an
	// engineer: unassigned, or at risk, most urgent first.
	FindDispatchQueue(ctx context.Context, region string, limit int) ([]*QueueItem, error)
	// FindRegions returns the regions whose queues the caller may see
	// (every region for a caller who sees everything), ordered by code.
	FindRegions(ctx context.Context) ([]*Region, error)
	// RecordOptimization writes the audit event of a batch assignment run.
	RecordOptimization(ctx context.Context, region string, plan *BatchPlan) error
}

// FleetReader is a DispatchStore that can hand over the whole fleet one
// engineer at a time, so that a process building its dispatch index at
// start holds one engineer's row at a time rather than the whole fleet.
type FleetReader interface {
	// ReadFleet reads as FleetChangesSince does from the zero cursor, but
	// gives each engineer to each as it is read, leaving
	// FleetChanges.Engineers empty; each may keep what it is given. An
	// error from each ends the read and is returned.
	ReadFleet(ctx context.Context, each func(*FleetEngineer) error) (*FleetChanges, error)
}

// QueueItem is an incident waiting in a dispatcher's queue.
type QueueItem struct {
	Incident *Incident
	// OnSiteDeadline is the on-site deadline, zero when no clock runs.
	OnSiteDeadline time.Time
	// Assignment is the active assignment, nil when unassigned.
	Assignment *Assignment
}

// DispatchDecision is a dispatch answer for one incident: the ranked
// candidates, and who was rejected by which rule.
type DispatchDecision struct {
	IncidentID string
	At         time.Time
	Candidates []DispatchCandidate
	Rejections []DispatchRejection
	// RejectionCounts tallies Rejections by rule when the candidates fill
	// the shortlist. When they do not (none included) it tallies every
	// engineer who is not a candidate, listed or not, those without the
	// product line under no_skill: "why nobody?" and "why so few?".
	RejectionCounts map[string]int
}

// DispatchCandidate is an engineer who can take an incident, with the trip.
type DispatchCandidate struct {
	EngineerID    string
	DistanceKm    float64
	RouteKm       float64
	ETA           time.Time
	MakesDeadline bool
	Load          int
	FromVan       []PartNeed
	DepotID       string
	FromDepot     []PartNeed
}

// DispatchRejection says which rule kept an engineer off the shortlist.
type DispatchRejection struct {
	EngineerID string
	Reason     string
	DistanceKm float64
}

// BatchPlan is a dispatcher queue assigned by least total travel time, and
// the greedy order's total for comparison.
type BatchPlan struct {
	Assignments []*Assignment
	// Unassigned lists incidents nobody could take.
	Unassigned    []string
	OptimalTotal  time.Duration
	GreedyTotal   time.Duration
	GreedyMatched int
}

// Region is a service region: its dispatchers, engineers, depots and the
// sites in it.
type Region struct {
	Code string
	Name string
}

// BatchPreview is the plan an optimisation would reserve, not reserved.
type BatchPreview struct {
	Proposals []PlannedAssignment
	// Unassigned lists incidents nobody could take.
	Unassigned    []string
	OptimalTotal  time.Duration
	GreedyTotal   time.Duration
	GreedyMatched int
}

// PlannedAssignment is one engineer an optimisation would send to one
// incident, through DepotID when the van lacks a part.
type PlannedAssignment struct {
	IncidentID string
	EngineerID string
	ETA        time.Time
	DistanceKm float64
	DepotID    string
}

// DefaultDispatchRejections is how many rejected engineers a dispatch
// decision lists unless asked for another number: the nearest, whom a
// dispatcher asks about first.
const DefaultDispatchRejections = 25

// MaxDispatchRejections bounds the rejected engineers one decision lists.
const MaxDispatchRejections = 1000

// DispatchService finds, reserves and changes engineers for incidents.
type DispatchService interface {
	// Candidates ranks the engineers who could take an incident now and
	// lists, with the rule each failed, the nearest rejections engineers on
	// the product line who could not (0 to MaxDispatchRejections).
	Candidates(ctx context.Context, incidentID string, rejections int) (*DispatchDecision, error)
	// Assign gives the incident to the best candidate who can still be
	// reserved, or with a reason to the named engineer (an override).
	Assign(ctx context.Context, incidentID, engineerID, overrideReason string) (*Assignment, error)
	// ReportLocation records where an engineer is.
	ReportLocation(ctx context.Context, engineerID string, lat, lng float64) error
	// Optimize assigns a region's unassigned queue by least total travel.
	Optimize(ctx context.Context, region string) (*BatchPlan, error)
	// PreviewOptimize is the plan Optimize would reserve now, with nothing
	// reserved.
	PreviewOptimize(ctx context.Context, region string) (*BatchPreview, error)
	// Standing returns how dispatch sees an engineer now: whether they are
	// on shift, by the rule candidates are chosen by, and the load its
	// index holds for them.
	Standing(ctx context.Context, e *Engineer) (*EngineerStanding, error)
}
