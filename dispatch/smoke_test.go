package dispatch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	w, err := NewWorkload(1, 3000, 60, 500, mustCities(t))
	require.NoError(t, err)
	x := mustIndex(t, defaultLayout(), w.Engineers, w.Depots)
	for i, req := range w.Requests {
		want, err := BruteForce(w.Engineers, w.Depots, req)
		require.NoError(t, err)
		got, err := x.Candidates(req)
		require.NoError(t, err)
		if !assert.Equal(t, want, got, "request %d", i) {
			return
		}
	}
}
