package main

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestOpenChecksSearchAttributes opens Main on a Temporal namespace that
// lacks the workflows' search attributes: the api and worker refuse to
// start, saying which and how to register them, where the dev command
// registers them and starts.
func TestOpenChecksSearchAttributes(t *testing.T) {
	_, url := postgrestest.MustOpenURL(t)
	c := workflowstest.MustDial(t)
	ns := "aftercare-bare-" + workflowstest.TaskQueue(t)
	_, err := c.WorkflowService().RegisterNamespace(context.Background(), &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	require.NoError(t, err)
	cfg := Config{DatabaseURL: url, TemporalAddress: workflowstest.Address(), TemporalNamespace: ns}

	served := &Main{Config: cfg, Logger: testLogger()}
	defer served.Close()
	err = served.Open(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lacks the search attributes AftercareIncidentNumber (Int), AftercareAccount (Keyword)")

	dev := &Main{Config: cfg, Logger: testLogger(), RegisterSearchAttributes: true}
	defer dev.Close()
	require.NoError(t, dev.Open(context.Background()))
	assert.NoError(t, workflows.CheckSearchAttributes(context.Background(), c, ns))
}
