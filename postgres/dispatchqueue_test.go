package postgres_test

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDispatchQueueListsTheUnassignedAndTheAtRisk files six incidents in
// region east: one unassigned with an on-site clock, one unassigned
// without, one assigned in good time, two assigned whose on-site clocks
// have used 80 % and 88 % of their time, and one closed. The queue holds
// the at-risk ones with their assignments, then the unassigned ones, earliest on-site deadline
// first and those without a deadline last; a region with nothing open has
// an empty queue.
func TestDispatchQueueListsTheUnassignedAndTheAtRisk(t *testing.T) {
	w := mustJobWorld(t)
	ctx := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{All: true})
	unassigned, noClock, assigned, atRisk, closed := w.file("q-1"), w.file("q-2"), w.file("q-3"), w.file("q-4"), w.file("q-5")
	alsoAtRisk := w.file("q-6")
	w.assign(assigned.ID, jobEngineer)
	risky := w.assign(atRisk.ID, jobOtherEngineer)
	alsoRisky := w.assign(alsoAtRisk.ID, jobEngineer)
	require.NoError(t, w.db.ExecScript(ctx, `
		INSERT INTO sla_clocks (incident_id, kind, target, started_at, deadline, state) VALUES
			('`+unassigned.ID+`', 'on_site', '4h', now(), now() + interval '4 hours', 'running'),
			('`+assigned.ID+`', 'on_site', '4h', now(), now() + interval '4 hours', 'running'),
			('`+atRisk.ID+`', 'on_site', '4h', now() - interval '80 minutes', now() + interval '20 minutes', 'running'),
			('`+alsoAtRisk.ID+`', 'on_site', '4h', now() - interval '210 minutes', now() + interval '30 minutes', 'running');
		UPDATE incidents SET status = 'closed' WHERE id = '`+closed.ID+`'`))

	queue, err := w.dispatch.FindDispatchQueue(ctx, "east", 50)
	require.NoError(t, err)
	var ids []string
	for _, item := range queue {
		ids = append(ids, item.Incident.ID)
	}
	require.Equal(t, []string{atRisk.ID, alsoAtRisk.ID, unassigned.ID, noClock.ID}, ids)
	for i, want := range []*aftercare.Assignment{risky, alsoRisky} {
		require.NotNil(t, queue[i].Assignment)
		assert.Equal(t, want.ID, queue[i].Assignment.ID)
		assert.Equal(t, queue[i].Incident.ID, queue[i].Assignment.IncidentID)
		assert.False(t, queue[i].OnSiteDeadline.IsZero())
	}
	assert.Nil(t, queue[2].Assignment)
	assert.False(t, queue[2].OnSiteDeadline.IsZero())
	assert.Nil(t, queue[3].Assignment)
	assert.True(t, queue[3].OnSiteDeadline.IsZero())
	assert.Equal(t, "PSU failed", queue[2].Incident.Symptoms, "each item carries the whole incident")

	first, err := w.dispatch.FindDispatchQueue(ctx, "east", 1)
	require.NoError(t, err)
	require.Len(t, first, 1)
	assert.Equal(t, atRisk.ID, first[0].Incident.ID)

	none, err := w.dispatch.FindDispatchQueue(ctx, "north", 50)
	require.NoError(t, err)
	assert.Empty(t, none)
}
