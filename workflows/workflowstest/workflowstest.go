// Package workflowstest connects tests to the real Temporal dev server that
// `make test` starts.
package workflowstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aftercare/aftercare/workflows"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// DefaultAddress is the dev server tests use when
// AFTERCARE_TEST_TEMPORAL_ADDRESS is not set: the one `make test` starts.
const DefaultAddress = "localhost:7243"

// Address returns the host:port of the Temporal frontend tests use.
func Address() string {
	if a := os.Getenv("AFTERCARE_TEST_TEMPORAL_ADDRESS"); a != "" {
		return a
	}
	return DefaultAddress
}

// MustDial connects to the test Temporal server, failing the test with how
// to start it when it does not answer or lacks the search attributes
// Aftercare's workflows set. The client is closed when the test ends.
func MustDial(tb testing.TB) client.Client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort: Address(),
		Logger:   sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
	if err != nil {
		tb.Fatalf("Temporal not reachable at %s (%v): run `make test`, or scripts/temporal.sh test to start it", Address(), err)
	}
	tb.Cleanup(c.Close)
	if err := workflows.CheckSearchAttributes(ctx, c, client.DefaultNamespace); err != nil {
		tb.Fatalf("Temporal at %s: %v (`make test` and scripts/temporal.sh test start a server with them)", Address(), err)
	}
	return c
}

// TaskQueue returns a task queue of the test's own, so that workers of tests
// running at the same time never take each other's tasks.
func TaskQueue(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test-" + hex.EncodeToString(b[:])
}
