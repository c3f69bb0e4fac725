#!/usr/bin/env bash
# Runs the whole test suite: bash scripts/test.sh [extra dotnet test arguments]
#
# - Installs what the tests need from Debian when it is missing (PostgreSQL server binaries, binutils,
#   python3-openpyxl, libreoffice-calc-nogui and poppler-utils for checking workbooks as their readers would,
#   python3-icalendar for reading calendar files).
# - Unless SALESPIPELINE_TEST_POSTGRES already names a server, starts a throwaway PostgreSQL cluster
#   on 127.0.0.1, creates role `salespipeline` (LOGIN, CREATEDB) and database `salespipeline_test`,
#   exports SALESPIPELINE_TEST_POSTGRES, and stops and deletes the cluster on exit.
# - Runs `dotnet test SalesPipeline.sln -c Release` and ends with the line `N passed, N failed`.
#   Exits with dotnet test's exit code; a run with skipped tests, or with no tests, fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() { printf 'test.sh: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $EUID -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  SUDO=()
fi

# ---------------------------------------------------------------------------------------------------
# Debian packages: install only what is missing; `apt-get update` only if the install needs it.
# ---------------------------------------------------------------------------------------------------
is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

apt_install() {
  local cmd=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@")
  if [[ $EUID -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    die "missing Debian packages: $*; install them as root (apt-get install $*) and run again"
  fi
  log "installing missing Debian packages: $*"
  if ! "${cmd[@]}"; then
    log "install failed; running apt-get update and trying again"
    "${SUDO[@]}" apt-get update || die "apt-get update failed; cannot install: $*"
    "${cmd[@]}" || die "apt-get install failed for: $*"
  fi
}

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    is_installed "$p" || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt_install "${missing[@]}"
  fi
}

find_pg_bindir() {
  local d
  # Highest installed major version first.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" && -x "$d/psql" ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

ensure_packages python3-openpyxl python3-icalendar libreoffice-calc-nogui poppler-utils binutils sqlite3

# ---------------------------------------------------------------------------------------------------
# Cleanup: stop the throwaway server and delete temp dirs, on success, failure or interrupt.
# ---------------------------------------------------------------------------------------------------
PG_DIR=""
PG_BIN=""
RESULTS_DIR=""

as_pg() {
  # The server must not run as root; run its tools as the postgres user, from a directory it can read.
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

stop_pg() {
  if [[ -n "$PG_DIR" ]]; then
    if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
        || as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
        || log "could not stop the PostgreSQL server in $PG_DIR"
    fi
    rm -rf -- "$PG_DIR"
    PG_DIR=""
  fi
}

cleanup() {
  stop_pg
  if [[ -n "$RESULTS_DIR" ]]; then
    rm -rf -- "$RESULTS_DIR"
    RESULTS_DIR=""
  fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

start_pg() {
  PG_BIN="$(find_pg_bindir || true)"
  if [[ -z "$PG_BIN" ]]; then
    ensure_packages postgresql
    PG_BIN="$(find_pg_bindir || true)"
    [[ -n "$PG_BIN" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql after installing postgresql; the tests need PostgreSQL"
  fi
  if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    die "PostgreSQL cannot be started: there is no 'postgres' system user to run the server as"
  fi

  # Short path under /tmp: it holds the Unix socket (path length limit) and the postgres user can reach it.
  PG_DIR="$(mktemp -d /tmp/salespipeline-pg.XXXXXX)"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$PG_DIR"
  fi

  log "initialising a throwaway PostgreSQL cluster ($PG_BIN) in $PG_DIR"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2 || true
    die "PostgreSQL cannot be started: initdb failed (output above); the tests need PostgreSQL"
  fi

  # Throwaway data: durability off for speed. Only TCP on 127.0.0.1 and a socket in the temp dir.
  cat >>"$PG_DIR/data/postgresql.conf" <<CONF

# --- added by scripts/test.sh (throwaway test cluster) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
# The tests drop their databases WITH (FORCE), which cannot end an autovacuum worker's session.
autovacuum = off
CONF

  local port started="" attempt=0
  for port in $(seq 55432 55531); do
    port_in_use "$port" && continue
    attempt=$((attempt + 1))
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port" start >/dev/null 2>&1; then
      started="$port"
      break
    fi
    # Lost a race for the port (another run started at the same moment)? Try the next one.
    if port_in_use "$port" && [[ $attempt -lt 5 ]]; then
      log "port $port was taken meanwhile; trying the next one"
      continue
    fi
    tail -n 30 "$PG_DIR/server.log" >&2 2>/dev/null || true
    die "PostgreSQL cannot be started on 127.0.0.1:$port (server log above); the tests need PostgreSQL"
  done
  [[ -n "$started" ]] || die "PostgreSQL cannot be started: no free port in 55432-55531 on 127.0.0.1; the tests need PostgreSQL"
  port="$started"

  local password
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  if ! as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$port" -U postgres -d postgres \
      >"$PG_DIR/setup.log" 2>&1 <<SQL
CREATE ROLE salespipeline LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE salespipeline_test OWNER salespipeline;
SQL
  then
    cat "$PG_DIR/setup.log" >&2 || true
    die "PostgreSQL started but creating role salespipeline / database salespipeline_test failed (output above)"
  fi

  # Prove the exported details work: password login over TCP, as the tests will connect.
  if ! PGPASSWORD="$password" PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At \
      -h 127.0.0.1 -p "$port" -U salespipeline -d salespipeline_test -c 'SELECT 1' >/dev/null 2>"$PG_DIR/check.log"; then
    cat "$PG_DIR/check.log" >&2 || true
    die "PostgreSQL started but logging in as salespipeline on 127.0.0.1:$port failed (output above)"
  fi

  export SALESPIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=salespipeline;Password=$password;Database=salespipeline_test"
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') is up on 127.0.0.1:$port (database salespipeline_test)"
}

if [[ -n "${SALESPIPELINE_TEST_POSTGRES:-}" ]]; then
  log "using the PostgreSQL server named by SALESPIPELINE_TEST_POSTGRES (starting none)"
else
  start_pg
fi

# ---------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"

RESULTS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/salespipeline-test-results.XXXXXX")"

set +e
dotnet test SalesPipeline.sln -c Release --results-directory "$RESULTS_DIR/trx" --logger trx "$@" 2>&1 \
  | tee "$RESULTS_DIR/console.log"
rc=${PIPESTATUS[0]}
set -e

# Sum the counts over every test assembly: from the TRX files, else from the console summaries.
passed=0 failed=0 skipped=0 total=0
trx_files=()
if [[ -d "$RESULTS_DIR/trx" ]]; then
  mapfile -t trx_files < <(find "$RESULTS_DIR/trx" -name '*.trx' -type f)
fi
attr() { # attr NAME COUNTERS-ELEMENT
  local v
  v="$(grep -o " $1=\"[0-9]*\"" <<<"$2" | head -n1 | grep -o '[0-9][0-9]*' || true)"
  printf '%s\n' "${v:-0}"
}
if [[ ${#trx_files[@]} -gt 0 ]]; then
  for f in "${trx_files[@]}"; do
    counters="$(tr '\n' ' ' <"$f" | grep -o '<Counters [^>]*>' | head -n1 || true)"
    [[ -n "$counters" ]] || continue
    t=$(attr total "$counters"); p=$(attr passed "$counters")
    fl=$(( $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters") ))
    total=$((total + t)); passed=$((passed + p)); failed=$((failed + fl))
    skipped=$((skipped + t - p - fl))
  done
else
  while IFS= read -r line; do
    n() { local v; v="$(grep -o "$1: *[0-9]*" <<<"$line" | grep -o '[0-9][0-9]*' || true)"; printf '%s\n' "${v:-0}"; }
    passed=$((passed + $(n Passed))); failed=$((failed + $(n Failed)))
    skipped=$((skipped + $(n Skipped))); total=$((total + $(n Total)))
  done < <(grep -E '(Passed|Failed)! +- +Failed: ' "$RESULTS_DIR/console.log" || true)
fi

# Stop the server now so nothing is printed after the closing line.
cleanup

status=$rc
if [[ $rc -ne 0 && $failed -eq 0 ]]; then
  log "dotnet test exited with code $rc without a failing test (build error, crash or bad arguments; see above)"
fi
if [[ $skipped -gt 0 ]]; then
  log "$skipped test(s) skipped or not run: a skipped test proves nothing, so the run fails"
  echo "$skipped skipped"
  [[ $status -ne 0 ]] || status=1
fi
if [[ $total -eq 0 && $rc -eq 0 ]]; then
  log "no tests ran: nothing was proven, so the run fails"
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
