# shellcheck shell=bash
# Start a PostgreSQL server for the registry tests and export its URL.
#
# `source`d by scripts/test.sh (and .ci/run through it) on a Debian 12 machine where
# scripts/setup.sh installed the `postgresql` package. Idempotent: running it again reuses
# the running server, the role and the database. It exports
#
#   VBSIGN_TEST_PG_URL=postgresql+psycopg://vbsign_test:vbsign_test@127.0.0.1:PORT/vbsign_test
#   VBSIGN_REQUIRE_PG=1   (PostgreSQL tests then FAIL instead of skipping if the server is down)
#
# If VBSIGN_TEST_PG_URL is already set, it does nothing (bring your own server).
# Being sourced, it never calls `exit` and never lets a failing command end the caller's
# `set -e` shell: problems are reported on stderr and the tests then fail loudly.

_vbsign_pg_log() { echo "==> start-postgres: $*" >&2; }

_vbsign_pg_as_postgres() {
  # run a command as the postgres OS user (root on CI; sudo for a developer)
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    sudo -n -u postgres "$@"
  fi
}

_vbsign_pg_start() {
  local db=vbsign_test role=vbsign_test password=vbsign_test
  local ver port cluster_line
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    _vbsign_pg_log "PostgreSQL is not installed (apt-get install postgresql); PG tests will fail"
    return 0
  fi
  # the first cluster of the newest installed version; create one if there is none
  cluster_line=$(pg_lsclusters --no-header 2>/dev/null | sort -k1,1V | tail -n 1 || true)
  if [ -z "$cluster_line" ]; then
    ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$ver" ]; then
      _vbsign_pg_log "no PostgreSQL server binaries found; PG tests will fail"
      return 0
    fi
    _vbsign_pg_log "creating cluster $ver/main"
    pg_createcluster "$ver" main >/dev/null 2>&1 || _vbsign_pg_log "pg_createcluster $ver main failed"
    cluster_line=$(pg_lsclusters --no-header 2>/dev/null | sort -k1,1V | tail -n 1 || true)
  fi
  ver=$(echo "$cluster_line" | awk '{print $1}')
  local name
  name=$(echo "$cluster_line" | awk '{print $2}')
  port=$(echo "$cluster_line" | awk '{print $3}')
  if ! echo "$cluster_line" | grep -q " online "; then
    _vbsign_pg_log "starting cluster $ver/$name on port $port"
    pg_ctlcluster "$ver" "$name" start >/dev/null 2>&1 || _vbsign_pg_log "pg_ctlcluster $ver $name start failed"
  fi
  # wait (bounded) for the server to accept connections
  local i
  for i in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if ! pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
    _vbsign_pg_log "server on port $port is not ready; PG tests will fail"
    return 0
  fi
  # role and database (idempotent); the role may create schemas in its own database only
  _vbsign_pg_as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || _vbsign_pg_log "creating role/database failed"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN PASSWORD '$password';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $db OWNER $role ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec
SQL
  export VBSIGN_TEST_PG_URL="postgresql+psycopg://$role:$password@127.0.0.1:$port/$db"
  _vbsign_pg_log "PostgreSQL $ver ready on 127.0.0.1:$port (database $db)"
}

if [ -z "${VBSIGN_TEST_PG_URL:-}" ]; then
  _vbsign_pg_start || true
  if [ -z "${VBSIGN_TEST_PG_URL:-}" ]; then
    # still point the tests at the expected server so that they fail with a clear message
    export VBSIGN_TEST_PG_URL="postgresql+psycopg://vbsign_test:vbsign_test@127.0.0.1:5432/vbsign_test"
  fi
fi
export VBSIGN_REQUIRE_PG=1
unset -f _vbsign_pg_start _vbsign_pg_as_postgres _vbsign_pg_log
