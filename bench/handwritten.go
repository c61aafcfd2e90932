package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// NestedIncidentsQuery is the nested list `aftercare bench api` measures:
// the newest fifty incidents the caller sees, each with five nested
// objects, one of them a list with an object nested again.
const NestedIncidentsQuery = `{ incidents(first: 50) { edges { node { number status priority tier createdAt
	account { code name } site { name city } asset { serialNumber model } contract { number tier }
	assignments { state engineer { code name } } } } } }`

// Handwritten answers NestedIncidentsQuery as a handler written by hand
// for it would, without GraphQL: the caller from the bearer token as the
// API finds them, two SQL statements (the page of incidents joined with
// their account, site, asset and contract; then the page's assignments
// with their engineers) and encoding/json. It writes the same JSON the API
// answers, for the comparison of the bench: any request body gets that
// answer.
type Handwritten struct {
	DB *postgres.DB
	// Caller returns what the request's bearer token may see, as the API's
	// authentication and authorization find it.
	Caller func(r *http.Request) (*aftercare.Scope, error)
}

type handwrittenNode struct {
	Number    int64     `json:"number"`
	Status    string    `json:"status"`
	Priority  string    `json:"priority"`
	Tier      string    `json:"tier"`
	CreatedAt time.Time `json:"createdAt"`
	Account   struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"account"`
	Site struct {
		Name string `json:"name"`
		City string `json:"city"`
	} `json:"site"`
	Asset struct {
		SerialNumber string `json:"serialNumber"`
		Model        string `json:"model"`
	} `json:"asset"`
	Contract    *handwrittenContract    `json:"contract"`
	Assignments []handwrittenAssignment `json:"assignments"`
	id          string
}

type handwrittenContract struct {
	Number string `json:"number"`
	Tier   string `json:"tier"`
}

type handwrittenAssignment struct {
	State    string `json:"state"`
	Engineer struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"engineer"`
}

func (h *Handwritten) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	scope, err := h.Caller(r)
	if err != nil {
		http.Error(w, aftercare.ErrorMessage(err), http.StatusUnauthorized)
		return
	}
	nodes, err := h.page(r.Context(), scope)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	type edge struct {
		Node *handwrittenNode `json:"node"`
	}
	var answer struct {
		Data struct {
			Incidents struct {
				Edges []edge `json:"edges"`
			} `json:"incidents"`
		} `json:"data"`
	}
	answer.Data.Incidents.Edges = make([]edge, len(nodes))
	for i, n := range nodes {
		answer.Data.Incidents.Edges[i] = edge{n}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&answer)
}

// page reads the newest fifty incidents in scope with their nested objects.
func (h *Handwritten) page(ctx context.Context, s *aftercare.Scope) ([]*handwrittenNode, error) {
	accounts, regions := s.AccountIDs, s.Regions
	if accounts == nil {
		accounts = []string{}
	}
	if regions == nil {
		regions = []string{}
	}
	var engineer *string
	if s.EngineerID != "" {
		engineer = &s.EngineerID
	}
	var nodes []*handwrittenNode
	byID := map[string]*handwrittenNode{}
	n := &handwrittenNode{}
	var contractNumber, contractTier *string
	err := h.DB.Query(ctx, `
		SELECT i.id, i.number, i.status, i.priority, i.tier, i.created_at, a.code, a.name, s.name, s.city,
			t.serial_number, t.model, c.number, c.tier
		FROM incidents i JOIN accounts a ON a.id = i.account_id JOIN sites s ON s.id = i.site_id
			JOIN assets t ON t.id = i.asset_id LEFT JOIN contracts c ON c.id = i.contract_id
		WHERE $1 OR i.account_id = ANY($2::uuid[]) OR s.region = ANY($3::text[])
			OR EXISTS (SELECT 1 FROM assignments x WHERE x.incident_id = i.id AND x.engineer_id = $4::uuid)
		ORDER BY i.number DESC LIMIT 50`,
		[]any{s.All, accounts, regions, engineer},
		[]any{&n.id, &n.Number, &n.Status, &n.Priority, &n.Tier, &n.CreatedAt, &n.Account.Code, &n.Account.Name,
			&n.Site.Name, &n.Site.City, &n.Asset.SerialNumber, &n.Asset.Model, &contractNumber, &contractTier},
		func() error {
			row := *n
			row.Status, row.Tier = strings.ToUpper(row.Status), strings.ToUpper(row.Tier)
			row.Assignments = []handwrittenAssignment{}
			if contractNumber != nil {
				row.Contract = &handwrittenContract{Number: *contractNumber, Tier: strings.ToUpper(*contractTier)}
			}
			nodes = append(nodes, &row)
			byID[row.id] = &row
			return nil
		})
	if err != nil || len(nodes) == 0 {
		return nodes, err
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.id
	}
	var incident string
	var a handwrittenAssignment
	err = h.DB.Query(ctx, `
		SELECT x.incident_id, x.state, e.code, e.name
		FROM assignments x JOIN engineers e ON e.id = x.engineer_id
		WHERE x.incident_id = ANY($1::uuid[])
		ORDER BY x.created_at DESC, x.id`,
		[]any{ids}, []any{&incident, &a.State, &a.Engineer.Code, &a.Engineer.Name},
		func() error {
			a.State = strings.ToUpper(a.State)
			byID[incident].Assignments = append(byID[incident].Assignments, a)
			return nil
		})
	return nodes, err
}
