package bench

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// The SLA bench runs on a real PostgreSQL database: a fresh one, created on
// the server of -database-server and dropped at the end, or the one named
// by -database-url. It is migrated, and seeded with only what the bench's
// incidents need: one account with a site and an asset, two platinum
// contracts (one with the bench's short response target), and the people
// their escalations are routed to (account manager, region dispatcher,
// duty manager, two service directors, the customer contact's user).

// benchWorld is what the seed made, by ID, that incidents are filed with.
type benchWorld struct {
	suffix                         string
	account, site, asset           string
	openContract, measuredContract string
	contactEmail, contactName      string
}

// openBenchDatabase opens the bench's database: the given URL, or a fresh
// database on server that drop removes.
func openBenchDatabase(ctx context.Context, url, server string) (db *postgres.DB, drop func(), err error) {
	drop = func() {}
	if url == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "aftercare_bench_" + hex.EncodeToString(b[:])
		if url, err = postgres.CreateDatabase(ctx, server, name); err != nil {
			return nil, nil, fmt.Errorf("create bench database on %s (is PostgreSQL running? scripts/postgres.sh): %w", server, err)
		}
		drop = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = postgres.DropDatabase(ctx, server, name)
		}
	}
	if db, err = postgres.Open(ctx, url); err != nil {
		drop()
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return db, drop, nil
}

// seedBench inserts what the bench's incidents need; target is the
// response target of the measured incidents' contract.
func seedBench(ctx context.Context, db *postgres.DB, target time.Duration) (*benchWorld, error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	w := &benchWorld{suffix: hex.EncodeToString(b[:]), contactName: "Bench Contact",
		account: newUUID(), site: newUUID(), asset: newUUID(), openContract: newUUID(), measuredContract: newUUID()}
	w.contactEmail = "it." + w.suffix + "@customer.example"
	manager, dispatcher, duty, director1, director2, it := newUUID(), newUUID(), newUUID(), newUUID(), newUUID(), newUUID()
	script := fmt.Sprintf(`
		INSERT INTO regions VALUES ('bench', 'Bench region') ON CONFLICT DO NOTHING;
		INSERT INTO product_lines VALUES ('bench_server', 'Bench server', 'server') ON CONFLICT DO NOTHING;
		INSERT INTO accounts (id, code, name) VALUES ('%[2]s', 'BENCH-%[1]s', 'Bench %[1]s');
		INSERT INTO users (id, username, display_name, email, role, account_id) VALUES
			('%[3]s', 'am.%[1]s', 'Bench AM', 'am.%[1]s@aftercare.example', 'account_manager', NULL),
			('%[4]s', 'dispatcher.%[1]s', 'Bench Dispatcher', 'dispatcher.%[1]s@aftercare.example', 'dispatcher', NULL),
			('%[5]s', 'duty.%[1]s', 'Bench Duty Manager', 'duty.%[1]s@aftercare.example', 'dispatcher', NULL),
			('%[6]s', 'director1.%[1]s', 'Bench Director 1', 'director1.%[1]s@aftercare.example', 'service_director', NULL),
			('%[7]s', 'director2.%[1]s', 'Bench Director 2', 'director2.%[1]s@aftercare.example', 'service_director', NULL),
			('%[8]s', 'it.%[1]s', 'Bench Contact', '%[9]s', 'customer_it', '%[2]s');
		INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
			('g', 'user:%[4]s', 'dispatcher', 'region:bench'),
			('g', 'user:%[3]s', 'account_manager', 'account:%[2]s');
		INSERT INTO duty_managers (region, user_id) VALUES ('bench', '%[5]s')
			ON CONFLICT (region) DO UPDATE SET user_id = EXCLUDED.user_id;
		INSERT INTO sites (id, account_id, name, address, city, country, region, lat, lng, time_zone)
			VALUES ('%[10]s', '%[2]s', 'HQ', '1 Bench Road', 'Shanghai', 'CN', 'bench', 31.23, 121.47, 'Asia/Shanghai');
		INSERT INTO assets (id, account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
			VALUES ('%[11]s', '%[2]s', '%[10]s', upper('BENCH-%[1]s'), 'bench_server', 'SR650 V3', current_date - 30, current_date + 1000);
		INSERT INTO contracts (id, number, account_id, tier, status, starts_on, ends_on, account_manager_id, sla_overrides) VALUES
			('%[12]s', 'CT-BENCH-OPEN-%[1]s', '%[2]s', 'platinum', 'active', current_date - 30, current_date + 300, '%[3]s', '{}'),
			('%[13]s', 'CT-BENCH-MEASURED-%[1]s', '%[2]s', 'platinum', 'active', current_date - 30, current_date + 300, '%[3]s',
				'{"P4.response": "%[14]ds"}');
		INSERT INTO contract_assets VALUES ('%[12]s', '%[11]s'), ('%[13]s', '%[11]s')`,
		w.suffix, w.account, manager, dispatcher, duty, director1, director2, it, w.contactEmail,
		w.site, w.asset, w.openContract, w.measuredContract, int(target.Seconds()))
	if err := db.ExecScript(ctx, script); err != nil {
		return nil, fmt.Errorf("seed the bench: %w", err)
	}
	return w, nil
}

