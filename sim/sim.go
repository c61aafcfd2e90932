// Package sim runs a day of a service organisation against a running
// Aftercare, only through its public GraphQL and WebSocket API, as the
// organisation's users would: corporate IT files incidents by hour of day,
// city, tier and priority (retrying and sending duplicates with the same
// client request ID), dispatchers work their regions' queues, engineers
// accept or decline, travel, repair and complete, administrators bring an
// asset and an engineer into service mid-day, account managers read their
// accounts, customers approve or reject quotes and answer surveys.
//
// Time is compressed: a simulated second lasts 1/SpeedUp of a real one.
// The system's clock is real, so the day's SLA targets are set through
// the API to the policy's targets divided by the speed-up, on a 24x7
// coverage, and every engineer is put on a round-the-clock rota: SLA
// clocks then run on real Temporal timers and escalations fire during the
// run. At the end of the day filing stops, engineers finish their jobs,
// and what is still open is cancelled, so that the checks of package
// sim/invariants see a day that has ended.
package sim

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Config is the shape of a simulated day.
type Config struct {
	// Hours is how many simulated hours the day lasts.
	Hours float64
	// SpeedUp is how many simulated seconds pass in a real one.
	SpeedUp float64
	// Seed makes the day's arrivals and choices reproducible.
	Seed uint64
	// Incidents is how many incidents a whole simulated day of 24 hours
	// brings; a shorter day brings its hours' share, by the hour-of-day
	// profile.
	Incidents int
	// StartHour is the simulated hour of day the run starts at.
	StartHour float64
	// Drain bounds the real time the wind-down waits for engineers to
	// finish before cancelling what is left.
	Drain time.Duration
}

// Env is where the day runs.
type Env struct {
	// URLs are the API replicas' base URLs.
	URLs []string
	// Mint returns a bearer token for a user, as signing in would.
	Mint func(ctx context.Context, username string) (string, error)
	// Log receives the progress lines.
	Log io.Writer
	// Webhooks, when the system delivers its webhooks to it, lets the
	// contacts answer their survey invitations.
	Webhooks *Receiver
}

// sim is one simulated day in progress.
type sim struct {
	cfg   Config
	env   Env
	c     *client
	w     *world
	admin string // tokens
	start time.Time
	rng   *rand.Rand
	rngMu sync.Mutex

	logMu    sync.Mutex
	tokensMu sync.Mutex
	tokens   map[string]string

	filing   atomic.Bool // false once the day is over: no more incidents
	filers   sync.WaitGroup
	out      *outcomes
	accepted sync.Map // client request ID → incident ID
	policies []tierPolicy
	engines  *crew
}

// Run runs the day and returns what happened in it.
func Run(ctx context.Context, cfg Config, env Env) (*Day, error) {
	if cfg.SpeedUp <= 0 || cfg.Hours <= 0 || cfg.Incidents <= 0 {
		return nil, fmt.Errorf("hours, speed-up and incidents must be positive")
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 5 * time.Minute
	}
	s := &sim{cfg: cfg, env: env, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		c:      &client{urls: env.URLs, http: &http.Client{Timeout: time.Minute}, stats: newStats()},
		tokens: map[string]string{}, out: newOutcomes()}
	var err error
	if s.admin, err = s.token(ctx, "admin"); err != nil {
		return nil, err
	}
	if s.w, err = s.discover(ctx); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	defer s.restorePolicies(context.WithoutCancel(ctx))
	s.logf("the day: %.1f simulated hours at %.0f×, %d accounts, %d engineers, %d regions",
		cfg.Hours, cfg.SpeedUp, len(s.w.accounts), len(s.w.engineers), len(s.w.regions))
	s.start = time.Now()
	s.filing.Store(true)
	s.runDay(ctx)
	return s.day(), nil
}

// runDay runs every actor until the simulated day is over, then winds
// the day down.
func (s *sim) runDay(ctx context.Context) {
	dayCtx, stopDay := context.WithCancel(ctx)
	var wg sync.WaitGroup
	s.engines = newCrew(s)
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(dayCtx) }()
	}
	run(s.customers)
	run(s.engines.watch)
	for _, r := range s.w.regions {
		run(func(ctx context.Context) { s.dispatcher(ctx, r) })
	}
	run(s.midDay)
	run(s.managers)
	run(s.subscriptions)
	run(s.answerSurveys)
	run(s.progress)

	real := time.Duration(s.cfg.Hours * float64(time.Hour) / s.cfg.SpeedUp)
	select {
	case <-ctx.Done():
	case <-time.After(real):
	}
	s.filing.Store(false)
	s.logf("the day is over: filing stops; engineers finish their jobs (up to %s)", s.cfg.Drain)
	s.windDown(ctx)
	stopDay()
	wg.Wait()
}

// now returns the simulated time: the day's start hour plus the real time
// elapsed, sped up.
func (s *sim) simElapsed() time.Duration {
	return time.Duration(float64(time.Since(s.start)) * s.cfg.SpeedUp)
}

// hourOfDay returns the simulated hour of day, 0 to 24.
func (s *sim) hourOfDay() float64 {
	h := s.cfg.StartHour + s.simElapsed().Hours()
	for h >= 24 {
		h -= 24
	}
	return h
}

// real returns how long a simulated duration lasts in real time.
func (s *sim) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.cfg.SpeedUp)
}

// sleep waits a real duration, or until ctx ends; it reports whether ctx
// is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// chance draws from the day's seeded source: true with probability p.
func (s *sim) chance(p float64) bool {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}

// intn draws a number in [0, n) from the day's seeded source.
func (s *sim) intn(n int) int {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.IntN(n)
}

// float draws a number in [0, 1) from the day's seeded source.
func (s *sim) float() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

// token returns a user's bearer token, minted once.
func (s *sim) token(ctx context.Context, username string) (string, error) {
	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	if t, ok := s.tokens[username]; ok {
		return t, nil
	}
	t, err := s.env.Mint(ctx, username)
	if err != nil {
		return "", fmt.Errorf("sign in as %s: %w", username, err)
	}
	s.tokens[username] = t
	return t, nil
}

// logf prints a progress line stamped with the simulated time.
func (s *sim) logf(format string, args ...any) {
	if s.env.Log == nil {
		return
	}
	var at string
	if !s.start.IsZero() {
		h := s.cfg.StartHour + s.simElapsed().Hours()
		at = fmt.Sprintf("day %02d:%02d ", int(h)%24, int(h*60)%60)
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.env.Log, "%s%s\n", at, fmt.Sprintf(format, args...))
}

// progress prints the day's counts every simulated hour.
func (s *sim) progress(ctx context.Context) {
	for sleep(ctx, max(s.real(time.Hour), 5*time.Second)) {
		s.logf("%s", s.out.line())
	}
}
