package demo

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// HistoryConfig says how much incident history SeedHistory loads.
type HistoryConfig struct {
	// Seed drives every random choice; the same Seed over the same demo
	// data loads the same rows, IDs included.
	Seed int64
	// Incidents is the number of closed incidents to load.
	Incidents int
	// Now ends the history: incidents are filed evenly over the Days
	// before it, the last a few days before Now.
	Now  time.Time
	Days int
}

// seedStreamHistory is the random stream of historical incidents, apart
// from the streams of seeder.go.
const seedStreamHistory uint64 = 64

// historyAsset is an asset incidents can be filed for, with what its
// clocks and credits follow.
type historyAsset struct {
	id, account, site uuid
	// contract is the asset's latest contract, nil when it has none.
	contract        *uuid
	region          string
	tier            aftercare.Tier
	onSite          bool
	creditPerBreach float64
}

// historyPlan is what SeedHistory reads from the demo data before it
// derives the incidents.
type historyPlan struct {
	cfg       HistoryConfig
	assets    []historyAsset
	engineers map[string][]uuid
	all       []uuid
	start     time.Time
	every     time.Duration
}

// SeedHistory loads cfg.Incidents closed incidents into a seeded database,
// in one transaction, with what KPIs are computed from: their SLA clocks
// (24x7 wall-clock targets by priority; met or breached), lifecycle events
// (triage, arrivals on site, resolution, closure), assignments (one per
// visit, some declined before), surveys, and the breach escalations with
// the service credits their contracts give, within the monthly cap. Rows
// stream with COPY with the historyTriggers held, and the KPI facts and
// counters are rebuilt once at the end. It answers EINVALID for a config
// it cannot load, and for a database with no assets or engineers.
func SeedHistory(ctx context.Context, db *postgres.DB, cfg HistoryConfig) (_ map[string]int64, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("demo.SeedHistory(%d incidents): %w", cfg.Incidents, err)
		}
	}()
	if cfg.Days == 0 {
		cfg.Days = 730
	}
	switch {
	case cfg.Incidents < 0 || cfg.Days < 7:
		return nil, aftercare.Errorf(aftercare.EINVALID, "history: %d incidents over %d days cannot be loaded", cfg.Incidents, cfg.Days)
	case cfg.Now.IsZero():
		return nil, aftercare.Errorf(aftercare.EINVALID, "history: the end Now is required")
	}
	counts := map[string]int64{}
	err = db.BulkLoad(ctx, func(l *postgres.Loader) error {
		// A database seeded a moment ago has no statistics yet, and
		// without them the planner walks contract_assets once per asset.
		if _, err := l.Exec(ctx, `ANALYZE assets, sites, contract_assets, contracts, entitlements, engineers`); err != nil {
			return err
		}
		p, err := planHistory(ctx, l, cfg)
		if err != nil {
			return err
		}
		if err := setHistoryTriggers(ctx, l, "DISABLE"); err != nil {
			return err
		}
		for _, t := range historyTables {
			n, err := l.Copy(ctx, t.name, t.columns, p.rows(t.rows))
			if err != nil {
				return err
			}
			counts[t.name] = n
		}
		for _, stmt := range []string{
			// Breaches earn their contract's credit until the month's cap is
			// spent, in the order they fell due, as creditBreach does live.
			`WITH ranked AS (
				SELECT x.incident_id, x.clock, x.level, c.credit_percent_per_breach AS per, coalesce(c.credit_cap_percent, 100) AS cap,
					row_number() OVER (PARTITION BY c.id, date_trunc('month', x.fired_at AT TIME ZONE 'UTC')
						ORDER BY x.fired_at, x.incident_id, x.clock) AS n
				FROM escalations x JOIN incidents i ON i.id = x.incident_id JOIN contracts c ON c.id = i.contract_id
				WHERE x.percent = 100 AND c.credit_percent_per_breach IS NOT NULL AND i.client_request_id LIKE 'history-%')
			UPDATE escalations x SET service_credit_percent = least(r.per, greatest(r.cap - (r.n - 1) * r.per, 0))
			FROM ranked r WHERE (x.incident_id, x.clock, x.level) = (r.incident_id, r.clock, r.level)`,
			`ANALYZE incidents, sla_clocks, incident_events, assignments, surveys, escalations`,
		} {
			if _, err := l.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		if err := setHistoryTriggers(ctx, l, "ENABLE"); err != nil {
			return err
		}
		_, err = l.Exec(ctx, `SELECT kpi_rebuild()`)
		return err
	})
	return counts, err
}