// insertIncidents files n platinum P4 incidents under a contract, all
// registered at, which must not be in the future, and returns their IDs:
// those of the incidents from to from+n-1 of key.
func (w *benchWorld) insertIncidents(ctx context.Context, db *postgres.DB, key, contract string, from, n int, at time.Time) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = md5UUID(key + "-" + fmt.Sprint(from+i))
	}
	script := fmt.Sprintf(`
		INSERT INTO incidents (id, account_id, site_id, asset_id, contract_id, tier, priority, category, symptoms, status,
			contact_name, contact_email, client_request_id, created_at, workflow_id)
		SELECT md5('%[1]s-' || g)::uuid, '%[2]s', '%[3]s', '%[4]s', '%[5]s', 'platinum', 'P4', 'hardware_failure',
			'Bench incident', 'new', '%[6]s', '%[7]s', '%[1]s-' || g,
			'%[8]s'::timestamptz, 'incident-' || md5('%[1]s-' || g)::uuid
		FROM generate_series(%[9]d, %[10]d) g`,
		key, w.account, w.site, w.asset, contract, w.contactName, w.contactEmail,
		at.UTC().Format(time.RFC3339Nano), from, from+n-1)
	if err := db.ExecScript(ctx, script); err != nil {
		return nil, fmt.Errorf("file %d bench incidents: %w", n, err)
	}
	return ids, nil
}

// md5UUID is PostgreSQL's md5(s)::uuid.
func md5UUID(s string) string {
	h := md5.Sum([]byte(s))
	x := hex.EncodeToString(h[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// benchLedger keeps, in the bench's memory, which phase each incident or
// floor workflow belongs to and how late each escalation or floor activity
// completed. Each event counts once, at its first completion.
type benchLedger struct {
	mu      sync.Mutex
	phase   map[string]string // incident or floor key → phase
	late    map[string][]time.Duration
	seen    map[string]bool // event keys recorded
	repeats map[string]int  // phase → completions after the first
	started map[string]bool // incidents whose clocks_started change committed
	ready   atomic.Int64    // floor workflows past their first local activity
}

func newBenchLedger() *benchLedger {
	return &benchLedger{phase: map[string]string{}, late: map[string][]time.Duration{}, seen: map[string]bool{},
		repeats: map[string]int{}, started: map[string]bool{}}
}

func (l *benchLedger) assign(phase string, keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.phase[k] = phase
	}
}

// record notes that the event of key (an incident or floor workflow)
// completed now, due at due.
func (l *benchLedger) record(key, event string, due time.Time) {
	late := time.Since(due)
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.phase[key]
	if l.seen[event] {
		l.repeats[p]++
		return
	}
	l.seen[event] = true
	l.late[p] = append(l.late[p], late)
}

func (l *benchLedger) lateness(phase string) ([]time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.late[phase]), l.repeats[phase]
}

func (l *benchLedger) markStarted(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started[id] = true
}

// Load returns how many incidents have started their clocks.
func (l *benchLedger) Load() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.started))
}

// timedSLA is the production SLA store, PostgreSQL, with the ledger told
// when each write has committed: an escalation counts as fired once its
// transaction (escalation, notifications, event, outbox) is durable.
type timedSLA struct {
	*postgres.SLAService
	ledger *benchLedger
}

// RecordIncidentChange records the change and notes started clocks.
func (s timedSLA) RecordIncidentChange(ctx context.Context, c aftercare.IncidentChange) error {
	if err := s.SLAService.RecordIncidentChange(ctx, c); err != nil {
		return err
	}
	if c.Kind == "clocks_started" {
		s.ledger.markStarted(c.IncidentID)
	}
	return nil
}

// RecordEscalation records the escalation and notes how late it committed.
func (s timedSLA) RecordEscalation(ctx context.Context, e aftercare.EscalationFired, webhooks []string) error {
	if err := s.SLAService.RecordEscalation(ctx, e, webhooks); err != nil {
		return err
	}
	s.ledger.record(e.IncidentID, e.Key, e.DueAt)
	return nil
}

// webhookSink is an HTTP endpoint that accepts and counts webhook
// deliveries, standing in for the notification gateway.
type webhookSink struct {
	srv       *http.Server
	url       string
	delivered atomic.Int64
	keys      sync.Map
}

func newWebhookSink() (*webhookSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &webhookSink{url: "http://" + ln.Addr().String() + "/hook"}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, dup := s.keys.LoadOrStore(r.Header.Get("Idempotency-Key"), true); !dup {
			s.delivered.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *webhookSink) close() { _ = s.srv.Close() }

// verify reads back what PostgreSQL holds for the measured incidents:
// escalation levels recorded and notifications written.
func verify(ctx context.Context, db *postgres.DB, ids []string) (escalations, notifications int, err error) {
	ctx = aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true})
	slas, notes := postgres.NewSLAService(db), postgres.NewNotificationService(db)
	for _, id := range ids {
		escs, err := slas.FindEscalations(ctx, id)
		if err != nil {
			return 0, 0, err
		}
		ns, err := notes.FindNotifications(ctx, id)
		if err != nil {
			return 0, 0, err
		}
		for _, e := range escs {
			if e.Clock == aftercare.ClockResponse {
				escalations++
			}
		}
		notifications += len(ns)
	}
	return escalations, notifications, nil
}
