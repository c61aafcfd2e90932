package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/require"
)

// BenchmarkKPITriggers times what the KPI triggers add to a live change:
// one RecordIncidentChange that stops the response clock and triages the
// incident, with the triggers it fires enabled and, in the same run,
// disabled.
func BenchmarkKPITriggers(b *testing.B) {
	db := postgrestest.MustOpen(b)
	f := postgres.MustFixture(b, db, "ACME", "platinum")
	ctx := context.Background()
	slas := postgres.NewSLAService(db)
	incidents := postgres.NewIncidentService(db)
	triggers := [][2]string{{"incidents", "incidents_kpi"}, {"incident_events", "incident_events_kpi"},
		{"sla_clocks", "sla_clocks_insert_kpi"}, {"sla_clocks", "sla_clocks_update_kpi"}}
	for _, mode := range []string{"ENABLE", "DISABLE"} {
		b.Run(map[string]string{"ENABLE": "with", "DISABLE": "without"}[mode], func(b *testing.B) {
			for _, t := range triggers {
				postgres.MustExecSQL(b, db, "ALTER TABLE "+t[0]+" "+mode+" TRIGGER "+t[1])
			}
			b.Cleanup(func() {
				for _, t := range triggers {
					postgres.MustExecSQL(b, db, "ALTER TABLE "+t[0]+" ENABLE TRIGGER "+t[1])
				}
			})
			ids := make([]string, b.N)
			start := time.Now().UTC().Truncate(time.Second)
			for i := range ids {
				inc, err := incidents.CreateIncident(ctx, validCreate(f.CoveredSerial, fmt.Sprintf("bench-%s-%d", mode, i)))
				require.NoError(b, err)
				ids[i] = inc.ID
			}
			stopped, deadline := start.Add(time.Minute), start.Add(15*time.Minute)
			clock := aftercare.ClockSnapshot{Kind: aftercare.ClockResponse, Target: aftercare.WallTarget(15 * time.Minute),
				Coverage: aftercare.Coverage24x7, TimeZone: "UTC", StartedAt: start, Deadline: &deadline, StoppedAt: &stopped,
				Budget: 15 * time.Minute, State: aftercare.ClockMet, Events: []aftercare.ClockEvent{}}
			b.ResetTimer()
			for i := range b.N {
				require.NoError(b, slas.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: ids[i],
					Key: ids[i] + "-ack", Version: 1, Kind: "transition", FromStatus: aftercare.StatusNew,
					ToStatus: aftercare.StatusTriaged, At: stopped, Clocks: []aftercare.ClockSnapshot{clock}}))
			}
		})
	}
}
