package sim

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// crew runs the engineers: one goroutine per engineer while they hold
// jobs, woken by dispatch answers, incident events and a poll of the
// fleet's loads, ending once the engineer is free.
type crew struct {
	s       *sim
	mu      sync.Mutex
	working map[string]bool // engineer IDs with a goroutine
	ctx     context.Context
	wg      sync.WaitGroup
}

func newCrew(s *sim) *crew { return &crew{s: s, working: map[string]bool{}} }

// watch polls the fleet's loads every few real seconds and wakes every
// engineer who holds jobs, until ctx ends; then it waits for the working
// engineers to stop.
func (c *crew) watch(ctx context.Context) {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
	for sleep(ctx, 2*time.Second) {
		nodes, err := c.s.pages(ctx, c.s.admin, "engineers", `query($after: String) { engineers(first: 500, after: $after) {
			edges { node { id load } } pageInfo { hasNextPage endCursor } } }`, nil, "engineers")
		if err != nil {
			continue
		}
		for _, n := range nodes {
			if num(dig(n, "load")) > 0 {
				c.wake(str(dig(n, "id")))
			}
		}
	}
	c.wg.Wait()
}

// wake starts the engineer's goroutine unless it runs.
func (c *crew) wake(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.s.w.engineer(id)
	if c.ctx == nil || c.working[id] || e == nil || e.username == "" {
		return
	}
	c.working[id] = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.s.work(c.ctx, e)
		c.mu.Lock()
		delete(c.working, id)
		c.mu.Unlock()
	}()
}

// busy returns how many engineers are working.
func (c *crew) busy() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.working)
}

// job is an engineer's job as myJobs lists it.
type job struct {
	id, state, incident string
	lat, lng            float64
	parts               []string // FRU numbers, one per unit
}

const myJobsQuery = `{ myJobs(first: 20) { id state active incident { id } site { lat lng } parts { part { fru } quantity } } }`

// work is one engineer's shift while they hold jobs: accept or decline
// what is proposed, then take the jobs one by one to the end.
func (s *sim) work(ctx context.Context, e *engineerInfo) {
	token, err := s.token(ctx, e.username)
	if err != nil {
		s.out.problem("%v", err)
		return
	}
	for ctx.Err() == nil {
		data, err := s.c.must(ctx, token, "myJobs", myJobsQuery, nil)
		if err != nil {
			s.out.problem("jobs of %s: %v", e.code, err)
			return
		}
		var next *job
		for _, j := range asList(dig(data, "myJobs")) {
			if dig(j, "active") != true {
				continue
			}
			jb := readJob(j)
			if next == nil || jb.state != "PROPOSED" && next.state == "PROPOSED" {
				next = jb
			}
		}
		if next == nil {
			return
		}
		s.step(ctx, token, e, next)
	}
}

// readJob reads a myJobs entry.
func readJob(j any) *job {
	jb := &job{id: str(dig(j, "id")), state: str(dig(j, "state")), incident: str(dig(j, "incident", "id")),
		lat: num(dig(j, "site", "lat")), lng: num(dig(j, "site", "lng"))}
	for _, p := range asList(dig(j, "parts")) {
		for range int(num(dig(p, "quantity"))) {
			jb.parts = append(jb.parts, str(dig(p, "part", "fru")))
		}
	}
	return jb
}

