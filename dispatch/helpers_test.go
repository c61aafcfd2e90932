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
	cities, err := parseCitiesFile()
	require.NoError(tb, err, "the tests need %s (shared/data/cities.csv next to the repository)", citiesPath)
	require.NotEmpty(tb, cities)
	return cities
}

func parseCitiesFile() ([]City, error) {
	f, err := os.Open(citiesPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseCities(f, time.LoadLocation)
}

// mustIndex builds an index with layout l, failing the test on error.
func mustIndex(tb testing.TB, l layout, engineers []Engineer, depots []Depot) *Index {
	tb.Helper()
	x, err := newIndex(l, engineers, depots)
	require.NoError(tb, err)
	return x
}
