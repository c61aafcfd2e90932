package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aftercare/aftercare/demo"
	"github.com/stretchr/testify/require"
)

// browserFixture is what the browser tests are told of the stack they
// run against: where it is, how each demo user signs in, and the demo data
// the journeys start from.
type browserFixture struct {
	URL       string            `json:"url"`
	Passwords map[string]string `json:"passwords"`
	Serials   map[string]string `json:"serials"`
	Uncovered string            `json:"uncoveredSerial"`
}

// TestWebAppInABrowser runs the web app's Playwright tests (web/e2e) in
// headless Chromium against the real stack: the API and worker of this
// process on a seeded database and the Temporal test server, the app as
// the binary embeds it. Screenshots of each screen are kept in
// web/test-results.
func TestWebAppInABrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	require.NoError(t, err, "the browser tests need Chromium: run `make test`, which installs it (scripts/web.sh browser)")
	web, err := filepath.Abs("../../web")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(web, "node_modules", "@playwright", "test"))
	require.NoError(t, err, "the browser tests need the web app's npm packages: run `make test` (scripts/web.sh)")

	env := mustTestEnvWith(t, func(*demo.Config) {})
	passwords, err := demoPasswords(context.Background(), env.db, t.TempDir())
	require.NoError(t, err)
	// Half a year of repairs and the parts they used, for the parts plan.
	_, err = demo.SeedHistory(context.Background(), env.db, demo.HistoryConfig{Seed: 7, Incidents: 3000, Now: time.Now(), Days: 182})
	require.NoError(t, err)
	_, err = demo.SeedPartsHistory(context.Background(), env.db, demo.PartsHistoryConfig{Seed: 7, Share: 0.8})
	require.NoError(t, err)
	m := env.startMain(t)
	fixture := browserFixture{URL: m.URL(), Passwords: passwords, Serials: map[string]string{},
		Uncovered: env.summary.UncoveredSerial}
	for tier, serial := range env.summary.Serials {
		fixture.Serials[string(tier)] = serial
	}
	b, err := json.Marshal(fixture)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixture.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	cmd := exec.Command("npx", "playwright", "test")
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "AFTERCARE_FIXTURE="+path, "AFTERCARE_CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("playwright:\n%s", out)
	require.NoError(t, err, "the browser tests failed; their screenshots and traces are in web/test-results")
}