// step takes a job one step further. An answer refusing the step (the
// incident was cancelled or handed on meanwhile) is counted and the jobs
// read again.
func (s *sim) step(ctx context.Context, token string, e *engineerInfo, j *job) {
	vars := map[string]any{"id": j.id}
	var resp *response
	var err error
	switch j.state {
	case "PROPOSED":
		if s.chance(0.08) {
			resp, err = s.c.do(ctx, token, "declineJob", `mutation($id: ID!) { declineJob(id: $id, reason: "another job overran") {
				reassigned } }`, vars)
			s.out.add("jobs declined", 1)
		} else {
			resp, err = s.c.do(ctx, token, "acceptJob", `mutation($id: ID!) { acceptJob(id: $id) { state } }`, vars)
		}
	case "ACCEPTED":
		resp, err = s.c.do(ctx, token, "departForJob", `mutation($id: ID!) { departForJob(id: $id) { state } }`, vars)
	case "EN_ROUTE":
		s.travel(ctx, token, e, j)
		resp, err = s.c.do(ctx, token, "arriveForJob", `mutation($id: ID!, $lat: Float!, $lng: Float!) {
			arriveForJob(id: $id, lat: $lat, lng: $lng) { state } }`, map[string]any{"id": j.id, "lat": j.lat, "lng": j.lng})
		e.lat, e.lng = j.lat, j.lng
	case "ON_SITE":
		resp, err = s.repair(ctx, token, j)
	default:
		return
	}
	switch {
	case err != nil && ctx.Err() == nil:
		s.out.problem("%s's job %s (%s): %v", e.code, j.id, j.state, err)
		sleep(ctx, time.Second)
	case err != nil:
	case resp.code() != "":
		s.out.add("job steps refused: "+resp.code(), 1)
		sleep(ctx, s.real(time.Minute))
	}
}

// travel drives from where the engineer is to the site at 40 km/h of
// simulated time, reporting the location twice on the way.
func (s *sim) travel(ctx context.Context, token string, e *engineerInfo, j *job) {
	km := distanceKm(e.lat, e.lng, j.lat, j.lng)
	trip := s.real(time.Duration(km / 40 * float64(time.Hour)))
	trip = min(trip, s.real(90*time.Minute), 30*time.Second) // a longer trip is flown or handed on; the day does not wait
	for _, f := range []float64{1.0 / 3, 2.0 / 3} {
		if !sleep(ctx, trip/3) {
			return
		}
		lat, lng := e.lat+(j.lat-e.lat)*f, e.lng+(j.lng-e.lng)*f
		if _, err := s.c.must(ctx, token, "reportLocation", `mutation($lat: Float!, $lng: Float!) {
			reportLocation(lat: $lat, lng: $lng) { id } }`, map[string]any{"lat": lat, "lng": lng}); err != nil {
			s.out.add("location reports refused", 1)
		}
	}
	sleep(ctx, trip/3)
}

// repair works on site for a while, then records the diagnosis, each part
// used with its serial and the failed part's, a test (one in twenty fails
// first), and completes the job.
func (s *sim) repair(ctx context.Context, token string, j *job) (*response, error) {
	if !sleep(ctx, s.real(time.Duration(20+s.intn(70))*time.Minute)) {
		return &response{}, nil
	}
	vars := map[string]any{"id": j.incident}
	steps := []struct{ op, query string }{{"recordDiagnosis",
		`mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "failed module found and replaced") { diagnosis } }`}}
	if s.chance(0.05) {
		steps = append(steps, struct{ op, query string }{"recordTestResult",
			`mutation($id: ID!) { recordTestResult(incidentId: $id, passed: false, notes: "still faulty") { passed } }`})
	}
	for _, st := range steps {
		if resp, err := s.c.do(ctx, token, st.op, st.query, vars); err != nil || resp.code() != "" {
			return resp, err
		}
	}
	for _, fru := range j.parts {
		n := s.serial()
		if resp, err := s.c.do(ctx, token, "recordPartUsed", `mutation($id: ID!, $f: String!, $sn: String!, $old: String!) {
			recordPartUsed(input: {incidentId: $id, fru: $f, serialNumber: $sn, removedSerialNumber: $old}) { fru } }`,
			map[string]any{"id": j.incident, "f": fru, "sn": fmt.Sprintf("SN%08d", n), "old": fmt.Sprintf("RM%08d", n)}); err != nil ||
			resp.code() != "" {
			return resp, err
		}
	}
	if resp, err := s.c.do(ctx, token, "recordTestResult", `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: true,
		notes: "burn-in passed") { passed } }`, vars); err != nil || resp.code() != "" {
		return resp, err
	}
	resp, err := s.c.do(ctx, token, "completeJob", `mutation($id: ID!) { completeJob(id: $id, note: "fixed") { state } }`,
		map[string]any{"id": j.id})
	if err == nil && resp.code() == "" {
		s.out.add("jobs completed", 1)
	}
	return resp, err
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lng2-lng1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
