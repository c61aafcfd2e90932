package sim

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// tierPolicy is a tier's SLA policy as the API reads and writes it.
type tierPolicy struct {
	tier  string
	input map[string]any // TierPolicyInput
}

// prepare sets the day up through the API as its administrator would:
// the SLA targets compressed by the speed-up, every engineer on a
// round-the-clock rota with a login, and a dispatcher for every region.
func (s *sim) prepare(ctx context.Context) error {
	if err := s.compressPolicies(ctx); err != nil {
		return err
	}
	if err := s.rota(ctx); err != nil {
		return err
	}
	return s.dispatchers(ctx)
}

// compressPolicies sets each tier's policy to its targets divided by the
// speed-up, on 24x7 coverage, keeping the ladder; the policies found are
// kept to be restored at the end.
func (s *sim) compressPolicies(ctx context.Context) error {
	for _, tier := range []string{"PLATINUM", "PREMIUM", "STANDARD"} {
		data, err := s.c.must(ctx, s.admin, "tierPolicy", `query($t: Tier!) { tierPolicy(tier: $t) {
			cells { priority clock target coverage } partsPause ladder { percent actions } } }`, map[string]any{"t": tier})
		if err != nil {
			return err
		}
		p := dig(data, "tierPolicy")
		original := map[string]any{"cells": dig(p, "cells"), "partsPause": dig(p, "partsPause"), "ladder": dig(p, "ladder")}
		s.policies = append(s.policies, tierPolicy{tier: tier, input: original})
		var cells []any
		for _, c := range asList(dig(p, "cells")) {
			target := str(dig(c, "target"))
			if wall, ok := wallSeconds(target); ok {
				target = strconv.Itoa(max(1, int(wall/s.cfg.SpeedUp+0.5))) + "s"
			}
			cells = append(cells, map[string]any{"priority": dig(c, "priority"), "clock": dig(c, "clock"),
				"target": target, "coverage": "24x7"})
		}
		compressed := map[string]any{"cells": cells, "partsPause": dig(p, "partsPause"), "ladder": dig(p, "ladder")}
		if _, err := s.c.must(ctx, s.admin, "setTierPolicy", `mutation($t: Tier!, $in: TierPolicyInput!) {
			setTierPolicy(tier: $t, input: $in) { tier } }`, map[string]any{"t": tier, "in": compressed}); err != nil {
			return fmt.Errorf("compress the %s policy: %w", tier, err)
		}
	}
	return nil
}

// restorePolicies sets back the policies found at the start.
func (s *sim) restorePolicies(ctx context.Context) {
	for _, p := range s.policies {
		if _, err := s.c.must(ctx, s.admin, "setTierPolicy", `mutation($t: Tier!, $in: TierPolicyInput!) {
			setTierPolicy(tier: $t, input: $in) { tier } }`, map[string]any{"t": p.tier, "in": p.input}); err != nil {
			s.logf("could not restore the %s policy: %v", p.tier, err)
		}
	}
}

// wallSeconds reads a policy target as the wall-clock seconds it lasts on
// a compressed day: business hours and days count as hours and days of
// the clock (a compressed day has no nights or weekends to skip). "—"
// applies no clock.
func wallSeconds(target string) (float64, bool) {
	t := strings.ToUpper(strings.TrimSpace(target))
	unit := map[string]float64{"S": 1, "M": 60, "H": 3600, "BH": 3600, "BD": 86400}
	switch {
	case t == "NBD":
		return 86400, true
	case t == "" || t == "—" || t == "-":
		return 0, false
	}
	for _, suffix := range []string{"BH", "BD", "S", "M", "H"} {
		if n, ok := strings.CutSuffix(t, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, false
			}
			return v * unit[suffix], true
		}
	}
	return 0, false
}

// rota puts every engineer on shift around the clock (the system's clock
// is real, the day compressed) and gives those without a login one of
// their own.
func (s *sim) rota(ctx context.Context) error {
	for _, e := range s.w.engineers {
		if err := s.onRota(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// onRota puts one engineer on the day's rota, with a login.
func (s *sim) onRota(ctx context.Context, e *engineerInfo) error {
	update := map[string]any{"shifts": allWeek()}
	if e.username == "" {
		e.username = "sim." + strings.ToLower(e.code)
		data, err := s.c.must(ctx, s.admin, "createUser", `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"username": e.username, "displayName": "Engineer " + e.code,
				"email": e.username + "@sim.aftercare.example", "role": "ENGINEER"}})
		if err != nil {
			return err
		}
		update["userId"] = dig(data, "createUser", "id")
	}
	_, err := s.c.must(ctx, s.admin, "updateEngineer", `mutation($id: ID!, $in: UpdateEngineerInput!) {
		updateEngineer(id: $id, input: $in) { id } }`, map[string]any{"id": e.id, "in": update})
	return err
}

// dispatchers makes sure every region has a dispatcher to sign in as.
func (s *sim) dispatchers(ctx context.Context) error {
	users, err := s.pages(ctx, s.admin, "users", `query($after: String) { users(role: DISPATCHER, first: 500, after: $after) {
		edges { node { username } } pageInfo { hasNextPage endCursor } } }`, nil, "users")
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, u := range users {
		exists[str(dig(u, "username"))] = true
	}
	for _, r := range s.w.regions {
		name := "dispatcher." + r
		if exists[name] {
			continue
		}
		if _, err := s.c.must(ctx, s.admin, "createUser", `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"username": name, "displayName": "Dispatcher " + r,
				"email": name + "@sim.aftercare.example", "role": "DISPATCHER", "domains": []string{"region:" + r}}}); err != nil {
			return err
		}
	}
	return nil
}

// allWeek is a shift calendar around the clock.
func allWeek() []any {
	var out []any
	for d := time.Sunday; d <= time.Saturday; d++ {
		out = append(out, map[string]any{"day": strings.ToUpper(d.String()), "start": "00:00", "end": "24:00"})
	}
	return out
}
