package dispatch

import (
	"os"
	"testing"
	"time"
	_ "time/tzdata" // the tests resolve the cities' zones without the host's database

	"github.com/stretchr/testify/require"
)

// citiesPath is shared/data/cities.csv relative to this package in the
// repository layout (main/dispatch next to shared/).
const citiesPath = "../../shared/data/cities.csv"

// mustCities reads the shared city list; a missing file fails the test.
func mustCities(tb testing.TB) []City {
	tb.Helper()
	f, err := os.Open(citiesPath)
	require.NoError(tb, err, "the tests need %s (shared/data/cities.csv next to the repository)", citiesPath)
	tb.Cleanup(func() { f.Close() })
	cities, err := ParseCities(f, time.LoadLocation)
	require.NoError(tb, err)
	require.NotEmpty(tb, cities)
	return cities
}

// mustIndex builds an index with layout l, failing the test on error.
func mustIndex(tb testing.TB, l layout, engineers []Engineer, depots []Depot) *Index {
	tb.Helper()
	x, err := newIndex(l, engineers, depots)
	require.NoError(tb, err)
	return x
}
