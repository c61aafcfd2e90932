#!/usr/bin/env bash
# make reset: deletes the local development state so that the next
# `make run` starts fresh: the data folder (.data/, or AFTERCARE_DATA_DIR:
# the Temporal dev server's state and log, the token signing key) and the
# aftercare database (`make run` creates it again, migrates it and loads
# the demo data). It stops nothing: while a process still has the Temporal
# state open or is connected to the database, it says so and deletes
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

database=${AFTERCARE_PG_DATABASE:-aftercare}
data=${AFTERCARE_DATA_DIR:-.data}

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { sudo_ runuser -u postgres -- "$@"; }

# A process with the Temporal state open is a dev server still running.
if [ -d "$data" ]; then
  state=$(realpath "$data")/temporal.db
  fd=$(find /proc/[0-9]*/fd -maxdepth 1 \( -lname "$state" -o -lname "$state-*" \) -print -quit 2>/dev/null || true)
  if [ -n "$fd" ]; then
    pid=${fd#/proc/}
    echo "reset: process ${pid%%/*} has the Temporal state in $data open; stop \`make run\` first" >&2
    exit 1
  fi
fi

# DROP DATABASE refuses while anyone is connected, which is the check that
# nothing uses the database.
if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h)" ]; then
  read -r version name port status <<<"$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2" "$3" "$4}')"
  if [ "$status" != online ]; then
    echo "reset: PostgreSQL $version/$name is not running; start it (scripts/postgres.sh) and reset again" >&2
    exit 1
  fi
  if ! as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS \"$database\""; then
    echo "reset: the $database database is in use; stop \`make run\` first" >&2
    exit 1
  fi
  echo "reset: dropped the $database database"
fi

rm -rf "$data"
echo "reset: deleted $data; \`make run\` starts fresh"
