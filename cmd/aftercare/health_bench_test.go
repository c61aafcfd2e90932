package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/metrics"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/require"
)

// BenchmarkReportHealthOverHTTP sends reportHealth over HTTP, as the api
// subcommand serves it, with 100,000 assets of one account reporting:
// each op is one request of 500 readings (drives and memory of random
// assets), signed in as the account's corporate IT. "1 client" sends one
// request at a time; "4 clients" four at once (on 2 CPUs; clients over
// GOMAXPROCS, rounded down). Besides time it reports
// readings/s and the CPU time of this process (API and client) per
// request; PostgreSQL's own CPU is not in it.
//
//	go test ./cmd/aftercare -run '^$' -bench ReportHealthOverHTTP -benchtime 100x
func BenchmarkReportHealthOverHTTP(b *testing.B) {
	const assets, batch = 100_000, 500
	ctx := context.Background()
	db, url := postgrestest.MustOpenURL(b)
	seed := demo.DefaultConfig()
	seed.Accounts, seed.SitesPerAccount, seed.AssetsPerSite, seed.Engineers = 5, 1, 10, 10
	_, err := demo.Seed(ctx, db, seed)
	require.NoError(b, err)
	it := postgrestest.MustQueryString(b, db, `SELECT username FROM users WHERE role = 'customer_it' ORDER BY username LIMIT 1`)
	require.NoError(b, db.ExecScript(ctx, fmt.Sprintf(`
		INSERT INTO assets (account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
		SELECT u.account_id, s.id, 'HTTP-' || lpad(n::text, 6, '0'), 'thinksystem_sr', 'SR650 V3', '2024-01-01', '2027-01-01'
		FROM users u JOIN LATERAL (SELECT id FROM sites WHERE account_id = u.account_id LIMIT 1) s ON true,
			generate_series(1, %d) n
		WHERE u.username = '%s'; ANALYZE assets`, assets, it)))
	cfg := testConfig(b, url)
	m := &Main{Config: cfg, Logger: testLogger(), DB: db, Metrics: metrics.New(testLogger())}
	api, err := m.newAPI(ctx)
	require.NoError(b, err)
	srv := httptest.NewServer(api.handler)
	b.Cleanup(srv.Close)
	token, err := mintToken(ctx, &cfg, db, it, time.Hour)
	require.NoError(b, err)

	var sent atomic.Int64
	body := func(r *rand.Rand) []byte {
		readings := make([]map[string]any, batch)
		at := time.Now().Add(-time.Duration(sent.Add(1)%3600) * time.Second).Format(time.RFC3339Nano)
		for j := range readings {
			rd := map[string]any{"serialNumber": fmt.Sprintf("HTTP-%06d", r.IntN(assets)+1), "slot": r.IntN(4), "takenAt": at}
			if j%2 == 0 {
				rd["component"], rd["reallocatedSectors"], rd["powerOnHours"] = "DRIVE", r.IntN(3), 20000
			} else {
				rd["component"], rd["eccCorrected"] = "MEMORY", r.IntN(50)
			}
			readings[j] = rd
		}
		out, err := json.Marshal(map[string]any{"variables": map[string]any{"r": readings},
			"query": `mutation($r: [HealthReadingInput!]!) { reportHealth(readings: $r) { accepted } }`})
		require.NoError(b, err)
		return out
	}
	post := func(payload []byte) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(payload))
		require.NoError(b, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		var got gqlResponse
		require.NoError(b, json.NewDecoder(resp.Body).Decode(&got))
		resp.Body.Close()
		require.Empty(b, got.Errors)
	}
	run := func(b *testing.B, clients int) {
		r := rand.New(rand.NewPCG(uint64(clients), 9))
		payloads := make([][]byte, b.N)
		for i := range payloads {
			payloads[i] = body(r)
		}
		var next atomic.Int64
		cpu := processCPU()
		start := time.Now()
		b.ResetTimer()
		if clients == 1 {
			for i := range b.N {
				post(payloads[i])
			}
		} else {
			b.SetParallelism(clients / runtime.GOMAXPROCS(0))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(payloads[next.Add(1)-1])
				}
			})
		}
		elapsed := time.Since(start)
		b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "readings/s")
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/op")
	}
	b.Run("1 client", func(b *testing.B) { run(b, 1) })
	b.Run("4 clients", func(b *testing.B) { run(b, 4) })
}
