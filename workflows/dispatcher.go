package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/dispatch"
)

// Dispatcher answers dispatch questions from an in-memory index of the fleet
// (package dispatch) that follows the store's change feed, and reserves
// engineers and parts through the store. Every worker and API process holds
// one, so any of them can dispatch any incident.
type Dispatcher struct {
	store     aftercare.DispatchStore
	log       *slog.Logger
	speedKmh  float64
	shortlist int
	now       func() time.Time
	searches  SearchObserver

	// mu guards the index and the feed's position: searches share it,
	// refreshes that change the index hold it alone.
	mu    sync.RWMutex
	index *dispatch.Index
	// cursor is where the next read of the change feed continues.
	cursor aftercare.FleetCursor
	// caughtUp is when the read that handed out cursor started, by the
	// wall clock.
	caughtUp time.Time
	// engineerVersions and depotVersions hold the version of each engineer
	// and depot in the index: a read returns some again, and concurrent
	// refreshes may finish out of order, so only a higher version is
	// applied.
	engineerVersions, depotVersions map[string]int64
}

var _ aftercare.DispatchService = (*Dispatcher)(nil)

// DispatcherConfig tunes a Dispatcher.
type DispatcherConfig struct {
	// SpeedKmh is the travel speed along great circles.
	SpeedKmh float64
	// Shortlist is how many candidates a decision ranks.
	Shortlist int
	// Now tells the time; time.Now when nil.
	Now func() time.Time
	// Searches is told how long each search of the index took; nil tells
	// nobody.
	Searches SearchObserver
}

// SearchObserver is told how long each search of the dispatch index took:
// kind is "candidates" for one incident's ranking and "batch" for a
// region's optimal assignment.
type SearchObserver interface {
	ObserveDispatchSearch(kind string, elapsed time.Duration)
}

// NewDispatcher loads the whole fleet into a new index. From a store that
// is a FleetReader it puts each engineer in the index as its row is read.
func NewDispatcher(ctx context.Context, store aftercare.DispatchStore, log *slog.Logger, cfg DispatcherConfig) (*Dispatcher, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Dispatcher{store: store, log: log, speedKmh: cfg.SpeedKmh, shortlist: cfg.Shortlist, now: cfg.Now,
		searches: cfg.Searches, engineerVersions: map[string]int64{}, depotVersions: map[string]int64{}}
	started := time.Now()
	fleet, index, err := loadFleet(ctx, store, d.engineerVersions)
	if err != nil {
		return nil, err
	}
	for _, fd := range fleet.Depots {
		if err := index.PutDepot(dispatch.Depot{ID: fd.ID, Lat: fd.Lat, Lng: fd.Lng, Stock: fd.Stock}); err != nil {
			return nil, fmt.Errorf("build dispatch index: %w", err)
		}
		d.depotVersions[fd.ID] = fd.Version
	}
	index.Compact()
	d.index, d.cursor, d.caughtUp = index, fleet.Cursor, started
	return d, nil
}

