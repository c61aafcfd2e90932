package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validCreate(serial, requestID string) aftercare.IncidentCreate {
	return aftercare.IncidentCreate{
		SerialNumber:    serial,
		Priority:        aftercare.P1,
		Category:        aftercare.CategoryHardwareFailure,
		Symptoms:        "RAID controller reports a failed disk; array degraded",
		Contact:         aftercare.Contact{Name: "Wang Fang", Email: "wang.fang@example.com", Phone: "+86 21 5555 0100"},
		ClientRequestID: requestID,
	}
}

func TestCreateIncident(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	s := postgres.NewIncidentService(db)
	ctx := context.Background()

	t.Run("covered asset takes the contract's tier", func(t *testing.T) {
		inc, err := s.CreateIncident(ctx, validCreate(f.CoveredSerial, "req-1"))
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusNew, inc.Status)
		assert.Equal(t, aftercare.TierPlatinum, inc.Tier)
		assert.Equal(t, f.ContractID, inc.ContractID)
		assert.Equal(t, f.AccountID, inc.AccountID)
		assert.Equal(t, aftercare.IncidentWorkflowID(inc.ID), inc.WorkflowID)
		assert.Nil(t, inc.WorkflowStartedAt)

		got, err := s.FindIncidentByID(ctx, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, inc, got)

		msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicIncidentWorkflow, 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, inc.ID, msgs[0].Key)
		require.NoError(t, db.CompleteOutbox(ctx, msgs[0].ID))
	})

	t.Run("uncovered asset is served at standard", func(t *testing.T) {
		inc, err := s.CreateIncident(ctx, validCreate(" "+f.BareSerial+" ", "req-2"))
		require.NoError(t, err)
		assert.Equal(t, aftercare.TierStandard, inc.Tier)
		assert.Empty(t, inc.ContractID)
	})

	t.Run("same request ID returns the same incident", func(t *testing.T) {
		first, err := s.CreateIncident(ctx, validCreate(f.CoveredSerial, "req-3"))
		require.NoError(t, err)
		again, err := s.CreateIncident(ctx, validCreate(f.CoveredSerial, "req-3"))
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
	})

	t.Run("same request ID for something else conflicts", func(t *testing.T) {
		_, err := s.CreateIncident(ctx, validCreate(f.CoveredSerial, "req-4"))
		require.NoError(t, err)
		other := validCreate(f.CoveredSerial, "req-4")
		other.Priority = aftercare.P3
		_, err = s.CreateIncident(ctx, other)
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "err = %v", err)
	})

	t.Run("concurrent retries create one incident and one outbox message", func(t *testing.T) {
		const n = 12
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				inc, err := s.CreateIncident(ctx, validCreate(f.CoveredSerial, "req-concurrent"))
				errs[i] = err
				if err == nil {
					ids[i] = inc.ID
				}
			})
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, ids[0], ids[i])
		}
		msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicIncidentWorkflow, 100, time.Minute)
		require.NoError(t, err)
		var forIt int
		for _, m := range msgs {
			if m.Key == ids[0] {
				forIt++
			}
		}
		assert.Equal(t, 1, forIt)
	})
}

