package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// The operations of APIOperations, by name.
const (
	APIMe                 = "me { id }"
	APICreateIncident     = "createIncident"
	APIIncident           = "incident with clocks"
	APINestedList         = "incidents(first: 50), nested"
	APIHandwritten        = "nested list, hand-written"
	APIDispatchCandidates = "dispatchCandidates"
	APIDispatchQueue      = "dispatchQueue"
	APIKPIs               = "kpis"
)

// APITargets are the users, URLs and data the operations of APIOperations
// are sent with.
type APITargets struct {
	// URL is the API's GraphQL endpoint, HandwrittenURL that of Handwritten.
	URL, HandwrittenURL string
	DB                  *postgres.DB
	// Mint returns a bearer token for a demo user.
	Mint func(ctx context.Context, username string) (string, error)
	// RunID makes the client request IDs of the incidents filed unique to
	// the run.
	RunID string
	// Seed draws the incidents and assets each call is about.
	Seed uint64
}

// APIOperations returns the operations `aftercare bench api` measures, as
// the demo users who do them in life send them: the floor of HTTP,
// GraphQL and authentication (the dispatcher's own ID), corporate IT filing
// incidents against their accounts' assets, the director opening an
// incident with its clocks and reading the newest fifty incidents with
// their nested objects (and the same from Handwritten), a dispatcher's
// candidates for incidents of their region and their region's queue, and
// the smaller account manager's monthly KPIs of a year. It returns them
// with the dispatcher's region.
func APIOperations(ctx context.Context, t APITargets) (_ []APIOperation, region string, _ error) {
	tokens := map[string]string{}
	for _, u := range []string{"director", "am.li", "dispatcher.east"} {
		tok, err := t.Mint(ctx, u)
		if err != nil {
			return nil, "", err
		}
		tokens[u] = tok
	}
	dispatcher, err := demoScope(ctx, t.DB, "dispatcher.east")
	if err != nil {
		return nil, "", err
	}
	if len(dispatcher.Regions) == 0 {
		return nil, "", fmt.Errorf("bench api: dispatcher.east has no region")
	}
	region = dispatcher.Regions[0]
	incidents, regional, users, serials, err := apiSample(ctx, t.DB, region)
	if err != nil {
		return nil, "", err
	}
	for _, u := range users {
		if _, ok := tokens[u]; !ok {
			if tokens[u], err = t.Mint(ctx, u); err != nil {
				return nil, "", err
			}
		}
	}
	pick := func(client, i int, from []string) int {
		r := rand.New(rand.NewPCG(t.Seed+uint64(client), uint64(i)))
		return r.IntN(len(from))
	}
	graphQL := func(name, user, query string, vars func(client, i int) map[string]any) APIOperation {
		return APIOperation{Name: name, URL: t.URL, Request: func(client, i int) (string, []byte) {
			var v map[string]any
			if vars != nil {
				v = vars(client, i)
			}
			return tokens[user], GraphQLBody(query, v)
		}}
	}
	now := time.Now().UTC()
	return []APIOperation{
		graphQL(APIMe, "dispatcher.east", `{ me { id } }`, nil),
		{Name: APICreateIncident, URL: t.URL, Request: func(client, i int) (string, []byte) {
			k := pick(client, i, serials)
			return tokens[users[k]], GraphQLBody(`mutation($in: CreateIncidentInput!) { createIncident(input: $in) { id number status } }`,
				map[string]any{"in": map[string]any{"serialNumber": serials[k], "priority": "P2", "category": "HARDWARE_FAILURE",
					"symptoms": "the array controller reports a failed drive", "clientRequestId": fmt.Sprintf("bench-api-%s-%d-%d", t.RunID, client, i),
					"contact": map[string]any{"name": "IT on call", "email": "oncall@example.com", "phone": "+86 10 5555 0100"}}})
		}},
		graphQL(APIIncident, "director", `query($id: ID!) { incident(id: $id) { number status priority tier
			slaClocks { kind state target deadline percentUsed remainingSeconds } } }`,
			func(client, i int) map[string]any { return map[string]any{"id": incidents[pick(client, i, incidents)]} }),
		graphQL(APINestedList, "director", NestedIncidentsQuery, nil),
		{Name: APIHandwritten, URL: t.HandwrittenURL, Request: func(int, int) (string, []byte) {
			return tokens["director"], GraphQLBody(NestedIncidentsQuery, nil)
		}},
		graphQL(APIDispatchCandidates, "dispatcher.east", `query($id: ID!) { dispatchCandidates(incidentId: $id, rejections: 5) {
			at candidates { engineer { code name } distanceKm eta makesDeadline load } rejections { engineer { code } reason distanceKm } } }`,
			func(client, i int) map[string]any { return map[string]any{"id": regional[pick(client, i, regional)]} }),
		graphQL(APIDispatchQueue, "dispatcher.east", `query($region: String!) { dispatchQueue(region: $region, first: 50) {
			incident { number priority status } onSiteDeadline assignment { state } } }`,
			func(int, int) map[string]any { return map[string]any{"region": region} }),
		graphQL(APIKPIs, "am.li", `query($from: Date!, $to: Date!) { kpis(filter: { dimension: ACCOUNT, from: $from, to: $to }) {
			key name periodStart response { attainment } restore { attainment } meanTimeToRestoreSeconds firstTimeFixRate csat breaches } }`,
			func(int, int) map[string]any {
				return map[string]any{"from": now.AddDate(0, -11, 0).Format(time.DateOnly), "to": now.Format(time.DateOnly)}
			}),
	}, region, nil
}

