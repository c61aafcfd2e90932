// Command aftercare is the one Aftercare binary. Its subcommands run the
// API, the Temporal worker, migrations, demo data, token minting, load
// benchmarks, and `dev`, which starts everything on one machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// Every process reads time zones from the same database, whatever the
	// host has: the API accepts a site's or engineer's zone only if
	// time.LoadLocation knows it, and the workers' dispatch index and SLA
	// clocks must know it too.
	_ "time/tzdata"
)

const usage = `aftercare runs the Aftercare after-sales service system.

Usage: aftercare <command> [flags]

Commands:
  dev      start everything for development: Temporal dev server and Web UI,
           migrations, demo data with demo passwords, the web app and API
           with the GraphQL console, and the worker
  api      serve the GraphQL API and start incident workflows from the outbox
  worker   run the Temporal worker
  migrate  apply database migrations
  seed     load demo data into an empty database
  token    mint a bearer token for a user
  password set the password a user signs in with, read from stdin
  bench    run a whole-system benchmark: bench sla, bench dispatch
  simulate run a compressed service day through the API and check that nothing was lost

Run 'aftercare <command> -h' for a command's flags. Every flag can also be set
with an environment variable, shown in its help.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "aftercare:", err)
		os.Exit(1)
	}
}

// run executes one subcommand until it finishes or ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "dev":
		return runDev(ctx, args, stdout, stderr)
	case "api":
		return runServe(ctx, "api", args, stderr, serveAPI)
	case "worker":
		return runServe(ctx, "worker", args, stderr, serveWorker)
	case "migrate":
		return runMigrate(ctx, args, stdout, stderr)
	case "seed":
		return runSeed(ctx, args, stdout, stderr)
	case "token":
		return runToken(ctx, args, stdout, stderr)
	case "password":
		return runPassword(ctx, args, os.Stdin, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