func TestCreateIncidentRejectsBadInput(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	other := postgres.MustFixture(t, db, "OTHER", "standard")
	s := postgres.NewIncidentService(db)

	tests := []struct {
		name   string
		modify func(*aftercare.IncidentCreate)
		ctx    context.Context
	}{
		{"unknown serial", func(c *aftercare.IncidentCreate) { c.SerialNumber = "NOPE-0000" }, nil},
		{"bad priority", func(c *aftercare.IncidentCreate) { c.Priority = "P9" }, nil},
		{"lower-case priority", func(c *aftercare.IncidentCreate) { c.Priority = "p1" }, nil},
		{"bad category", func(c *aftercare.IncidentCreate) { c.Category = "fire" }, nil},
		{"no symptoms", func(c *aftercare.IncidentCreate) { c.Symptoms = "   " }, nil},
		{"no request ID", func(c *aftercare.IncidentCreate) { c.ClientRequestID = "" }, nil},
		{"bad email", func(c *aftercare.IncidentCreate) { c.Contact.Email = "not-an-address" }, nil},
		{"another company's asset", func(c *aftercare.IncidentCreate) { c.SerialNumber = other.CoveredSerial },
			aftercare.NewContextWithScope(aftercare.NewContextWithUser(context.Background(),
				&aftercare.User{ID: f.UserID, Role: aftercare.RoleCustomerIT, AccountID: f.AccountID}),
				&aftercare.Scope{UserID: f.UserID, AccountIDs: []string{f.AccountID}})},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCreate(f.CoveredSerial, fmt.Sprintf("bad-%d", i))
			tt.modify(&c)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			inc, err := s.CreateIncident(ctx, c)
			assert.Nil(t, inc)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "CreateIncident(%+v) err = %v", c, err)
		})
	}
}

func TestFindIncidents(t *testing.T) {
	db := postgrestest.MustOpen(t)
	a := postgres.MustFixture(t, db, "ACME", "platinum")
	b := postgres.MustFixture(t, db, "BETA", "standard")
	s := postgres.NewIncidentService(db)
	ctx := context.Background()
	var acme []string
	for i := range 7 {
		c := validCreate(a.CoveredSerial, fmt.Sprintf("a-%d", i))
		if i%2 == 1 {
			c.Priority = aftercare.P3
		}
		inc, err := s.CreateIncident(ctx, c)
		require.NoError(t, err)
		acme = append([]string{inc.ID}, acme...) // newest first
	}
	_, err := s.CreateIncident(ctx, validCreate(b.CoveredSerial, "b-0"))
	require.NoError(t, err)

	t.Run("pages walk every incident of an account once, newest first", func(t *testing.T) {
		var got []string
		page := aftercare.PageRequest{First: 3}
		for {
			incs, info, err := s.FindIncidents(ctx, aftercare.IncidentFilter{AccountID: a.AccountID, Page: page})
			require.NoError(t, err)
			for _, inc := range incs {
				got = append(got, inc.ID)
			}
			if !info.HasNextPage {
				break
			}
			page.After = info.EndCursor
		}
		assert.Equal(t, acme, got)
	})

	tests := []struct {
		name   string
		filter aftercare.IncidentFilter
		want   int
		code   string
	}{
		{"all", aftercare.IncidentFilter{}, 8, ""},
		{"priority", aftercare.IncidentFilter{Priority: aftercare.P3}, 3, ""},
		{"status", aftercare.IncidentFilter{Status: aftercare.StatusNew, AccountID: b.AccountID}, 1, ""},
		{"other status", aftercare.IncidentFilter{Status: aftercare.StatusClosed}, 0, ""},
		{"malformed account", aftercare.IncidentFilter{AccountID: "x"}, 0, ""},
		{"bad status", aftercare.IncidentFilter{Status: "lost"}, 0, aftercare.EINVALID},
		{"bad priority", aftercare.IncidentFilter{Priority: "P0"}, 0, aftercare.EINVALID},
		{"bad cursor", aftercare.IncidentFilter{Page: aftercare.PageRequest{After: "!!"}}, 0, aftercare.EINVALID},
		{"forged cursor", aftercare.IncidentFilter{Page: aftercare.PageRequest{After: "YWJj"}}, 0, aftercare.EINVALID},
		{"page too large", aftercare.IncidentFilter{Page: aftercare.PageRequest{First: 100000}}, 0, aftercare.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			incs, _, err := s.FindIncidents(ctx, tt.filter)
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "err = %v", err)
			assert.Len(t, incs, tt.want)
		})
	}

	t.Run("unknown and malformed IDs are not found", func(t *testing.T) {
		for _, id := range []string{"", "nope", "00000000-0000-4000-8000-000000000000", "'; drop table incidents; --"} {
			_, err := s.FindIncidentByID(ctx, id)
			assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "FindIncidentByID(%q) err = %v", id, err)
		}
	})
}
