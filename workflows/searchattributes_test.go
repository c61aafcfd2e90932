package workflows_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTemporalScriptRegistersSearchAttributes checks that
// scripts/temporal.sh registers on the test server every search attribute
// the workflows set, with its type, and no other.
func TestTemporalScriptRegistersSearchAttributes(t *testing.T) {
	script, err := os.ReadFile("../scripts/temporal.sh")
	require.NoError(t, err)
	var want []string
	for _, k := range workflows.SearchAttributes {
		want = append(want, k.GetName()+"="+workflows.SearchAttributeType(k))
	}
	got := regexp.MustCompile(`(?m)^\s+(Aftercare\w+=\w+)$`).FindAllStringSubmatch(string(script), -1)
	var registered []string
	for _, m := range got {
		registered = append(registered, m[1])
	}
	assert.ElementsMatch(t, want, registered, "search attributes in scripts/temporal.sh")
}
