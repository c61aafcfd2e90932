package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lastQuery remembers the last SELECT a connection ran.
type lastQuery struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (q *lastQuery) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(strings.TrimSpace(data.SQL), "SELECT") {
		q.mu.Lock()
		q.sql, q.args = data.SQL, data.Args
		q.mu.Unlock()
	}
	return ctx
}

func (q *lastQuery) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// planJoins counts the joins and sub-plans in a JSON plan, and the tables
// read by sequential scan.
func planJoins(t *testing.T, plan []byte) (joins int, seqScans []string) {
	t.Helper()
	var doc []struct{ Plan map[string]any }
	require.NoError(t, json.Unmarshal(plan, &doc))
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		switch n["Node Type"] {
		case "Nested Loop", "Hash Join", "Merge Join":
			joins++
		case "Seq Scan":
			seqScans = append(seqScans, n["Relation Name"].(string))
		}
		if _, ok := n["Subplan Name"]; ok {
			joins++
		}
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			walk(c.(map[string]any))
		}
	}
	walk(doc[0].Plan)
	return joins, seqScans
}

// TestScopedListsAddAtMostOneIndexedJoin explains the list queries as each
// kind of scope runs them and checks that scoping adds at most one join to
// the plan of an unscoped caller, and that the join is served by an index
// (with sequential scans priced out, none remains on a joined table).
func TestScopedListsAddAtMostOneIndexedJoin(t *testing.T) {
	trace := &lastQuery{}
	ctx := context.Background()
	db := mustTestDB(t, trace)
	f := mustFixture(t, db, "ACME", "platinum")
	_, err := NewIncidentService(db).CreateIncident(ctx, aftercare.IncidentCreate{SerialNumber: f.coveredSerial,
		Priority: aftercare.P1, Category: aftercare.CategoryHardwareFailure, Symptoms: "down",
		Contact: aftercare.Contact{Name: "n", Email: "n@example.com"}, ClientRequestID: "plan"})
	require.NoError(t, err)

	lists := map[string]func(ctx context.Context) error{
		"incidents": func(ctx context.Context) error {
			_, _, err := NewIncidentService(db).FindIncidents(ctx, aftercare.IncidentFilter{})
			return err
		},
		"sites": func(ctx context.Context) error {
			_, _, err := NewAccountService(db).FindSites(ctx, aftercare.SiteFilter{})
			return err
		},
		"assets": func(ctx context.Context) error {
			_, _, err := NewAssetService(db).FindAssets(ctx, aftercare.AssetFilter{})
			return err
		},
		"contracts": func(ctx context.Context) error {
			_, _, err := NewContractService(db).FindContracts(ctx, aftercare.ContractFilter{})
			return err
		},
		"accounts": func(ctx context.Context) error {
			_, _, err := NewAccountService(db).FindAccounts(ctx, aftercare.AccountFilter{})
			return err
		},
	}
	scopes := map[string]*aftercare.Scope{
		"account manager": {UserID: f.userID, AccountIDs: []string{f.accountID, newID()}},
		"dispatcher":      {UserID: f.userID, Regions: []string{"east"}},
		"engineer":        {UserID: f.userID, EngineerID: newID()},
	}
	explain := func(t *testing.T, ctx context.Context, list func(context.Context) error) []byte {
		require.NoError(t, list(ctx))
		trace.mu.Lock()
		sql, args := trace.sql, trace.args
		trace.mu.Unlock()
		var plan []byte
		require.NoError(t, db.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan)
		}))
		return plan
	}
	for name, list := range lists {
		baseJoins, _ := planJoins(t, explain(t, ctx, list))
		for who, scope := range scopes {
			t.Run(name+"/"+who, func(t *testing.T) {
				joins, seq := planJoins(t, explain(t, aftercare.NewContextWithScope(ctx, scope), list))
				assert.LessOrEqual(t, joins-baseJoins, 1, "scoping adds at most one join")
				for _, table := range seq {
					assert.NotContains(t, []string{"sites", "assignments", "incidents"}, table,
						"a scoping join reads %s without an index", table)
				}
			})
		}
	}
}
