package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
)

// latency summarises the lateness of one phase.
type latency struct {
	want, got     int
	p50, p99, max time.Duration
}

func summarise(want int, late []time.Duration) latency {
	l := latency{want: want, got: len(late)}
	if len(late) == 0 {
		return l
	}
	slices.Sort(late)
	at := func(q float64) time.Duration { return late[min(len(late)-1, int(q*float64(len(late))))] }
	l.p50, l.p99, l.max = at(0.50), at(0.99), late[len(late)-1]
	return l
}

// run measures starts and memory with the open incidents, then lateness at
// each rate for the floor and for Aftercare, and writes the report.
func (b *benchSLA) run(ctx context.Context, out io.Writer) error {
	n := b.cfg.Incidents
	b.log.Info("starting bare workflows for the start-rate floor", "n", n)
	far := time.Now().Add(24 * time.Hour)
	began := time.Now()
	floorStarts, err := b.startAll(ctx, n, func(i int) error {
		return b.startFloor(ctx, b.prefix+"idle-"+strconv.Itoa(i), []time.Time{far}, floorOptions{Ready: true})
	})
	if err != nil {
		return fmt.Errorf("start bare workflows: %w", err)
	}
	if err := waitCount(&b.store.ready, n, began); err != nil {
		return fmt.Errorf("bare workflows: %w", err)
	}
	floorReady := time.Since(began)

	before := heap()
	b.log.Info("opening incidents with live clocks", "n", n)
	created := time.Now()
	for i := range n {
		id := b.prefix + "open-" + strconv.Itoa(i)
		// P4 platinum: a 1BD response and 5BD restore clock, due far after
		// the run, running the whole time.
		b.store.add(id, "open", incidentFacts(id, aftercare.P4, created, nil))
	}
	incidentStarts, err := b.startAll(ctx, n, func(i int) error {
		return b.startIncident(ctx, b.prefix+"open-"+strconv.Itoa(i))
	})
	if err != nil {
		return fmt.Errorf("start incidents: %w", err)
	}
	if err := waitCount(&b.store.started, n, created); err != nil {
		return fmt.Errorf("incidents starting their clocks: %w", err)
	}
	ready := time.Since(created)
	after := heap()
	perIncident := float64(after-min(before, after)) / float64(n)

	type row struct {
		rate                 float64
		floor, local, engine latency
	}
	var rows []row
	for _, rate := range b.cfg.Rates {
		var r row
		r.rate = rate
		for _, p := range []struct {
			kind string
			l    *latency
		}{{"floor", &r.floor}, {"floor-local", &r.local}, {"aftercare", &r.engine}} {
			if *p.l, err = b.phase(ctx, p.kind, rate); err != nil {
				return err
			}
		}
		rows = append(rows, r)
	}

	fmt.Fprintf(out, "Open incidents with live clocks: %d; measured escalations fall due over %s per rate.\n\n", n, b.cfg.Window)
	fmt.Fprintf(out, "| starts | count | seconds | per second |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(out, "| bare StartWorkflow | %d | %.1f | %.0f |\n", n, floorStarts.Seconds(), float64(n)/floorStarts.Seconds())
	fmt.Fprintf(out, "| bare workflow past its first task (one local activity) | %d | %.1f | %.0f |\n", n, floorReady.Seconds(), float64(n)/floorReady.Seconds())
	fmt.Fprintf(out, "| incident StartWorkflow | %d | %.1f | %.0f |\n", n, incidentStarts.Seconds(), float64(n)/incidentStarts.Seconds())
	fmt.Fprintf(out, "| incident clocks started (load, start clocks, record) | %d | %.1f | %.0f |\n\n", n, ready.Seconds(), float64(n)/ready.Seconds())
	fmt.Fprintf(out, "Worker heap per open incident (cached workflow state): %.1f KiB\n\n", perIncident/1024)
	fmt.Fprintf(out, "| rate /s | run | fired | p50 s | p99 s | max s | p99 vs floor | p99 vs local floor |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
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
		}{{"floor (activity)", r.floor, ""}, {"floor (local activity)", r.local, ""},
			{"aftercare", r.engine, ratio(r.engine.p99, r.floor.p99) + " | " + ratio(r.engine.p99, r.local.p99)}} {
			if x.cmp == "" {
				x.cmp = " | "
			}
			fmt.Fprintf(out, "| %.0f | %s | %d/%d | %.3f | %.3f | %.3f | %s |\n", r.rate, x.name, x.l.got, x.l.want,
				x.l.p50.Seconds(), x.l.p99.Seconds(), x.l.max.Seconds(), x.cmp)
		}
		if r.engine.got == r.engine.want && r.engine.p99 <= time.Second {
			best = max(best, r.rate)
		}
	}
	fmt.Fprintf(out, "\nHighest measured rate with Aftercare's p99 ≤ 1 s: %.0f escalations/s\n", best)
	return nil
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
// floor workflows or from incidents, and returns their lateness. Each
// incident's response clock has a 40 s target, so its four levels fall due
// 20, 30, 36 and 40 s after registration; registrations are spaced so the
// levels of all of them fall due at rate per second.
func (b *benchSLA) phase(ctx context.Context, kind string, rate float64) (latency, error) {
	phase := fmt.Sprintf("%s-%g", kind, rate)
	count := max(1, int(rate*b.cfg.Window.Seconds()/float64(len(benchLevels))))
	spacing := time.Duration(float64(len(benchLevels)) / rate * float64(time.Second))
	// Registrations start after every workflow of the phase can have
	// started, at a pessimistic 50 starts a second.
	lead := 5*time.Second + time.Duration(count)*20*time.Millisecond
	t0 := time.Now().Add(lead).Add(-benchLevels[0])
	b.log.Info("phase", "phase", phase, "workflows", count, "escalations", count*len(benchLevels))
	keys := make([]string, count)
	for i := range count {
		keys[i] = b.prefix + phase + "-" + strconv.Itoa(i)
		created := t0.Add(time.Duration(i) * spacing)
		b.store.add(keys[i], phase, incidentFacts(keys[i], aftercare.P4, created,
			map[string]string{"P4.response": fmt.Sprintf("%ds", int(benchTarget.Seconds()))}))
	}
	_, err := b.startAll(ctx, count, func(i int) error {
		if kind != "aftercare" {
			created := t0.Add(time.Duration(i) * spacing)
			dues := make([]time.Time, len(benchLevels))
			for j, off := range benchLevels {
				dues[j] = created.Add(off)
			}
			return b.startFloor(ctx, keys[i], dues, floorOptions{Local: kind == "floor-local"})
		}
		return b.startIncident(ctx, keys[i])
	})
	if err != nil {
		return latency{}, fmt.Errorf("%s: start workflows: %w", phase, err)
	}
	last := t0.Add(time.Duration(count-1)*spacing + benchLevels[len(benchLevels)-1])
	want := count * len(benchLevels)
	for time.Now().Before(last.Add(30*time.Second)) && len(b.store.lateness(phase)) < want {
		time.Sleep(250 * time.Millisecond)
	}
	return summarise(want, b.store.lateness(phase)), nil
}
