package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

const benchUsage = `Usage: aftercare bench <benchmark> [flags]

Benchmarks:
  sla   keep incidents open with live clocks on a Temporal dev server and
        a fresh PostgreSQL database, let escalations fall due at steady
        rates, and drive a bare workflow to the same instants in the same
        run: the engine's own floor
  dispatch  rank the nearest qualified engineer with the part for 10,000
        incidents over 100,000 engineers, against a brute-force scan in Go
        and PostgreSQL with PostGIS (scripts/postgis.sh) in the same run
  kpi   load two years of closed incidents (1,000,000 by default) and time
        every KPI query per dimension from the stored counters, and computed
        from the base tables in the same run
`

// runBench runs one whole-system benchmark.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "sla":
		return runBenchSLA(ctx, args[1:], stdout, stderr)
	case "dispatch":
		return runBenchDispatch(ctx, args[1:], stdout, stderr)
	case "kpi":
		return runBenchKPI(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, benchUsage)
	return fmt.Errorf("unknown benchmark %q", args[0])
}