// apiSample draws what the operations of APIOperations ask about: 2,000
// incidents of the history, the region's 2,000 newest, and 5,000 assets
// with the corporate IT user of each one's account.
func apiSample(ctx context.Context, db *postgres.DB, region string) (incidents, regional, users, serials []string, _ error) {
	if err := db.QueryRow(ctx, `
		SELECT (SELECT array_agg(id) FROM (SELECT id FROM incidents ORDER BY random() LIMIT 2000) x),
			(SELECT array_agg(id) FROM (SELECT i.id FROM incidents i JOIN sites s ON s.id = i.site_id
				WHERE s.region = $1 ORDER BY i.number DESC LIMIT 2000) y)`,
		[]any{region}, &incidents, &regional); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("bench api: sample incidents: %w", err)
	}
	if len(incidents) == 0 || len(regional) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("bench api: no incidents to ask about (region %s): load a history first", region)
	}
	if err := db.QueryRow(ctx, `
		SELECT array_agg(u), array_agg(s) FROM (
			SELECT 'it.' || lower(ac.code) AS u, a.serial_number AS s
			FROM assets a JOIN accounts ac ON ac.id = a.account_id
			WHERE EXISTS (SELECT 1 FROM users x WHERE x.username = 'it.' || lower(ac.code) AND x.disabled_at IS NULL)
			ORDER BY random() LIMIT 5000) f`, nil, &users, &serials); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("bench api: sample assets: %w", err)
	}
	if len(serials) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("bench api: no asset of an account with a corporate IT user")
	}
	return incidents, regional, users, serials, nil
}

// APIReset cancels the incidents earlier runs of the bench filed that are
// still open, with their messages to the intake relay the bench does not
// run, so that every run starts from the history alone: the region's
// dispatch queue then holds what the run itself files. It returns how
// many it cancelled.
func APIReset(ctx context.Context, db *postgres.DB) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `
		WITH cancelled AS (
			UPDATE incidents SET status = 'cancelled', updated_at = now()
			WHERE status = 'new' AND client_request_id LIKE 'bench-api-%'
			RETURNING id::text),
		dropped AS (
			DELETE FROM outbox o USING cancelled c WHERE o.topic = $1 AND o.key = c.id)
		SELECT count(*) FROM cancelled`, []any{aftercare.OutboxTopicIncidentWorkflow}, &n)
	if err != nil {
		return 0, fmt.Errorf("bench api: cancel the incidents of earlier runs: %w", err)
	}
	return n, nil
}

// OpenIncidents returns how many incidents of a region are open.
func OpenIncidents(ctx context.Context, db *postgres.DB, region string) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `
		SELECT count(*) FROM incidents i JOIN sites s ON s.id = i.site_id
		WHERE s.region = $1 AND i.status NOT IN ('resolved', 'closed', 'cancelled', 'verified', 'repaired')`,
		[]any{region}, &n)
	return n, err
}
