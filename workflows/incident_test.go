package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	workflows.Register(env, &workflows.Activities{})
	return env
}

func TestIncidentWorkflowRecordsStartAndWaitsForClose(t *testing.T) {
	env := newEnv(t)
	var marked []string
	env.OnActivity(workflows.MarkWorkflowStartedActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.MarkWorkflowStartedInput) error {
			marked = append(marked, in.IncidentID)
			return nil
		})
	env.RegisterDelayedCallback(func() {
		assert.False(t, env.IsWorkflowCompleted(), "the workflow waits for the incident to close")
		env.SignalWorkflow(workflows.SignalClose, nil)
	}, 72*time.Hour)

	env.ExecuteWorkflow(workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: "inc-1"})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	assert.Equal(t, []string{"inc-1"}, marked)
}

func TestIncidentWorkflowRetriesTransientFailures(t *testing.T) {
	env := newEnv(t)
	calls := 0
	env.OnActivity(workflows.MarkWorkflowStartedActivityName, mock.Anything, mock.Anything).Return(
		func(context.Context, workflows.MarkWorkflowStartedInput) error {
			calls++
			if calls < 3 {
				return aftercare.Errorf(aftercare.EINTERNAL, "database restarting")
			}
			return nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalClose, nil) }, time.Hour)

	env.ExecuteWorkflow(workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: "inc-2"})

	require.NoError(t, env.GetWorkflowError())
	assert.Equal(t, 3, calls)
}

func TestIncidentWorkflowFailsOnPermanentErrors(t *testing.T) {
	env := newEnv(t)
	calls := 0
	env.OnActivity(workflows.MarkWorkflowStartedActivityName, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in workflows.MarkWorkflowStartedInput) error {
			calls++
			acts := &workflows.Activities{Incidents: missingIncidents{}}
			return acts.MarkWorkflowStarted(ctx, in)
		})

	env.ExecuteWorkflow(workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: "gone"})

	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, aftercare.ENOTFOUND, appErr.Type())
	assert.Equal(t, 1, calls, "a missing incident is not retried")
}

// missingIncidents is a store in which no incident exists.
type missingIncidents struct{}

func (missingIncidents) MarkWorkflowStarted(_ context.Context, id string) error {
	return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", id)
}
