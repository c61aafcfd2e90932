#!/usr/bin/env bash
# Makes PostgreSQL available for Aftercare on a Debian machine: installs it if
# missing, starts the cluster, and creates the aftercare role (allowed to
# create the databases tests use) and database. Safe to run again.
set -euo pipefail

role=${AFTERCARE_PG_USER:-aftercare}
password=${AFTERCARE_PG_PASSWORD:-aftercare}
database=${AFTERCARE_PG_DATABASE:-aftercare}

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { sudo_ runuser -u postgres -- "$@"; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres: installing PostgreSQL from Debian packages"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  echo "postgres: creating cluster $version/main"
  sudo_ pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
read -r version name <<<"$cluster"
if ! pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $4}' | grep -q online; then
  sudo_ pg_ctlcluster "$version" "$name" start
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $3}')

for _ in $(seq 1 50); do
  as_postgres psql -p "$port" -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done

as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qAt <<SQL >/dev/null
DO \$\$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    ALTER ROLE "$role" LOGIN CREATEDB PASSWORD '$password';
  ELSE
    CREATE ROLE "$role" LOGIN CREATEDB PASSWORD '$password';
  END IF;
END
\$\$;
-- Tests drop their databases WITH (FORCE), which must also end the
-- autovacuum workers on them: processes of no role, which only members of
-- pg_signal_backend may terminate.
GRANT pg_signal_backend TO "$role";
SQL
if [ -z "$(as_postgres psql -p "$port" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
  as_postgres psql -p "$port" -qc "CREATE DATABASE \"$database\" OWNER \"$role\""
fi

echo "postgres: ready on port $port (postgres://$role:***@localhost:$port/$database)"
