package sim

import (
	"context"
	"fmt"
	"time"
)

// midDay has the administrator, halfway through the day, register a new
// asset at a site of the busiest account under its contract, and bring a
// new engineer with a login into service in that site's region, certified
// on the asset's line and on shift around the clock.
func (s *sim) midDay(ctx context.Context) {
	if !sleep(ctx, s.real(time.Duration(s.cfg.Hours/2*float64(time.Hour)))) {
		return
	}
	var acct *account
	for _, a := range s.w.accounts {
		if a.contract != "" && (acct == nil || a.weight > acct.weight) {
			acct = a
		}
	}
	if acct == nil {
		return
	}
	st := acct.sites[0]
	s.w.mu.Lock()
	line := st.assets[0].line
	s.w.mu.Unlock()
	serial := fmt.Sprintf("SIM%d-NEW1", s.cfg.Seed)
	if _, err := s.c.must(ctx, s.admin, "registerAsset", `mutation($in: RegisterAssetInput!) { registerAsset(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"siteId": st.id, "serialNumber": serial, "productLine": line, "model": "Delivered today",
			"shippedOn": time.Now().AddDate(0, 0, -3).Format(time.DateOnly), "warrantyEndsOn": time.Now().AddDate(3, 0, 0).Format(time.DateOnly),
			"contractId": acct.contract}}); err != nil {
		s.out.problem("register the new asset: %v", err)
		return
	}
	s.w.mu.Lock()
	st.assets = append(st.assets, asset{serial: serial, line: line})
	s.w.mu.Unlock()
	s.out.add("assets added", 1)
	s.logf("an administrator registered asset %s at %s (%s)", serial, st.city, acct.code)
	s.newEngineer(ctx, st, line)
}

// newEngineer brings a new engineer into service at a depot of the site's
// region, with a login.
func (s *sim) newEngineer(ctx context.Context, st *site, line string) {
	depots := s.w.depots[st.region]
	if len(depots) == 0 {
		return
	}
	e := &engineerInfo{code: fmt.Sprintf("SIM%d-E1", s.cfg.Seed), region: st.region}
	e.username = "sim.new." + fmt.Sprint(s.cfg.Seed)
	user, err := s.c.must(ctx, s.admin, "createUser", `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"username": e.username, "displayName": "New engineer",
			"email": e.username + "@sim.aftercare.example", "role": "ENGINEER"}})
	if err != nil {
		s.out.problem("the new engineer's login: %v", err)
		return
	}
	data, err := s.c.must(ctx, s.admin, "createEngineer", `mutation($in: CreateEngineerInput!) { createEngineer(input: $in) {
		id lat lng } }`, map[string]any{"in": map[string]any{"code": e.code, "name": "New Engineer", "homeDepotId": depots[0],
		"tierClearance": "PLATINUM", "capacity": 3, "shifts": allWeek(), "userId": dig(user, "createUser", "id"),
		"skills": []any{map[string]any{"productLine": line, "level": 3, "expiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}}})
	if err != nil {
		s.out.problem("the new engineer: %v", err)
		return
	}
	e.id, e.lat, e.lng = str(dig(data, "createEngineer", "id")), num(dig(data, "createEngineer", "lat")), num(dig(data, "createEngineer", "lng"))
	s.w.mu.Lock()
	s.w.engineers[e.id] = e
	s.w.mu.Unlock()
	s.out.add("engineers added", 1)
	s.logf("an administrator brought engineer %s into service in %s", e.code, st.region)
}

// managers has the account managers read their accounts and the open
// incidents now and then, as they do between meetings.
func (s *sim) managers(ctx context.Context) {
	users, err := s.pages(ctx, s.admin, "users", `query($after: String) { users(role: ACCOUNT_MANAGER, first: 100, after: $after) {
		edges { node { username } } pageInfo { hasNextPage endCursor } } }`, nil, "users")
	if err != nil || len(users) == 0 {
		return
	}
	for sleep(ctx, max(s.real(20*time.Minute), 2*time.Second)) {
		token, err := s.token(ctx, str(dig(users[s.intn(len(users))], "username")))
		if err != nil {
			continue
		}
		if _, err := s.c.must(ctx, token, "accounts", `{ accounts(first: 20) { edges { node { code
			contracts(first: 5) { edges { node { number tier status } } } } } } }`, nil); err != nil {
			s.out.problem("an account manager's accounts: %v", err)
		}
		if _, err := s.c.must(ctx, token, "incidents", `{ incidents(first: 20) { edges { node { number status priority
			slaClocks { kind state deadline } } } } }`, nil); err != nil {
			s.out.problem("an account manager's incidents: %v", err)
		}
	}
}
