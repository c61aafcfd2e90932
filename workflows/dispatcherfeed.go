package workflows

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/dispatch"
)

// The dispatch index follows the fleet's change feed: how an engineer of
// the store is filed, how a refresh applies what changed, and how far the
// index trails the store.

// zones holds each time zone loaded, by name (a *time.Location): loading
// one reads and parses its file, and a fleet shares a handful of zones,
// whose locations, immutable, its calendars can share too.
var zones sync.Map

// loadZone returns the time zone of the name, loaded once.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// indexEngineer turns an engineer of the store into one of the index.
func indexEngineer(fe *aftercare.FleetEngineer) (dispatch.Engineer, error) {
	loc, err := loadZone(fe.TimeZone)
	if err != nil {
		return dispatch.Engineer{}, fmt.Errorf("engineer %s: time zone %q: %w", fe.Code, fe.TimeZone, err)
	}
	cal := dispatch.Calendar{Location: loc}
	for _, w := range fe.Shifts {
		cal.Week[w.Day] = append(cal.Week[w.Day], dispatch.Shift{Start: w.Start, End: w.End})
	}
	skills := make(map[string]int, len(fe.Skills))
	var expires map[string]time.Time
	for _, s := range fe.Skills {
		skills[s.ProductLine] = s.Level
		if s.ExpiresOn != nil {
			if expires == nil {
				expires = map[string]time.Time{}
			}
			expires[s.ProductLine] = certificationLapses(*s.ExpiresOn, loc)
		}
	}
	return dispatch.Engineer{ID: fe.ID, Lat: fe.Lat, Lng: fe.Lng, Skills: skills, Expires: expires,
		Clearance: fe.TierClearance, Calendar: cal, Capacity: fe.Capacity, Load: fe.Load, Van: fe.VanStock}, nil
}

// certificationLapses returns the instant a certification valid through
// the day expiresOn (a calendar date) lapses: the next midnight in the
// engineer's zone.
func certificationLapses(expiresOn time.Time, loc *time.Location) time.Time {
	y, m, d := expiresOn.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// Refresh applies to the index the fleet changes committed since the last
// refresh, each engineer and depot only when newer than the index's.
func (d *Dispatcher) Refresh(ctx context.Context) error {
	d.mu.RLock()
	cursor := d.cursor
	d.mu.RUnlock()
	started := time.Now()
	changes, err := d.store.FleetChangesSince(ctx, cursor)
	if err != nil {
		return fmt.Errorf("fleet changes: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range changes.Engineers {
		fe := &changes.Engineers[i]
		if fe.Version <= d.engineerVersions[fe.ID] {
			continue
		}
		if err := d.apply(fe); err != nil {
			return err
		}
		d.engineerVersions[fe.ID] = fe.Version
	}
	for _, fd := range changes.Depots {
		if fd.Version <= d.depotVersions[fd.ID] {
			continue
		}
		if err := d.index.PutDepot(dispatch.Depot{ID: fd.ID, Lat: fd.Lat, Lng: fd.Lng, Stock: fd.Stock}); err != nil {
			return fmt.Errorf("index depot %s: %w", fd.ID, err)
		}
		d.depotVersions[fd.ID] = fd.Version
	}
	// Every change the read's cursor has passed is now in the index, so
	// continuing from it is sound even when a concurrent refresh had
	// moved further: the next read returns again what that one applied.
	d.cursor = changes.Cursor
	if started.After(d.caughtUp) {
		d.caughtUp = started // a concurrent refresh that read later may have finished first
	}
	return nil
}

// Lag returns how far the index is behind the database: how long ago the
// read it last applied started, and how many engineers and depots have
// changed since. The age, which needs no database, is returned also with
// an error counting the changes.
func (d *Dispatcher) Lag(ctx context.Context) (aftercare.FleetIndexLag, error) {
	d.mu.RLock()
	cursor, caughtUp := d.cursor, d.caughtUp
	d.mu.RUnlock()
	lag := aftercare.FleetIndexLag{Age: time.Since(caughtUp)}
	pending, err := d.store.CountFleetChangesSince(ctx, cursor)
	if err != nil {
		return lag, fmt.Errorf("count fleet changes: %w", err)
	}
	lag.Pending = pending
	return lag, nil
}

// observeSearch tells the search observer, if any, how long a search
// that started at started took.
func (d *Dispatcher) observeSearch(kind string, started time.Time) {
	if d.searches != nil {
		d.searches.ObserveDispatchSearch(kind, time.Since(started))
	}
}

// apply files an engineer of the change feed in the index, or takes them
// out while they are not in service.
func (d *Dispatcher) apply(fe *aftercare.FleetEngineer) error {
	if !fe.InService {
		if err := d.index.Remove(fe.ID); err != nil && aftercare.ErrorCode(err) != aftercare.ENOTFOUND {
			return fmt.Errorf("unindex engineer %s: %w", fe.ID, err)
		}
		return nil
	}
	e, err := indexEngineer(fe)
	if err != nil {
		return err
	}
	if err := d.index.Put(e); err != nil {
		return fmt.Errorf("index engineer %s: %w", e.ID, err)
	}
	return nil
}

// fleetWaiter is a store that can tell when the fleet's change feed may
// have moved.
type fleetWaiter interface {
	WaitFleetChange(ctx context.Context, timeout time.Duration) error
}

// Follow keeps the index up with the store until ctx ends: it refreshes
// as soon as the store announces a fleet change, when it can, and at least
// every interval. Candidates reads the index without refreshing it, so an
// answer lags a committed change by at most the refresh it wakes, or by
// interval when announcements are lost (Lag tells how far behind it is).
func (d *Dispatcher) Follow(ctx context.Context, interval time.Duration) {
	w, announces := d.store.(fleetWaiter)
	var t *time.Ticker
	if !announces {
		t = time.NewTicker(interval)
		defer t.Stop()
	}
	for {
		if announces {
			if err := w.WaitFleetChange(ctx, interval); err != nil {
				return // ctx ended
			}
		} else {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		if err := d.Refresh(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("refresh dispatch index", "err", err)
		}
	}
}

// IndexedVersion returns the version of an engineer the index holds, false
// when it holds none.
func (d *Dispatcher) IndexedVersion(engineerID string) (int64, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.engineerVersions[engineerID]
	return v, ok
}
