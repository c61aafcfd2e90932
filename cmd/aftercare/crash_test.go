package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
)

// apiProcess is this test binary running `aftercare api` in a child process.
type apiProcess struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
}

// startAPIProcess starts `aftercare api` for env as a child process with
// extra environment variables, and waits until it answers.
func startAPIProcess(t *testing.T, env *testEnv, extraEnv ...string) *apiProcess {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "api",
		"-database-url", env.cfg.DatabaseURL,
		"-temporal-address", env.cfg.TemporalAddress,
		"-task-queue", env.cfg.TaskQueue,
		"-http-addr", addr,
		"-token-key", env.cfg.TokenKey,
		"-outbox-lease", env.cfg.OutboxLease.String(),
		"-outbox-poll", env.cfg.OutboxPoll.String(),
		"-log-level", "warn")
	cmd.Env = append(os.Environ(), append([]string{"AFTERCARE_TEST_RUN_MAIN=1"}, extraEnv...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	p := &apiProcess{cmd: cmd, url: "http://" + addr, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	waitFor(t, 30*time.Second, "the API process to listen", func() bool { return reachable(addr) })
	return p
}

// TestIntakeSurvivesCrashBeforeWorkflowStart kills the API process after it
// has committed an incident and claimed its outbox message but before it
// starts the workflow, restarts it, and sees exactly one workflow.
func TestIntakeSurvivesCrashBeforeWorkflowStart(t *testing.T) {
	env := mustTestEnv(t)
	ctx := context.Background()
	worker := &Main{Config: env.cfg, Logger: testLogger()}
	t.Cleanup(func() { _ = worker.Close() })
	require.NoError(t, worker.Open(ctx))
	require.NoError(t, worker.StartWorker())

	serial := env.summary.Serials[aftercare.TierStandard]
	requestID := uniqueID("crash")
	token := env.token(t, "admin")

	doomed := startAPIProcess(t, env, "AFTERCARE_FAILPOINT="+FailpointBeforeWorkflowStart)
	// The process may die before or after it answers; either way the
	// incident was committed before the relay claimed its message.
	_, _ = tryGraphQL(doomed.url, token, createIncidentMutation, map[string]any{"input": incidentInput(serial, requestID)})
	select {
	case <-doomed.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the API process did not hit the failpoint")
	}
	require.Equal(t, failpointExitCode, doomed.cmd.ProcessState.ExitCode(), "the process died at the failpoint")

	incidents, _, err := postgres.NewIncidentService(env.db).FindIncidents(ctx, aftercare.IncidentFilter{})
	require.NoError(t, err)
	require.Len(t, incidents, 1, "the accepted incident is in the database")
	inc := incidents[0]
	assert.Equal(t, requestID, inc.ClientRequestID)
	assert.Nil(t, inc.WorkflowStartedAt)
	_, err = worker.Temporal.DescribeWorkflow(ctx, inc.WorkflowID, "")
	var notFound *serviceerror.NotFound
	require.True(t, errors.As(err, &notFound), "no workflow was started before the crash: %v", err)

	restarted := startAPIProcess(t, env)
	again := gql(t, restarted.url, token, createIncidentMutation, map[string]any{"input": incidentInput(serial, requestID)})
	require.Empty(t, again.Errors)
	assert.Equal(t, inc.ID, dig(again.Data, "createIncident", "id"), "the retried request finds the same incident")

	waitFor(t, 60*time.Second, "the restarted relay to start the workflow", func() bool {
		got, err := postgres.NewIncidentService(env.db).FindIncidentByID(ctx, inc.ID)
		return err == nil && got.WorkflowStartedAt != nil
	})
	waitFor(t, 30*time.Second, "visibility to list the workflow", func() bool {
		return countWorkflows(t, worker.Temporal, inc.WorkflowID) > 0
	})
	assert.Equal(t, int64(1), countWorkflows(t, worker.Temporal, inc.WorkflowID), "exactly one workflow")
	pending, err := env.db.ClaimOutbox(ctx, aftercare.OutboxTopicIncidentWorkflow, 10, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, pending, "the outbox message is delivered")
}
