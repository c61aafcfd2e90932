package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// world is what the simulated organisation is made of, as its
// administrator reads it through the API at the start of the day.
type world struct {
	mu        sync.Mutex // guards what the day adds: engineers, and assets of sites
	accounts  []*account
	engineers map[string]*engineerInfo // by ID
	depots    map[string][]string      // depot IDs by region
	parts     map[string][]string      // FRU numbers by product line, batteries left out
	regions   []string
}

// account is a customer with its sites and assets.
type account struct {
	id, code, tier string // tier: the best in-force contract's, "" for none
	contract       string // that contract's ID
	itUser         string // corporate IT's username
	sites          []*site
	weight         float64 // share of the day's incidents
}

// site is a place with its assets.
type site struct {
	id, city, region string
	lat, lng         float64
	assets           []asset
}

// asset is a device incidents are filed for.
type asset struct{ serial, line string }

// engineerInfo is an engineer as the fleet lists them.
type engineerInfo struct {
	id, code, region string
	lat, lng         float64
	username         string // their login, once the day's rota gave them one
}

// page is the GraphQL text of one page of a connection under path, with
// $after in its variables.
func (s *sim) pages(ctx context.Context, token, op, query string, vars map[string]any, path ...string) ([]any, error) {
	var nodes []any
	after := any(nil)
	for {
		v := map[string]any{"after": after}
		for k, x := range vars {
			v[k] = x
		}
		data, err := s.c.must(ctx, token, op, query, v)
		if err != nil {
			return nil, err
		}
		conn := dig(data, path...)
		for _, e := range asList(dig(conn, "edges")) {
			nodes = append(nodes, dig(e, "node"))
		}
		if dig(conn, "pageInfo", "hasNextPage") != true {
			return nodes, nil
		}
		after = dig(conn, "pageInfo", "endCursor")
	}
}

// discover reads the organisation through the API as the administrator.
func (s *sim) discover(ctx context.Context) (*world, error) {
	w := &world{engineers: map[string]*engineerInfo{}, depots: map[string][]string{}, parts: map[string][]string{}}
	accts, err := s.pages(ctx, s.admin, "accounts", `query($after: String) { accounts(first: 50, after: $after) {
		edges { node { id code contracts(first: 20) { edges { node { id tier status } } } } }
		pageInfo { hasNextPage endCursor } } }`, nil, "accounts")
	if err != nil {
		return nil, err
	}
	regions := map[string]bool{}
	for _, a := range accts {
		acct := readAccount(a)
		sites, err := s.pages(ctx, s.admin, "account", `query($id: ID!, $after: String) { account(id: $id) {
			sites(first: 20, after: $after) { edges { node { id city region lat lng
			assets(first: 100) { edges { node { serialNumber productLine } } } } } pageInfo { hasNextPage endCursor } } } }`,
			map[string]any{"id": acct.id}, "account", "sites")
		if err != nil {
			return nil, err
		}
		acct.readSites(sites)
		for _, st := range acct.sites {
			regions[st.region] = true
		}
		if len(acct.sites) > 0 {
			w.accounts = append(w.accounts, acct)
		}
	}
	if err := s.discoverFleet(ctx, w, regions); err != nil {
		return nil, err
	}
	for r := range regions {
		w.regions = append(w.regions, r)
	}
	slices.Sort(w.regions)
	if len(w.accounts) == 0 || len(w.engineers) == 0 {
		return nil, fmt.Errorf("the organisation has %d accounts with sites and %d engineers: seed it first", len(w.accounts), len(w.engineers))
	}
	return w, nil
}

// readAccount reads an account node with its in-force contract.
func readAccount(a any) *account {
	acct := &account{id: str(dig(a, "id")), code: str(dig(a, "code"))}
	acct.itUser = "it." + strings.ToLower(acct.code)
	rank := map[string]int{"PLATINUM": 3, "PREMIUM": 2, "STANDARD": 1}
	for _, c := range asList(dig(a, "contracts", "edges")) {
		status, tier := str(dig(c, "node", "status")), str(dig(c, "node", "tier"))
		if (status == "ACTIVE" || status == "EXPIRING") && rank[tier] > rank[acct.tier] {
			acct.tier, acct.contract = tier, str(dig(c, "node", "id"))
		}
	}
	acct.weight = map[string]float64{"PLATINUM": 3, "PREMIUM": 2, "STANDARD": 1.5, "": 0.5}[acct.tier]
	return acct
}

// readSites reads an account's site nodes with their assets.
func (acct *account) readSites(nodes []any) {
	for _, n := range nodes {
		st := &site{id: str(dig(n, "id")), city: str(dig(n, "city")), region: str(dig(n, "region")),
			lat: num(dig(n, "lat")), lng: num(dig(n, "lng"))}
		for _, x := range asList(dig(n, "assets", "edges")) {
			st.assets = append(st.assets, asset{serial: str(dig(x, "node", "serialNumber")), line: str(dig(x, "node", "productLine"))})
		}
		if len(st.assets) > 0 {
			acct.sites = append(acct.sites, st)
		}
	}
}

// discoverFleet reads the engineers, depots and parts.
func (s *sim) discoverFleet(ctx context.Context, w *world, regions map[string]bool) error {
	engineers, err := s.pages(ctx, s.admin, "engineers", `query($after: String) { engineers(first: 500, after: $after) {
		edges { node { id code region lat lng login { username } } } pageInfo { hasNextPage endCursor } } }`, nil, "engineers")
	if err != nil {
		return err
	}
	for _, n := range engineers {
		e := &engineerInfo{id: str(dig(n, "id")), code: str(dig(n, "code")), region: str(dig(n, "region")),
			lat: num(dig(n, "lat")), lng: num(dig(n, "lng")), username: str(dig(n, "login", "username"))}
		w.engineers[e.id] = e
		regions[e.region] = true
	}
	depots, err := s.pages(ctx, s.admin, "depots", `query($after: String) { depots(first: 500, after: $after) {
		edges { node { id region } } pageInfo { hasNextPage endCursor } } }`, nil, "depots")
	if err != nil {
		return err
	}
	for _, n := range depots {
		w.depots[str(dig(n, "region"))] = append(w.depots[str(dig(n, "region"))], str(dig(n, "id")))
	}
	parts, err := s.pages(ctx, s.admin, "parts", `query($after: String) { parts(first: 500, after: $after) {
		edges { node { fru description productLines } } pageInfo { hasNextPage endCursor } } }`, nil, "parts")
	if err != nil {
		return err
	}
	for _, n := range parts {
		if strings.Contains(strings.ToLower(str(dig(n, "description"))), "battery") {
			continue // a consumable: work on it is seldom covered
		}
		for _, line := range asList(dig(n, "productLines")) {
			w.parts[str(line)] = append(w.parts[str(line)], str(dig(n, "fru")))
		}
	}
	return nil
}

// pickAccount chooses an account by weight, u a uniform draw in [0, 1).
func (w *world) pickAccount(u float64) *account {
	total := 0.0
	for _, a := range w.accounts {
		total += a.weight
	}
	x := u * total
	for _, a := range w.accounts {
		if x -= a.weight; x < 0 {
			return a
		}
	}
	return w.accounts[len(w.accounts)-1]
}

// dig returns the value at path in decoded JSON, nil when absent.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// engineer returns an engineer by ID, nil when unknown.
func (w *world) engineer(id string) *engineerInfo {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.engineers[id]
}
