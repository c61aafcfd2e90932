package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// regionEventGap is the least time between two reads of a region's
// changes: a burst of location reports is read once, not once each.
const regionEventGap = 250 * time.Millisecond

// SubscribeRegionEvents follows a region's incident events (those the
// caller may see) and its engineers' changes from now until ctx ends. An
// engineer is sent again whenever their row's version moved.
func (s *SLAService) SubscribeRegionEvents(ctx context.Context, region string) (_ <-chan *aftercare.RegionEvent, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SubscribeRegionEvents(ctx, %q)", region))
	var exists bool
	if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, region).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "region %q not found", region)
	}
	s.db.listenOnce.Do(func() { s.db.listener = newListener(s.db.url) })
	events, cancelEvents := s.db.listener.subscribe(eventSubscribers)
	fleet, cancelFleet := s.db.listener.subscribe(fleetSubscribers)
	f := &regionFollower{db: s.db, region: region, versions: map[string]int64{}}
	if err := f.start(ctx); err != nil {
		cancelEvents()
		cancelFleet()
		return nil, err
	}
	out := make(chan *aftercare.RegionEvent, 64)
	go func() {
		defer close(out)
		defer cancelEvents()
		defer cancelFleet()
		tick := time.NewTicker(eventPoll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
			case <-fleet:
			case <-tick.C:
			}
			if err := f.send(ctx, out); err != nil {
				if ctx.Err() != nil {
					return
				}
				slog.Warn("follow region events", "region", region, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(regionEventGap):
			}
		}
	}()
	return out, nil
}

// regionFollower is where a region subscription has got to: the last
// incident event sent and each engineer's version.
type regionFollower struct {
	db       *DB
	region   string
	cursor   int64
	versions map[string]int64
}

// regionIncident restricts incident events to the region's sites.
const regionIncident = "EXISTS (SELECT 1 FROM sites rs WHERE rs.id = i.site_id AND rs.region = ?)"

func (f *regionFollower) eventWhere(ctx context.Context) (string, []any) {
	var q filter
	q.add(regionIncident, f.region)
	q.add("e.id > ?", f.cursor)
	q.addScope(ctx, scopeIncidents)
	return q.where(), q.args
}

// start records where the region stands now, which is not sent.
func (f *regionFollower) start(ctx context.Context) error {
	w, args := f.eventWhere(ctx)
	if err := f.db.pool.QueryRow(ctx, `
		SELECT coalesce(max(e.id), 0) FROM incident_events e JOIN incidents i ON i.id = e.incident_id`+w,
		args...).Scan(&f.cursor); err != nil {
		return err
	}
	_, err := f.changedEngineers(ctx, true)
	return err
}

// changedEngineers returns the IDs of the region's engineers whose version
// moved since the last look or who are new to it (none on the first look),
// and remembers the versions.
func (f *regionFollower) changedEngineers(ctx context.Context, first bool) ([]string, error) {
	var q filter
	q.add("e.region = ?", f.region)
	q.addScope(ctx, scopeEngineers)
	rows, err := f.db.pool.Query(ctx, `SELECT e.id, e.version FROM engineers e`+q.where(), q.args...)
	if err != nil {
		return nil, err
	}
	var changed []string
	var id string
	var version int64
	_, err = pgx.ForEachRow(rows, []any{&id, &version}, func() error {
		if seen, ok := f.versions[id]; !ok || seen != version {
			if !first {
				changed = append(changed, id)
			}
			f.versions[id] = version
		}
		return nil
	})
	return changed, err
}

// send sends the incident events after the cursor and the engineers that
// changed.
func (f *regionFollower) send(ctx context.Context, out chan<- *aftercare.RegionEvent) error {
	for more := true; more; {
		w, args := f.eventWhere(ctx)
		rows, err := f.db.pool.Query(ctx, eventSelect+w+" ORDER BY e.id LIMIT "+strconv.Itoa(eventPage), args...)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, scanEvent)
		if err != nil {
			return err
		}
		for _, e := range events {
			select {
			case out <- &aftercare.RegionEvent{IncidentEvent: e}:
				f.cursor = e.ID
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		more = len(events) == eventPage
	}
	changed, err := f.changedEngineers(ctx, false)
	if err != nil || len(changed) == 0 {
		return err
	}
	rows, err := f.db.pool.Query(ctx, engineerSelect+` WHERE e.id = ANY($1::uuid[]) ORDER BY e.code`, changed)
	if err != nil {
		return err
	}
	engineers, err := pgx.CollectRows(rows, scanEngineer)
	if err != nil {
		return err
	}
	for _, e := range engineers {
		select {
		case out <- &aftercare.RegionEvent{Engineer: e}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
