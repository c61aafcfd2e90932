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
)

// onSurvey mocks the survey activity, recording what it was asked.
func (h *harness) onSurvey() *[]workflows.CreateSurveyInput {
	var asked []workflows.CreateSurveyInput
	h.env.OnActivity(workflows.CreateSurveyActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.CreateSurveyInput) (workflows.CreateSurveyResult, error) {
			asked = append(asked, in)
			return workflows.CreateSurveyResult{Sent: true}, nil
		})
	return &asked
}

func TestResolveSendsTheSurveyOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("")
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(30*time.Minute, act(aftercare.ActionDepart))
	h.at(90*time.Minute, act(aftercare.ActionArrive))
	h.at(150*time.Minute, act(aftercare.ActionRepair))
	h.at(160*time.Minute, act(aftercare.ActionVerify))
	h.at(170*time.Minute, act(aftercare.ActionResolve))
	h.at(24*time.Hour, act(aftercare.ActionClose))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.Len(t, *surveys, 1, "one survey per resolution")
	assert.Equal(t, workflows.CreateSurveyInput{IncidentID: h.inputs.IncidentID, At: start.Add(170 * time.Minute)}, (*surveys)[0])
}

func TestCancelledIncidentGetsNoSurvey(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("")
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Empty(t, *surveys)
}

func TestRemoteResolutionSendsTheSurveyBeforeClosing(t *testing.T) {
	// Resolved remotely after triage, and closed before the loop wakes: the
	// survey still goes out before the workflow ends.
	h := newHarness(t, func(in *workflows.SLAInputs) { in.OnSiteEntitled, in.Priority = false, aftercare.P4 })
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionResolve))
	h.at(time.Hour, act(aftercare.ActionClose))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	require.Len(t, *surveys, 1)
	assert.Equal(t, start.Add(time.Hour), (*surveys)[0].At)
}
