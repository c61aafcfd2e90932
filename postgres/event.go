package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// eventPoll is how often a subscription looks for events even without a
// notification, which covers notifications lost while the listener
// reconnects.
const eventPoll = 2 * time.Second

// eventPage is how many events a subscription reads at a time.
const eventPage = 100

const eventSelect = `
	SELECT e.id, e.incident_id, i.account_id, e.kind, coalesce(e.from_status, ''), coalesce(e.to_status, ''),
		e.reason, coalesce(e.actor_id::text, ''), e.at, e.data
	FROM incident_events e
	JOIN incidents i ON i.id = e.incident_id`

func scanEvent(row pgx.CollectableRow) (*aftercare.IncidentEvent, error) {
	var e aftercare.IncidentEvent
	err := row.Scan(&e.ID, &e.IncidentID, &e.AccountID, &e.Kind, &e.FromStatus, &e.ToStatus, &e.Reason, &e.ActorID,
		&e.At, &e.Data)
	return &e, err
}

// FindIncidentEvents returns the events of an incident the caller may see,
// oldest first.
func (s *SLAService) FindIncidentEvents(ctx context.Context, incidentID string) (_ []*aftercare.IncidentEvent, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindIncidentEvents(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, eventSelect+" WHERE e.incident_id = $1 ORDER BY e.id", incidentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEvent)
}

// FindEventsOfIncidents returns the events of each incident, as
// FindIncidentEvents, in two queries: the incidents the caller sees, then
// their events. An incident outside the scope gets nil.
func (s *SLAService) FindEventsOfIncidents(ctx context.Context, incidentIDs []string) (_ [][]*aftercare.IncidentEvent, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindEventsOfIncidents(ctx, %d IDs)", len(incidentIDs)))
	seen, ids, err := seenIDs(ctx, s.db.pool, "incidents i", "i.id", incidentIDs, scopeIncidents)
	if err != nil {
		return nil, err
	}
	found, err := findAnyOf(ctx, s.db.pool, eventSelect, &filter{}, "e.incident_id", ids, "e.id", scanEvent)
	if err != nil {
		return nil, err
	}
	return groupBy(incidentIDs, found, func(e *aftercare.IncidentEvent) string { return e.IncidentID }, seen), nil
}

// SubscribeIncidentEvents follows the events of an incident the caller may
// see, from now until ctx ends. Events written by any process arrive: the
// database announces each one on aftercare_events.
func (s *SLAService) SubscribeIncidentEvents(ctx context.Context, incidentID string) (_ <-chan *aftercare.IncidentEvent, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SubscribeIncidentEvents(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	return s.follow(ctx, "incident:"+incidentID, "e.incident_id = ?", incidentID)
}

// SubscribeAccountEvents follows the events of the incidents of an account
// the caller may see, from now until ctx ends; incidents of the account
// outside the caller's scope stay hidden.
func (s *SLAService) SubscribeAccountEvents(ctx context.Context, accountID string) (_ <-chan *aftercare.IncidentEvent, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.SubscribeAccountEvents(ctx, %q)", accountID))
	var one int
	if _, err := findOne(ctx, s.db.pool, `SELECT 1 FROM accounts a`, "a.id", "account", accountID, &scopeAccounts,
		func(row pgx.CollectableRow) (int, error) { return one, row.Scan(&one) }); err != nil {
		return nil, err
	}
	return s.follow(ctx, "account:"+accountID, "i.account_id = ?", accountID)
}

// follow streams the events matching cond (with one "?" for arg) within
// the caller's scope, newer than the newest at the call, whenever the
// listener signals key and at least every eventPoll.
func (s *SLAService) follow(ctx context.Context, key, cond string, arg any) (<-chan *aftercare.IncidentEvent, error) {
	s.db.listenOnce.Do(func() { s.db.listener = newListener(s.db.url) })
	signal, cancel := s.db.listener.subscribe(key)
	where := func(after int64) (string, []any) {
		var f filter
		f.add(cond, arg)
		f.add("e.id > ?", after)
		f.addScope(ctx, scopeIncidents)
		return f.where(), f.args
	}
	var cursor int64
	w, args := where(0)
	if err := s.db.pool.QueryRow(ctx, `
		SELECT coalesce(max(e.id), 0) FROM incident_events e JOIN incidents i ON i.id = e.incident_id`+w,
		args...).Scan(&cursor); err != nil {
		cancel()
		return nil, err
	}
	out := make(chan *aftercare.IncidentEvent, 16)
	go func() {
		defer close(out)
		defer cancel()
		tick := time.NewTicker(eventPoll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-signal:
			case <-tick.C:
			}
			// Drain in pages, so a burst larger than a page arrives at once.
			for more := true; more; {
				w, args := where(cursor)
				rows, err := s.db.pool.Query(ctx, eventSelect+w+" ORDER BY e.id LIMIT "+strconv.Itoa(eventPage), args...)
				var events []*aftercare.IncidentEvent
				if err == nil {
					events, err = pgx.CollectRows(rows, scanEvent)
				}
				if err != nil {
					if ctx.Err() == nil {
						slog.Warn("follow incident events", "key", key, "err", err)
					}
					break
				}
				for _, e := range events {
					select {
					case out <- e:
						cursor = e.ID
					case <-ctx.Done():
						return
					}
				}
				more = len(events) == eventPage
			}
		}
	}()
	return out, nil
}

// subscribe returns a channel that receives a pending signal whenever the
// listener signals key (see the subscriber keys above), and the function
// that ends the subscription.
func (l *listener) subscribe(key string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[string]map[chan struct{}]struct{}{}
	}
	if l.subs[key] == nil {
		l.subs[key] = map[chan struct{}]struct{}{}
	}
	l.subs[key][ch] = struct{}{}
	return ch, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs[key], ch)
		if len(l.subs[key]) == 0 {
			delete(l.subs, key)
		}
	}
}

// Subscriber keys besides "incident:<id>" and "account:<id>": every
// incident event, and every change of the fleet.
const (
	eventSubscribers = "events"
	fleetSubscribers = "fleet"
)

// broadcast signals the subscribers of an announced event, whose payload is
// "<incident id> <account id>".
func (l *listener) broadcast(payload string) {
	incidentID, accountID, _ := strings.Cut(payload, " ")
	l.notify("incident:"+incidentID, "account:"+accountID, eventSubscribers)
}

// notify signals the subscribers of each key.
func (l *listener) notify(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range keys {
		for ch := range l.subs[key] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}