// historyTriggers are the triggers SeedHistory holds while it loads, by
// table: the incident-event notifications (one per row would flood the
// listeners), the copy of an incident's keys into its assignments (the
// history writes them itself), and the KPI triggers (the facts are rebuilt
// once at the end).
var historyTriggers = [][2]string{
	{"incidents", "incidents_kpi"},
	{"incident_events", "incident_events_notify"},
	{"incident_events", "incident_events_kpi"},
	{"sla_clocks", "sla_clocks_insert_kpi"},
	{"assignments", "assignments_copy_incident"},
	{"assignments", "assignments_insert_kpi"},
	{"surveys", "surveys_insert_kpi"},
	{"escalations", "escalations_insert_kpi"},
	{"escalations", "escalations_update_kpi"},
	{"engineers", "engineers_kpi"},
}

// setHistoryTriggers enables or disables the historyTriggers, within the
// transaction: a failed load leaves them as they were.
func setHistoryTriggers(ctx context.Context, l *postgres.Loader, action string) error {
	for _, t := range historyTriggers {
		if _, err := l.Exec(ctx, "ALTER TABLE "+t[0]+" "+action+" TRIGGER "+t[1]); err != nil {
			return err
		}
	}
	return nil
}

// planHistory reads the assets, with their sites and contracts, and the
// engineers by region.
func planHistory(ctx context.Context, l *postgres.Loader, cfg HistoryConfig) (*historyPlan, error) {
	p := &historyPlan{cfg: cfg, engineers: map[string][]uuid{}}
	var a historyAsset
	err := l.Query(ctx, `
		SELECT a.id, a.account_id, a.site_id, s.region, c.id, coalesce(c.tier, 'standard'),
			coalesce(c.on_site, false), coalesce(c.credit_percent_per_breach, 0)::float8
		FROM assets a
		JOIN sites s ON s.id = a.site_id
		LEFT JOIN LATERAL (
			SELECT c.id, c.tier, c.credit_percent_per_breach,
				EXISTS (SELECT 1 FROM entitlements e WHERE e.contract_id = c.id AND e.kind = 'on_site') AS on_site
			FROM contract_assets ca JOIN contracts c ON c.id = ca.contract_id
			WHERE ca.asset_id = a.id ORDER BY c.ends_on DESC, c.id LIMIT 1) c ON true
		ORDER BY a.serial_number`, nil,
		[]any{&a.id, &a.account, &a.site, &a.region, &a.contract, &a.tier, &a.onSite, &a.creditPerBreach}, func() error {
			p.assets = append(p.assets, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	var id uuid
	var region string
	err = l.Query(ctx, `SELECT id, region FROM engineers ORDER BY code`, nil, []any{&id, &region}, func() error {
		p.engineers[region] = append(p.engineers[region], id)
		p.all = append(p.all, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p.assets) == 0 || len(p.all) == 0 {
		return nil, aftercare.Errorf(aftercare.EINVALID, "history: load the demo data first; there are %d assets and %d engineers",
			len(p.assets), len(p.all))
	}
	end := cfg.Now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	p.start = end.AddDate(0, 0, -cfg.Days)
	if cfg.Incidents > 0 {
		p.every = end.Sub(p.start) / time.Duration(cfg.Incidents)
	}
	return p, nil
}

// rows streams the rows of one table, incident by incident.
func (p *historyPlan) rows(of func(*historyIncident) [][]any) func() ([]any, error) {
	k := 0
	var pending [][]any
	return func() ([]any, error) {
		for len(pending) == 0 {
			if k == p.cfg.Incidents {
				return nil, nil
			}
			pending = of(p.incident(k))
			k++
		}
		row := pending[0]
		pending = pending[1:]
		return row, nil
	}
}

// historyClock is one clock of a historical incident.
type historyClock struct {
	kind              aftercare.ClockKind
	target            aftercare.SLATarget
	deadline, stopped time.Time
}

func (c historyClock) breached() bool { return c.stopped.After(c.deadline) }

// historyIncident is one historical incident, derived again from its
// index whenever a table needs its rows.
type historyIncident struct {
	k        int
	id       uuid
	asset    *historyAsset
	priority aftercare.Priority
	category string
	created  time.Time
	clocks   []historyClock
	// arrivals are the visits on site; none for a remote fix.
	arrivals []time.Time
	engineer uuid
	// declined is an engineer who turned the job down first, or nil.
	declined         *uuid
	resolved, closed time.Time
	surveyed         bool
	score            int
	answered         time.Time
}

// The targets of the history's clocks by priority, wall-clock (24x7); a
// zero on-site target means the priority has no on-site clock.
var historyTargets = map[aftercare.Priority][3]time.Duration{
	aftercare.P1: {15 * time.Minute, 4 * time.Hour, 6 * time.Hour},
	aftercare.P2: {30 * time.Minute, 8 * time.Hour, 24 * time.Hour},
	aftercare.P3: {2 * time.Hour, 24 * time.Hour, 72 * time.Hour},
	aftercare.P4: {8 * time.Hour, 0, 120 * time.Hour},
}

var historyCategories = []string{"hardware_failure", "performance", "software", "physical_damage", "data_loss", "installation"}

// incident derives the k-th incident: filed at an even pace with up to an
// hour's jitter, priorities 10/25/40/25 %, each clock stopping after its
// target times a log-normal factor (median 0.6, so about one in six
// breaches; a slow incident is slow on every clock), one visit or, one
// time in eight, two, where on-site service is entitled (a fifth of P3
// and every P4 fixed remotely); one in ten jobs
// declined once first; surveys sent for four in five and answered by
// three in five of those, scores lower after a breach.
func (p *historyPlan) incident(k int) *historyIncident {
	r := rand.New(rand.NewPCG(uint64(p.cfg.Seed), seedMix(seedStreamHistory<<48^uint64(k))))
	h := &historyIncident{k: k, id: seedUUID(r), asset: &p.assets[r.IntN(len(p.assets))]}
	h.created = p.start.Add(time.Duration(k)*p.every + time.Duration(r.Int64N(int64(time.Hour)))).Truncate(time.Second)
	h.priority = aftercare.Priorities[seedWeighted(r, []int{10, 25, 40, 25})]
	h.category = historyCategories[r.IntN(len(historyCategories))]
	targets := historyTargets[h.priority]
	slow := r.NormFloat64() * 0.4
	factor := func() float64 { return math.Exp(math.Log(0.6) + slow + r.NormFloat64()*0.35) }
	clock := func(kind aftercare.ClockKind, target time.Duration) historyClock {
		stop := h.created.Add(time.Duration(float64(target) * factor())).Truncate(time.Second)
		return historyClock{kind: kind, target: aftercare.WallTarget(target), deadline: h.created.Add(target), stopped: stop}
	}
	response := clock(aftercare.ClockResponse, targets[0])
	restore := clock(aftercare.ClockRestore, targets[2])
	restore.stopped = later(restore.stopped, response.stopped.Add(time.Minute))
	h.clocks = []historyClock{response}
	remote := targets[1] == 0 || !h.asset.onSite || h.priority == aftercare.P3 && r.IntN(5) == 0
	if !remote {
		onSite := clock(aftercare.ClockOnSite, targets[1])
		onSite.stopped = later(onSite.stopped, response.stopped.Add(time.Minute))
		restore.stopped = later(restore.stopped, onSite.stopped.Add(30*time.Minute))
		h.clocks = append(h.clocks, onSite)
		h.arrivals = []time.Time{onSite.stopped}
		if r.IntN(8) == 0 {
			second := onSite.stopped.Add(restore.stopped.Sub(onSite.stopped) / 2)
			h.arrivals = append(h.arrivals, second)
		}
		engineers := p.engineers[h.asset.region]
		if len(engineers) == 0 {
			engineers = p.all
		}
		h.engineer = engineers[r.IntN(len(engineers))]
		if r.IntN(10) == 0 {
			declined := engineers[r.IntN(len(engineers))]
			h.declined = &declined
		}
	}
	h.clocks = append(h.clocks, restore)
	h.resolved = restore.stopped.Add(time.Duration(5+r.IntN(55)) * time.Minute)
	h.closed = h.resolved.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	if h.surveyed = r.IntN(5) < 4; h.surveyed && r.IntN(5) < 3 {
		weights := []int{3, 4, 10, 38, 45}
		if restore.breached() {
			weights = []int{12, 15, 25, 30, 18}
		}
		h.score = 1 + seedWeighted(r, weights)
		h.answered = h.resolved.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	}
	return h
}

// later returns the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// historyTables are the tables SeedHistory loads, parents first, with the
// rows each incident gives them.
var historyTables = []struct {
	name    string
	columns []string
	rows    func(*historyIncident) [][]any
}{
	{"incidents", []string{"id", "account_id", "site_id", "asset_id", "contract_id", "tier", "priority", "category", "symptoms",
		"status", "contact_name", "contact_email", "client_request_id", "created_at", "updated_at", "workflow_id", "workflow_started_at"},
		func(h *historyIncident) [][]any {
			a := h.asset
			var contract any
			if a.contract != nil {
				contract = *a.contract
			}
			id := uuidString(h.id)
			return [][]any{{h.id, a.account, a.site, a.id, contract, string(a.tier), string(h.priority), h.category,
				"Reported through the service desk", string(aftercare.StatusClosed), "Service Desk", "servicedesk@example.com",
				fmt.Sprintf("history-%d", h.k), h.created, h.closed, aftercare.IncidentWorkflowID(id), h.created}}
		}},
	{"sla_clocks", []string{"incident_id", "kind", "target", "coverage", "time_zone", "started_at", "deadline", "stopped_at",
		"budget_seconds", "paused_seconds", "state", "events", "version", "updated_at"},
		func(h *historyIncident) [][]any {
			out := make([][]any, len(h.clocks))
			for i, c := range h.clocks {
				state := aftercare.ClockMet
				if c.breached() {
					state = aftercare.ClockBreached
				}
				events, _ := json.Marshal([]aftercare.ClockEvent{
					{Kind: aftercare.ClockEventStarted, At: h.created, By: "system", Terms: aftercare.SLATerms{Target: c.target, Coverage: aftercare.Coverage24x7}},
					{Kind: aftercare.ClockEventStopped, At: c.stopped, By: "system"}})
				out[i] = []any{h.id, string(c.kind), c.target.String(), "24x7", "UTC", h.created, c.deadline, c.stopped,
					int64(c.deadline.Sub(h.created).Seconds()), int64(0), string(state), string(events), int64(1), c.stopped}
			}
			return out
		}},
	{"incident_events", []string{"incident_id", "kind", "from_status", "to_status", "at"},
		func(h *historyIncident) [][]any {
			out := [][]any{{h.id, "transition", "new", "triaged", h.clocks[0].stopped}}
			for i, t := range h.arrivals {
				from := "en_route"
				if i > 0 {
					from = "dispatched"
				}
				out = append(out, []any{h.id, "transition", from, "on_site", t})
			}
			from := "verified"
			if len(h.arrivals) == 0 {
				from = "triaged"
			}
			return append(out, []any{h.id, "transition", from, "resolved", h.resolved},
				[]any{h.id, "transition", "resolved", "closed", h.closed})
		}},
	{"assignments", []string{"id", "incident_id", "engineer_id", "state", "eta", "distance_km", "created_at", "updated_at",
		"account_id", "site_id", "asset_id"},
		func(h *historyIncident) [][]any {
			var out [][]any
			r := rand.New(rand.NewPCG(binary.BigEndian.Uint64(h.id[:8]), binary.BigEndian.Uint64(h.id[8:])))
			row := func(engineer uuid, state string, at time.Time) {
				out = append(out, []any{seedUUID(r), h.id, engineer, state, at.Add(time.Hour), float64(5 + r.IntN(60)), at, at,
					h.asset.account, h.asset.site, h.asset.id})
			}
			if len(h.arrivals) > 0 && h.declined != nil {
				row(*h.declined, "declined", h.clocks[0].stopped)
			}
			for _, t := range h.arrivals {
				row(h.engineer, "completed", t.Add(-time.Hour))
			}
			return out
		}},
	{"surveys", []string{"incident_id", "token", "contact_email", "sent_at", "expires_at", "score", "answered_at"},
		func(h *historyIncident) [][]any {
			if !h.surveyed {
				return nil
			}
			var score, answered any
			if h.score > 0 {
				score, answered = int16(h.score), h.answered
			}
			sent := h.resolved.Add(time.Hour)
			return [][]any{{h.id, "history-" + uuidString(h.id), "servicedesk@example.com", sent, sent.AddDate(0, 0, 14), score, answered}}
		}},
	{"escalations", []string{"incident_id", "clock", "level", "percent", "due_at", "fired_at", "actions"},
		func(h *historyIncident) [][]any {
			var out [][]any
			for _, c := range h.clocks {
				if c.breached() {
					out = append(out, []any{h.id, string(c.kind), int16(4), int16(100), c.deadline, c.deadline, []string{"breach"}})
				}
			}
			return out
		}},
}

// HistoryIncidents counts the incidents SeedHistory loaded.
func HistoryIncidents(ctx context.Context, db *postgres.DB) (int64, error) {
	var n int64
	if err := db.QueryRow(ctx, `SELECT count(*) FROM incidents WHERE client_request_id LIKE 'history-%'`, nil, &n); err != nil {
		return 0, fmt.Errorf("demo.HistoryIncidents: %w", err)
	}
	return n, nil
}
