package sim

import (
	"context"
	"fmt"
	"math"
	"time"
)

// hourProfile is how busy each hour of the day is, relative to the day's
// mean: quiet at night, a morning peak when offices open, a lull at lunch
// and a smaller afternoon peak.
var hourProfile = [24]float64{
	0.15, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.9, 1.8, 2.4, 2.3, 2.0,
	1.3, 1.7, 2.0, 1.9, 1.6, 1.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2,
}

// priorities is each tier's mix of priorities, as cumulative shares of
// P1, P2, P3 (the rest P4): platinum customers file more P1s.
var priorities = map[string][3]float64{
	"PLATINUM": {0.2, 0.55, 0.85},
	"PREMIUM":  {0.1, 0.4, 0.8},
	"STANDARD": {0.05, 0.3, 0.7},
	"":         {0.05, 0.3, 0.7},
}

// symptoms are what corporate IT writes.
var symptoms = []string{
	"Server down: a power supply reports a fault",
	"RAID controller reports a degraded array",
	"Fan failure alert; the chassis is running hot",
	"Memory errors logged on DIMM slot B2",
	"System board fault LED amber after a firmware update",
	"Laptop does not power on after a spill on the keyboard",
	"Disk predicted to fail by SMART",
	"Intermittent network drops on the onboard NIC",
}

// customers files the day's incidents as each account's corporate IT:
// arrivals follow the hour-of-day profile, accounts are chosen by weight
// (tier) and sites by city, with a tier's mix of priorities.
func (s *sim) customers(ctx context.Context) {
	perHour := float64(s.cfg.Incidents) / 24
	cityBusy := map[string]float64{}
	n := 0
	for s.filing.Load() {
		rate := perHour * hourProfile[int(s.hourOfDay())%24] // incidents per simulated hour
		gap := time.Duration(-math.Log(1-s.float()) / rate * float64(time.Hour))
		if !sleep(ctx, s.real(gap)) || !s.filing.Load() {
			return
		}
		n++
		acct := s.w.pickAccount(s.float())
		st := s.pickSite(acct, cityBusy)
		s.filers.Add(1)
		go func(n int) {
			defer s.filers.Done()
			s.file(ctx, acct, st, n)
		}(n)
	}
}

// pickSite chooses a site of the account, busier cities more often (each
// city's weight is drawn once for the day).
func (s *sim) pickSite(acct *account, cityBusy map[string]float64) *site {
	total := 0.0
	for _, st := range acct.sites {
		if _, ok := cityBusy[st.city]; !ok {
			cityBusy[st.city] = 0.5 + 2*s.float()
		}
		total += cityBusy[st.city]
	}
	x := s.float() * total
	for _, st := range acct.sites {
		if x -= cityBusy[st.city]; x < 0 {
			return st
		}
	}
	return acct.sites[len(acct.sites)-1]
}

const fileMutation = `mutation($in: CreateIncidentInput!) { createIncident(input: $in) {
	id priority coverage { needsQuote } } }`

