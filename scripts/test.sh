#!/usr/bin/env bash
# make test: prepare PostgreSQL, the web app (and Chromium for its browser
# tests) and a Temporal test server, check that the generated GraphQL code
# is current and go.mod tidy, vet, staticcheck, run every test with the
# race detector (the browser tests among them), then fuzz each target for a
# while. The Temporal test server this script starts is stopped when it
# ends.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/postgres.sh
echo "== web app: build (the binary embeds it) and Chromium for its browser tests"
scripts/web.sh browser
temporal_pid=$(scripts/temporal.sh test)
trap '[ -z "$temporal_pid" ] || kill "$temporal_pid" 2>/dev/null || true' EXIT

echo "== gqlgen: generated code is current"
go tool gqlgen generate
if ! git diff --quiet -- graph; then
  git --no-pager diff --stat -- graph
  echo "gqlgen generate changed graph/: commit the regenerated code" >&2
  exit 1
fi
if [ -n "$(git ls-files --others --exclude-standard -- graph)" ]; then
  git ls-files --others --exclude-standard -- graph
  echo "gqlgen generate added files under graph/: commit them" >&2
  exit 1
fi

echo "== go.mod and go.sum are tidy"
if ! go mod tidy -diff; then
  echo "go mod tidy would change go.mod or go.sum: run it and commit them" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go tool staticcheck ./...

echo "== go test -race"
export AFTERCARE_TEST_TEMPORAL_ADDRESS=127.0.0.1:${AFTERCARE_TEST_TEMPORAL_PORT:-7243}
go test -race -count=1 -timeout 40m "$@" ./...

echo "== fuzz: each target for ${FUZZTIME:=20s}"
# Minimising a newly interesting input may take at most 5 s (the default, a
# minute, outlasts the fuzz time: a minimisation still running at the end
# fails the target with "context deadline exceeded").
for target in ./sla:FuzzParseHolidaySet .:FuzzParseSLATarget .:FuzzParseAssetCSV ./graph:FuzzOperationLimits \
  ./cmd/aftercare:FuzzGraphQLRequest; do
  go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 5s "${target%%:*}"
done
