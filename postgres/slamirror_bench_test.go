package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/require"
)

// BenchmarkRecordEscalation times the transaction an escalation costs, one
// after another on an idle pool: clock snapshot, escalation, routing to the
// recipients (the routing test's people), event, one webhook message. The
// levels cycle through the default ladder; a breach computes no credit here.
func BenchmarkRecordEscalation(b *testing.B) {
	db := postgrestest.MustOpen(b)
	f := postgres.MustFixture(b, db, "ACME", "platinum")
	mustRoutingStaff(b, db, f)
	ctx := context.Background()
	s := postgres.NewSLAService(db)
	fired := make([]aftercare.EscalationFired, b.N)
	for i := range fired {
		inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, fmt.Sprint("bench-", i)))
		require.NoError(b, err)
		snap := responseSnapshot(b, inc.CreatedAt.UTC())
		require.NoError(b, s.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: inc.ID, Key: fmt.Sprint("start-", i),
			Version: 1, Kind: "clocks_started", At: inc.CreatedAt, Clocks: []aftercare.ClockSnapshot{snap}}))
		lv := ladder[i%len(ladder)]
		fired[i] = aftercare.EscalationFired{Escalation: aftercare.Escalation{IncidentID: inc.ID, Clock: aftercare.ClockResponse,
			Level: i%len(ladder) + 1, Percent: lv.percent, Actions: lv.actions, DueAt: inc.CreatedAt, FiredAt: inc.CreatedAt},
			Key: fmt.Sprint("escalation-", i), Version: 2, Clock: snap}
	}
	hooks := []string{"http://hooks.example/escalations"}
	b.ResetTimer()
	for i := range b.N {
		if err := s.RecordEscalation(ctx, fired[i], hooks); err != nil {
			b.Fatal(err)
		}
	}
}
