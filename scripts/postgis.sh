#!/usr/bin/env bash
# Makes PostGIS available for `aftercare bench dispatch`: prepares PostgreSQL
# (scripts/postgres.sh), installs the Debian PostGIS package for the
# cluster's version if missing, and creates the benchmark's database, owned
# by the aftercare role, with the postgis extension (CREATE EXTENSION postgis
# needs a superuser, so it runs as the postgres OS user). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

role=${AFTERCARE_PG_USER:-aftercare}
database=${AFTERCARE_POSTGIS_DATABASE:-aftercare_postgis_bench}

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { sudo_ runuser -u postgres -- "$@"; }

scripts/postgres.sh >/dev/null
read -r version port <<<"$(pg_lsclusters -h | awk 'NR==1 {print $1" "$3}')"

if ! ls /usr/share/postgresql/"$version"/extension/postgis.control >/dev/null 2>&1; then
  echo "postgis: installing postgresql-$version-postgis-3 from Debian packages"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$version-postgis-3" >/dev/null
fi

if [ -z "$(as_postgres psql -p "$port" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
  as_postgres psql -p "$port" -qc "CREATE DATABASE \"$database\" OWNER \"$role\""
fi
as_postgres psql -p "$port" -d "$database" -qc "CREATE EXTENSION IF NOT EXISTS postgis"

echo "postgis: ready on port $port (postgres://$role:***@localhost:$port/$database)"