// file files one incident, sometimes twice with the same client request
// ID (a double click, a retry after a timeout): the second answer must
// name the same incident.
func (s *sim) file(ctx context.Context, acct *account, st *site, n int) {
	token, err := s.token(ctx, acct.itUser)
	if err != nil {
		s.out.problem("sign in as %s: %v", acct.itUser, err)
		return
	}
	s.w.mu.Lock()
	a := st.assets[s.intn(len(st.assets))]
	s.w.mu.Unlock()
	mix := priorities[acct.tier]
	x := s.float()
	priority := "P4"
	for i, p := range mix {
		if x < p {
			priority = fmt.Sprintf("P%d", i+1)
			break
		}
	}
	requestID := fmt.Sprintf("sim-%d-%d", s.cfg.Seed, n)
	in := map[string]any{"serialNumber": a.serial, "priority": priority, "category": "HARDWARE_FAILURE",
		"symptoms": symptoms[s.intn(len(symptoms))], "clientRequestId": requestID,
		"contact": map[string]any{"name": "IT on call", "email": "oncall@" + acct.itUser + ".example", "phone": "+86 10 5555 0100"}}
	if frus := s.w.parts[a.line]; len(frus) > 0 && s.chance(0.6) {
		in["parts"] = []any{map[string]any{"fru": frus[s.intn(len(frus))], "quantity": 1}}
	}
	data, err := s.c.must(ctx, token, "createIncident", fileMutation, map[string]any{"in": in})
	if err != nil {
		s.out.problem("file for %s: %v", a.serial, err)
		return
	}
	id := str(dig(data, "createIncident", "id"))
	s.accepted.Store(requestID, id)
	s.out.add("filed", 1)
	s.out.add("filed "+acct.tier+" "+priority, 1)
	if s.chance(0.05) {
		s.duplicate(ctx, token, in, id)
	}
	if dig(data, "createIncident", "coverage", "needsQuote") == true {
		s.quote(ctx, token, id)
	}
}

// duplicate sends a filing again with the same client request ID.
func (s *sim) duplicate(ctx context.Context, token string, in map[string]any, id string) {
	data, err := s.c.must(ctx, token, "createIncident", fileMutation, map[string]any{"in": in})
	if err != nil {
		s.out.problem("duplicate of %s: %v", in["clientRequestId"], err)
		return
	}
	s.out.add("duplicates sent", 1)
	if got := str(dig(data, "createIncident", "id")); got != id {
		s.out.problem("duplicate of %s answered incident %s, not %s", in["clientRequestId"], got, id)
	}
}

// quote has the region's dispatcher acknowledge work that is not covered,
// the administrator price and send a quote, and the customer approve it
// (three times in four) or reject it.
func (s *sim) quote(ctx context.Context, token, id string) {
	vars := map[string]any{"id": id}
	ok := false
	for range 30 { // the workflow starts the clocks first
		resp, err := s.c.do(ctx, s.admin, "acknowledgeIncident", `mutation($id: ID!) { acknowledgeIncident(id: $id) { status } }`, vars)
		if err != nil {
			return
		}
		if resp.err() == nil {
			ok = true
			break
		}
		if !sleep(ctx, time.Second) {
			return
		}
	}
	if !ok {
		s.out.problem("incident %s could not be acknowledged for its quote", id)
		return
	}
	var data map[string]any
	for attempt := 0; ; attempt++ { // the acknowledgement reaches the record of the incident a moment later
		resp, err := s.c.do(ctx, s.admin, "createQuote", `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1.5,
			callOut: true}) { id } }`, vars)
		if err == nil && resp.code() == "ECONFLICT" && attempt < 20 && sleep(ctx, time.Second) {
			continue
		}
		if err == nil {
			err = resp.err()
		}
		if err != nil {
			s.out.problem("quote %s: %v", id, err)
			return
		}
		data = resp.Data
		break
	}
	q := map[string]any{"id": dig(data, "createQuote", "id")}
	if _, err := s.c.must(ctx, s.admin, "sendQuote", `mutation($id: ID!) { sendQuote(id: $id) { state } }`, q); err != nil {
		s.out.problem("send quote for %s: %v", id, err)
		return
	}
	sleep(ctx, s.real(time.Duration(10+s.intn(50))*time.Minute))
	var err error
	if s.chance(0.75) {
		_, err = s.c.must(ctx, token, "approveQuote", `mutation($id: ID!) { approveQuote(id: $id, note: "approved by IT") { state } }`, q)
		s.out.add("quotes approved", 1)
	} else {
		_, err = s.c.must(ctx, token, "rejectQuote", `mutation($id: ID!) { rejectQuote(id: $id, reason: "over budget") { state } }`, q)
		s.out.add("quotes rejected", 1)
	}
	if err != nil {
		s.out.problem("decide quote for %s: %v", id, err)
	}
}
