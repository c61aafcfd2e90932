package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// latency summarises the lateness of one phase.
type latency struct {
	want, got     int
	repeats       int // completions after the first of an event
	p50, p99, max time.Duration
}

func summarise(want int, late []time.Duration, repeats int) latency {
	l := latency{want: want, got: len(late), repeats: repeats}
	if len(late) == 0 {
		return l
	}
	slices.Sort(late)
	at := func(q float64) time.Duration { return late[min(len(late)-1, int(q*float64(len(late))))] }
	l.p50, l.p99, l.max = at(0.50), at(0.99), late[len(late)-1]
	return l
}

// slaRow is one rate's three runs.
type slaRow struct {
	rate                 float64
	floor, local, engine latency
	// recorded and notified are what PostgreSQL holds afterwards for the
	// rate's incidents: response-clock escalations and notifications.
	recorded, notified int
}

// slaStarts is how fast workflows started and got going with the open
// incidents, and the worker heap each open incident took.
type slaStarts struct {
	floorStarts, floorReady               time.Duration
	filing, incidentStarts, incidentReady time.Duration
	perIncident                           float64
}

// run measures starts and memory with the open incidents, then lateness at
// each rate for the floor and for Aftercare, and writes the report.
func (b *benchSLA) run(ctx context.Context, out io.Writer) error {
	starts, err := b.openIncidents(ctx)
	if err != nil {
		return err
	}
	var rows []slaRow
	for _, rate := range b.cfg.Rates {
		r, err := b.measureRate(ctx, rate)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	wantDelivered := 0
	for _, r := range rows {
		wantDelivered += r.recorded
	}
	for deadline := time.Now().Add(time.Minute); b.sink.delivered.Load() < int64(wantDelivered) && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	b.writeReport(out, starts, rows, wantDelivered)
	return nil
}

// openIncidents starts as many bare workflows as incidents to keep open,
// for the start-rate floor, then files the open incidents and starts their
// workflows, and measures how fast each got going and the heap they took.
func (b *benchSLA) openIncidents(ctx context.Context) (slaStarts, error) {
	var s slaStarts
	n := b.cfg.Incidents
	b.log.Info("starting bare workflows for the start-rate floor", "n", n)
	far := time.Now().Add(24 * time.Hour)
	began := time.Now()
	var err error
	s.floorStarts, err = b.startAll(ctx, n, func(i int) error {
		return b.startFloor(ctx, b.prefix+"idle-"+strconv.Itoa(i), []time.Time{far}, floorOptions{Ready: true})
	})
	if err != nil {
		return s, fmt.Errorf("start bare workflows: %w", err)
	}
	if err := waitCount(&b.ledger.ready, n, began); err != nil {
		return s, fmt.Errorf("bare workflows: %w", err)
	}
	s.floorReady = time.Since(began)

	before := heap()
	b.log.Info("opening incidents with live clocks", "n", n)
	filed := time.Now()
	// P4 platinum: a 1BD response and 5BD restore clock, due far after the
	// run, running the whole time.
	open, err := b.world.insertIncidents(ctx, b.db, b.prefix+"open", b.world.openContract, 0, n, filed)
	if err != nil {
		return s, err
	}
	s.filing = time.Since(filed)
	b.ledger.assign("open", open)
	created := time.Now()
	s.incidentStarts, err = b.startAll(ctx, n, func(i int) error { return b.startIncident(ctx, open[i]) })
	if err != nil {
		return s, fmt.Errorf("start incidents: %w", err)
	}
	if err := waitCount(b.ledger, n, created); err != nil {
		return s, fmt.Errorf("incidents starting their clocks: %w", err)
	}
	s.incidentReady = time.Since(created)
	after := heap()
	s.perIncident = float64(after-min(before, after)) / float64(n)
	return s, nil
}

// measureRate runs the floor, the local floor and Aftercare at one rate and
// reads back what PostgreSQL holds for Aftercare's incidents.
func (b *benchSLA) measureRate(ctx context.Context, rate float64) (slaRow, error) {
	r := slaRow{rate: rate}
	for _, p := range []struct {
		kind string
		l    *latency
	}{{"floor", &r.floor}, {"floor-local", &r.local}, {"aftercare", &r.engine}} {
		stop := func() error { return nil }
		if p.kind == "aftercare" {
			var err error
			if stop, err = b.startCPUProfile(rate); err != nil {
				return r, err
			}
		}
		cpu0, began := processCPU(), time.Now()
		l, ids, err := b.phase(ctx, p.kind, rate)
		b.log.Info("phase done", "phase", fmt.Sprintf("%s-%g", p.kind, rate), "wall", time.Since(began).Round(time.Millisecond),
			"cpu_user_sys", (processCPU() - cpu0).Round(time.Millisecond))
		if perr := stop(); err == nil {
			err = perr
		}
		if err != nil {
			return r, err
		}
		*p.l = l
		if p.kind == "aftercare" {
			if r.recorded, r.notified, err = verify(ctx, b.db, ids); err != nil {
				return r, fmt.Errorf("read back rate %g: %w", rate, err)
			}
		}
	}
	return r, nil
}

// writeReport writes the Markdown report: the starts, then a row per rate and
// run, then the webhook deliveries of the measured escalations.
func (b *benchSLA) writeReport(out io.Writer, starts slaStarts, rows []slaRow, wantDelivered int) {
	n := b.cfg.Incidents
	floorStarts, floorReady, filing := starts.floorStarts, starts.floorReady, starts.filing
	incidentStarts, ready, perIncident := starts.incidentStarts, starts.incidentReady, starts.perIncident
	fmt.Fprintf(out, "Open incidents with live clocks: %d; measured escalations fall due over %s per rate; PostgreSQL store.\n\n",
		n, b.cfg.Window)
	fmt.Fprintf(out, "| starts | count | seconds | per second |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(out, "| bare StartWorkflow | %d | %.1f | %.0f |\n", n, floorStarts.Seconds(), float64(n)/floorStarts.Seconds())
	fmt.Fprintf(out, "| bare workflow past its first task (one local activity) | %d | %.1f | %.0f |\n", n, floorReady.Seconds(), float64(n)/floorReady.Seconds())
	fmt.Fprintf(out, "| incident rows filed (one INSERT … SELECT) | %d | %.1f | %.0f |\n", n, filing.Seconds(), float64(n)/filing.Seconds())
	fmt.Fprintf(out, "| incident StartWorkflow | %d | %.1f | %.0f |\n", n, incidentStarts.Seconds(), float64(n)/incidentStarts.Seconds())
	fmt.Fprintf(out, "| incident clocks started (mark started, load facts, start clocks, record: PostgreSQL) | %d | %.1f | %.0f |\n\n",
		n, ready.Seconds(), float64(n)/ready.Seconds())
	fmt.Fprintf(out, "Worker heap per open incident (cached workflow state): %.1f KiB\n\n", perIncident/1024)
	fmt.Fprintf(out, "| rate /s | run | fired | repeats | p50 s | p99 s | max s | p99 vs floor | p99 vs local floor | in PostgreSQL |\n")
	fmt.Fprintf(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	best := 0.0
	ratio := func(a, b time.Duration) string {
		if b <= 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
	}
	for _, r := range rows {
		for _, x := range []struct {
			name string
			l    latency
			cmp  string
		}{{"floor (activity)", r.floor, " | | "}, {"floor (local activity)", r.local, " | | "},
			{"aftercare", r.engine, ratio(r.engine.p99, r.floor.p99) + " | " + ratio(r.engine.p99, r.local.p99) + " | " +
				fmt.Sprintf("%d escalations, %d notifications", r.recorded, r.notified)}} {
			fmt.Fprintf(out, "| %.0f | %s | %d/%d | %d | %.3f | %.3f | %.3f | %s |\n", r.rate, x.name, x.l.got, x.l.want,
				x.l.repeats, x.l.p50.Seconds(), x.l.p99.Seconds(), x.l.max.Seconds(), x.cmp)
		}
		if r.engine.got == r.engine.want && r.engine.p99 <= time.Second {
			best = max(best, r.rate)
		}
	}
	fmt.Fprintf(out, "\nHighest measured rate with Aftercare's p99 ≤ 1 s: %.0f escalations/s\n", best)
	fmt.Fprintf(out, "Webhook deliveries of the measured escalations: %d of %d\n", b.sink.delivered.Load(), wantDelivered)
}

// waitCount waits until a counter reaches n, for at most 15 minutes from
// since.
func waitCount(c interface{ Load() int64 }, n int, since time.Time) error {
	for c.Load() < int64(n) {
		if time.Since(since) > 15*time.Minute {
			return fmt.Errorf("only %d of %d in 15 minutes", c.Load(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// phase lets escalations fall due at rate per second over the window, from
// floor workflows or from incidents, and returns their lateness and, for
// Aftercare, the incidents. Incidents are filed (a row, then the workflow
// start, as the intake relay does) at a steady pace while earlier ones
// escalate; each one's response clock has the bench's target, so its four
// levels fall due at 50, 75, 90 and 100 % of it after registration, and the
// pace makes levels fall due at rate per second once the first incidents
// reach their ladders. Each floor workflow starts at the same instant as
// its incident would and sleeps to the same instants.
func (b *benchSLA) phase(ctx context.Context, kind string, rate float64) (latency, []string, error) {
	levels := b.cfg.levels()
	phase := fmt.Sprintf("%s-%g", kind, rate)
	count := max(1, int(rate*b.cfg.Window.Seconds()/float64(len(levels))))
	spacing := time.Duration(float64(len(levels)) / rate * float64(time.Second))
	b.log.Info("phase", "phase", phase, "workflows", count, "escalations", count*len(levels))
	keys := make([]string, count)
	t0 := time.Now().Add(time.Second)
	sem := make(chan struct{}, b.cfg.Concurrency)
	errs := make(chan error, count)
	var wg sync.WaitGroup
	for i := range count {
		at := t0.Add(time.Duration(i) * spacing)
		time.Sleep(time.Until(at))
		if ctx.Err() != nil {
			break
		}
		if kind == "aftercare" {
			ids, err := b.world.insertIncidents(ctx, b.db, b.prefix+phase, b.world.measuredContract, i, 1, at)
			if err != nil {
				return latency{}, nil, err
			}
			keys[i] = ids[0]
		} else {
			keys[i] = b.prefix + phase + "-" + strconv.Itoa(i)
		}
		b.ledger.assign(phase, keys[i:i+1])
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if kind == "aftercare" {
				errs <- b.startIncident(ctx, keys[i])
				return
			}
			dues := make([]time.Time, len(levels))
			for j, off := range levels {
				dues[j] = at.Add(off)
			}
			errs <- b.startFloor(ctx, keys[i], dues, floorOptions{Local: kind == "floor-local"})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return latency{}, nil, fmt.Errorf("%s: start workflows: %w", phase, err)
		}
	}
	last := t0.Add(time.Duration(count-1)*spacing + levels[len(levels)-1])
	want := count * len(levels)
	for time.Now().Before(last.Add(30 * time.Second)) {
		if late, _ := b.ledger.lateness(phase); len(late) >= want {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	late, repeats := b.ledger.lateness(phase)
	return summarise(want, late, repeats), keys, nil
}

// startCPUProfile starts a CPU profile of the process for the Aftercare
// run at rate when the bench was asked for one, and returns the function
// that stops it and closes the file.
func (b *benchSLA) startCPUProfile(rate float64) (func() error, error) {
	if b.cfg.CPUProfile == "" {
		return func() error { return nil }, nil
	}
	path := b.cfg.CPUProfile
	if len(b.cfg.Rates) > 1 {
		path = profilePath(path, fmt.Sprintf("%g", rate))
	}
	return startCPUProfile(path)
}

// profilePath returns path with -part before its extension.
func profilePath(path, part string) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%s%s", strings.TrimSuffix(path, ext), part, ext)
}

// startCPUProfile starts a CPU profile of the process into the file at
// path, and returns the function that stops it and closes the file.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
