#!/usr/bin/env bash
# Temporal for Aftercare's development and tests.
#   scripts/temporal.sh install   build the pinned Temporal CLI into .bin/ once
#   scripts/temporal.sh test      start an in-memory dev server for tests on
#                                 port 7243 (no UI) and print its PID, or
#                                 reuse one that already answers there; either
#                                 way with Aftercare's search attributes
#   scripts/temporal.sh register [host:port]
#                                 register Aftercare's search attributes on the
#                                 default namespace of a running server
#                                 (default localhost:7233)
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.5.1            # Temporal CLI; bundles Temporal server 1.29.1 and Web UI 2.42.1
server_version="Server 1.29.1"
cli=.bin/temporal

# The search attributes Aftercare's workflows set, as Name=Type
# (workflows/searchattributes.go; TestTemporalScriptRegistersSearchAttributes
# keeps the two the same). `aftercare dev` registers them itself.
search_attributes=(
  AftercareIncidentNumber=Int
  AftercareAccount=Keyword
  AftercareTier=Keyword
  AftercarePriority=Keyword
  AftercareStatus=Keyword
  AftercareRegion=Keyword
  AftercareContractNumber=Keyword
  AftercareContractState=Keyword
)

install() {
  if [ -x "$cli" ] && "$cli" --version 2>/dev/null | grep -q "$server_version"; then
    return
  fi
  # Everything goes to stderr: `test` prints the server's PID on stdout.
  echo "temporal: building the Temporal CLI $version into $cli (once; several minutes on a cold cache)" >&2
  GOBIN="$PWD/.bin" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
}

# register adds the search attributes a server lacks; those it has with the
# same type are left as they are.
register() {
  install
  local address=${1:-localhost:7233} sa
  for sa in "${search_attributes[@]}"; do
    "$cli" operator search-attribute create --address "$address" --name "${sa%%=*}" --type "${sa#*=}" >/dev/null
  done
}

start_test() {
  install
  mkdir -p .data
  local port=${AFTERCARE_TEST_TEMPORAL_PORT:-7243}
  if "$cli" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1; then
    echo "temporal: reusing the test server already on port $port" >&2
    register "127.0.0.1:$port"
    return
  fi
  local flags=() sa
  for sa in "${search_attributes[@]}"; do
    flags+=(--search-attribute "$sa")
  done
  "$cli" server start-dev --headless --ip 127.0.0.1 --port "$port" --log-level error "${flags[@]}" \
    >.data/temporal-test.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do
    if "$cli" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1; then
      echo "$pid"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "temporal: test server exited; log:" >&2
      cat .data/temporal-test.log >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "temporal: test server not healthy after 60 s" >&2
  kill "$pid"
  exit 1
}

case "${1:-}" in
  install) install ;;
  test) start_test ;;
  register) register "${2:-}" ;;
  *) echo "usage: $0 install|test|register [host:port]" >&2; exit 2 ;;
esac