// loadFleet reads the whole fleet and puts the engineers in service in a
// new index, recording every engineer's version; the depots are left to
// the caller.
func loadFleet(ctx context.Context, store aftercare.DispatchStore, versions map[string]int64) (*aftercare.FleetChanges, *dispatch.Index, error) {
	index, err := dispatch.NewIndex(nil, nil)
	if err != nil {
		return nil, nil, err
	}
	put := func(fe *aftercare.FleetEngineer) error {
		versions[fe.ID] = fe.Version
		if !fe.InService {
			return nil
		}
		e, err := indexEngineer(fe)
		if err == nil {
			err = index.Put(e)
		}
		if err != nil {
			return fmt.Errorf("build dispatch index: %w", err)
		}
		return nil
	}
	var fleet *aftercare.FleetChanges
	if reader, ok := store.(aftercare.FleetReader); ok {
		fleet, err = reader.ReadFleet(ctx, put)
	} else if fleet, err = store.FleetChangesSince(ctx, ""); err == nil {
		for i := range fleet.Engineers {
			if err = put(&fleet.Engineers[i]); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load fleet: %w", err)
	}
	return fleet, index, nil
}

// request builds the index's question for an incident; those who declined
// it are rejected as declined.
func (d *Dispatcher) request(in *aftercare.DispatchInput, now time.Time, shortlist, rejections int) dispatch.Request {
	parts := make([]dispatch.PartNeed, len(in.Parts))
	for i, p := range in.Parts {
		parts[i] = dispatch.PartNeed{PartID: p.PartID, Quantity: p.Quantity}
	}
	return dispatch.Request{Lat: in.Lat, Lng: in.Lng, ProductLine: in.ProductLine, MinLevel: in.MinLevel, Tier: in.Tier,
		Parts: parts, Now: now, Deadline: in.OnSiteDeadline, SpeedKmh: d.speedKmh, Shortlist: shortlist,
		Rejections: rejections, Declined: in.Declined}
}

// Candidates ranks the engineers who could take an incident now, leaving
// out those who declined it, and lists the nearest rejections engineers
// who could not, those who declined among them (see dispatch.Result). It
// asks the store only for the incident, in one round trip, and answers
// from the index as Follow keeps it: concurrent calls search at once.
func (d *Dispatcher) Candidates(ctx context.Context, incidentID string, rejections int) (*aftercare.DispatchDecision, error) {
	if rejections < 0 || rejections > aftercare.MaxDispatchRejections {
		return nil, aftercare.Errorf(aftercare.EINVALID, "rejections: %d is not 0 to %d", rejections, aftercare.MaxDispatchRejections)
	}
	in, err := d.store.FindDispatchInput(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	return d.decide(in, d.now(), rejections)
}

func (d *Dispatcher) decide(in *aftercare.DispatchInput, now time.Time, rejections int) (*aftercare.DispatchDecision, error) {
	d.mu.RLock()
	started := time.Now()
	res, err := d.index.Candidates(d.request(in, now, d.shortlist, rejections))
	d.observeSearch("candidates", started)
	d.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	dec := &aftercare.DispatchDecision{IncidentID: in.IncidentID, At: now, RejectionCounts: make(map[string]int, len(res.Counts))}
	for _, c := range res.Candidates {
		dec.Candidates = append(dec.Candidates, aftercare.DispatchCandidate{EngineerID: c.EngineerID, DistanceKm: c.DistanceKm,
			RouteKm: c.RouteKm, ETA: c.ETA, MakesDeadline: c.MakesDeadline, Load: c.Load,
			FromVan: needs(c.Plan.FromVan), DepotID: c.Plan.DepotID, FromDepot: needs(c.Plan.FromDepot)})
	}
	for _, r := range res.Rejected {
		dec.Rejections = append(dec.Rejections, aftercare.DispatchRejection{EngineerID: r.EngineerID, Reason: string(r.Reason), DistanceKm: r.DistanceKm})
	}
	for reason, n := range res.Counts {
		dec.RejectionCounts[string(reason)] = n
	}
	return dec, nil
}

func needs(ps []dispatch.PartNeed) []aftercare.PartNeed {
	out := make([]aftercare.PartNeed, len(ps))
	for i, p := range ps {
		out[i] = aftercare.PartNeed{PartID: p.PartID, Quantity: p.Quantity}
	}
	return out
}

// maxReserveAttempts bounds how often Assign re-ranks after losing a race
// for an engineer or a part. Each lost race means another dispatch took a
// slot or a unit, so a fleet runs out of what an incident needs long before.
const maxReserveAttempts = 32

// Assign gives the incident to the best candidate who can still be
// reserved: when another dispatch took the engineer or a part first, the
// index is refreshed and the next candidate tried. With an engineer and a
// reason it is a dispatcher's override, which replaces the active
// assignment. When nobody can take the incident the error says why.
func (d *Dispatcher) Assign(ctx context.Context, incidentID, engineerID, overrideReason string) (*aftercare.Assignment, error) {
	if engineerID != "" && strings.TrimSpace(overrideReason) == "" {
		return nil, aftercare.Errorf(aftercare.EINVALID, "choosing the engineer by hand needs a reason")
	}
	in, err := d.store.FindDispatchInput(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	tried := map[string]string{} // engineer → why the reservation failed
	for range maxReserveAttempts {
		if err := d.Refresh(ctx); err != nil {
			return nil, err
		}
		dec, err := d.decide(in, d.now(), aftercare.DefaultDispatchRejections)
		if err != nil {
			return nil, err
		}
		c, ok := firstUntried(dec, tried, engineerID)
		if !ok {
			return nil, unassignable(dec, tried, engineerID)
		}
		a, err := d.store.CreateAssignment(ctx, aftercare.AssignmentCreate{IncidentID: incidentID, EngineerID: c.EngineerID,
			ETA: c.ETA, DistanceKm: c.DistanceKm, FromVan: c.FromVan, DepotID: c.DepotID, FromDepot: c.FromDepot,
			Decision: decisionRecord(dec, tried), OverrideReason: overrideReason})
		if aftercare.ErrorCode(err) == aftercare.ECONFLICT && !strings.Contains(aftercare.ErrorMessage(err), "incident") {
			tried[c.EngineerID] = aftercare.ErrorMessage(err) // someone took the engineer or a part: re-rank
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := d.Refresh(ctx); err != nil {
			d.log.Warn("refresh dispatch index after assigning; the follower catches up", "err", err)
		}
		return a, nil
	}
	return nil, aftercare.Errorf(aftercare.ECONFLICT, "lost %d races for engineers and parts; try again", len(tried))
}

// firstUntried returns the best candidate not yet tried (the named engineer
// only, when one is named).
func firstUntried(dec *aftercare.DispatchDecision, tried map[string]string, engineerID string) (aftercare.DispatchCandidate, bool) {
	for _, c := range dec.Candidates {
		if _, lost := tried[c.EngineerID]; !lost && (engineerID == "" || c.EngineerID == engineerID) {
			return c, true
		}
	}
	return aftercare.DispatchCandidate{}, false
}

// unassignable explains why nobody (or not the named engineer) can take
// the incident.
func unassignable(dec *aftercare.DispatchDecision, tried map[string]string, engineerID string) error {
	if engineerID != "" {
		for _, r := range dec.Rejections {
			if r.EngineerID == engineerID {
				return aftercare.Errorf(aftercare.ECONFLICT, "engineer cannot take the incident: %s", r.Reason)
			}
		}
		if why, ok := tried[engineerID]; ok {
			return aftercare.Errorf(aftercare.ECONFLICT, "engineer cannot take the incident: %s", why)
		}
		return aftercare.Errorf(aftercare.ECONFLICT, "engineer is not among the candidates for the incident")
	}
	var parts []string
	for reason, n := range dec.RejectionCounts {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	for _, why := range tried {
		parts = append(parts, "1 lost: "+why)
	}
	sort.Strings(parts)
	return aftercare.Errorf(aftercare.ECONFLICT, "no engineer can take the incident (%s)", strings.Join(parts, ", "))
}

// decisionRecord is the JSON kept with an assignment: the top candidates,
// the rejections and the races lost.
func decisionRecord(dec *aftercare.DispatchDecision, tried map[string]string) []byte {
	b, err := json.Marshal(struct {
		*aftercare.DispatchDecision
		Lost map[string]string `json:",omitempty"`
	}{dec, tried})
	if err != nil {
		return []byte("{}")
	}
	return b
}

// Standing returns how dispatch sees an engineer now: on shift or not by
// the engineer's calendar, the same rule candidates are chosen by, and the
// load the index holds for them.
func (d *Dispatcher) Standing(_ context.Context, e *aftercare.Engineer) (*aftercare.EngineerStanding, error) {
	de, err := indexEngineer(&aftercare.FleetEngineer{Engineer: *e})
	if err != nil {
		return nil, err
	}
	st := &aftercare.EngineerStanding{OnShift: de.Calendar.OnShift(d.now())}
	d.mu.RLock()
	st.IndexedLoad, st.Indexed = d.index.Load(e.ID)
	d.mu.RUnlock()
	return st, nil
}

// ReportLocation records where an engineer is and moves them in the index.
func (d *Dispatcher) ReportLocation(ctx context.Context, engineerID string, lat, lng float64) error {
	if err := d.store.ReportLocation(ctx, engineerID, lat, lng, d.now()); err != nil {
		return err
	}
	return d.Refresh(ctx)
}

// batch plans a region's unassigned queue, the optimal plan beside the
// greedy one; a nil batch for a queue with nothing unassigned.
func (d *Dispatcher) batch(ctx context.Context, region string) ([]*aftercare.DispatchInput, *dispatch.Batch, error) {
	queue, err := d.store.FindDispatchQueue(ctx, region, maxBatch)
	if err != nil {
		return nil, nil, err
	}
	if err := d.Refresh(ctx); err != nil {
		return nil, nil, err
	}
	now := d.now()
	var inputs []*aftercare.DispatchInput
	var requests []dispatch.Request
	for _, item := range queue {
		if item.Assignment != nil {
			continue
		}
		in, err := d.store.FindDispatchInput(ctx, item.Incident.ID)
		if err != nil {
			return nil, nil, err
		}
		inputs = append(inputs, in)
		requests = append(requests, d.request(in, now, 1, 0))
	}
	if len(requests) == 0 {
		return nil, nil, nil
	}
	d.mu.RLock()
	started := time.Now()
	batch, err := d.index.Assign(requests)
	d.observeSearch("batch", started)
	d.mu.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	return inputs, &batch, nil
}

// PreviewOptimize is the plan Optimize would reserve now, reserving
// nothing: what a dispatcher looks at before applying it.
func (d *Dispatcher) PreviewOptimize(ctx context.Context, region string) (*aftercare.BatchPreview, error) {
	inputs, batch, err := d.batch(ctx, region)
	if err != nil || batch == nil {
		return &aftercare.BatchPreview{}, err
	}
	p := &aftercare.BatchPreview{OptimalTotal: batch.Optimal.Total, GreedyTotal: batch.Greedy.Total,
		GreedyMatched: len(batch.Greedy.Assignments)}
	for _, pa := range batch.Optimal.Assignments {
		c := pa.Candidate
		p.Proposals = append(p.Proposals, aftercare.PlannedAssignment{IncidentID: inputs[pa.Request].IncidentID,
			EngineerID: c.EngineerID, ETA: c.ETA, DistanceKm: c.DistanceKm, DepotID: c.Plan.DepotID})
	}
	for _, i := range batch.Optimal.Unassigned {
		p.Unassigned = append(p.Unassigned, inputs[i].IncidentID)
	}
	return p, nil
}

// maxBatch bounds the queue one Optimize call assigns.
const maxBatch = 100

// Optimize assigns a region's unassigned incidents by the least total
// travel time (the Hungarian algorithm, package dispatch) and reserves the
// plan. An incident whose planned engineer or part is taken meanwhile falls
// back to Assign. The result carries the greedy order's total beside the
// optimal one.
func (d *Dispatcher) Optimize(ctx context.Context, region string) (*aftercare.BatchPlan, error) {
	inputs, batch, err := d.batch(ctx, region)
	if err != nil {
		return nil, err
	}
	plan := &aftercare.BatchPlan{}
	if batch == nil {
		return plan, d.store.RecordOptimization(ctx, region, plan)
	}
	plan.OptimalTotal, plan.GreedyTotal = batch.Optimal.Total, batch.Greedy.Total
	plan.GreedyMatched = len(batch.Greedy.Assignments)
	planned := make(map[int]bool, len(batch.Optimal.Assignments))
	for _, pa := range batch.Optimal.Assignments {
		planned[pa.Request] = true
		in := inputs[pa.Request]
		c := pa.Candidate
		record, _ := json.Marshal(map[string]any{"batch": true, "optimal_total_s": batch.Optimal.Total.Seconds(),
			"greedy_total_s": batch.Greedy.Total.Seconds()})
		a, err := d.store.CreateAssignment(ctx, aftercare.AssignmentCreate{IncidentID: in.IncidentID, EngineerID: c.EngineerID,
			ETA: c.ETA, DistanceKm: c.DistanceKm, FromVan: needs(c.Plan.FromVan), DepotID: c.Plan.DepotID,
			FromDepot: needs(c.Plan.FromDepot), Decision: record})
		if aftercare.ErrorCode(err) == aftercare.ECONFLICT {
			a, err = d.Assign(ctx, in.IncidentID, "", "")
		}
		if err != nil {
			plan.Unassigned = append(plan.Unassigned, in.IncidentID)
			continue
		}
		plan.Assignments = append(plan.Assignments, a)
	}
	for i, in := range inputs {
		if !planned[i] {
			plan.Unassigned = append(plan.Unassigned, in.IncidentID)
		}
	}
	if err := d.store.RecordOptimization(ctx, region, plan); err != nil {
		return nil, err
	}
	return plan, d.Refresh(ctx)
}
