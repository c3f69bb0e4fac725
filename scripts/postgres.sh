# Starts and stops a throwaway PostgreSQL cluster; sourced by scripts that need a server (scripts/test.sh, the
# PostgreSQL benchmark scripts). The sourcing script defines log and die (message helpers) and calls stop_pg on exit.
#
# - ensure_packages P...: installs the Debian packages that are missing (apt-get update only if the install needs it).
# - start_pg: initialises a cluster in a temp dir (fsync off: throwaway data) on a free port of 127.0.0.1, creates role
#   `salespipeline` (LOGIN, CREATEDB) and database `salespipeline_test`, and exports SALESPIPELINE_TEST_POSTGRES
#   (a connection string); PG_BIN is the server's bin folder, PG_DIR the cluster's folder, PG_PORT its port.
# - stop_pg: stops the cluster and deletes its folder.
# - With PG_KEEP_DIR set to a folder, the cluster lives there instead and outlives the script: a later start_pg with the
#   same folder starts it again with its data (for benchmarks whose store takes minutes to build); stop_pg only stops it.
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

PG_DIR=""
PG_BIN=""

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
    [[ -n "${PG_KEEP_DIR:-}" ]] || rm -rf -- "$PG_DIR"
    PG_DIR=""
  fi
}

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
  local kept=""
  if [[ -n "${PG_KEEP_DIR:-}" ]]; then
    PG_DIR="$PG_KEEP_DIR"
    mkdir -p "$PG_DIR"
    [[ -s "$PG_DIR/password" && -f "$PG_DIR/data/PG_VERSION" ]] && kept=yes
  else
    PG_DIR="$(mktemp -d /tmp/salespipeline-pg.XXXXXX)"
  fi
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$PG_DIR"
  fi

  if [[ -n "$kept" ]]; then
    log "starting the kept PostgreSQL cluster in $PG_DIR"
  else
    log "initialising a ${PG_KEEP_DIR:+kept }PostgreSQL cluster ($PG_BIN) in $PG_DIR"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1; then
      cat "$PG_DIR/initdb.log" >&2 || true
      die "PostgreSQL cannot be started: initdb failed (output above); the tests need PostgreSQL"
    fi

    # Throwaway data: durability off for speed. Only TCP on 127.0.0.1 and a socket in the temp dir.
    cat >>"$PG_DIR/data/postgresql.conf" <<CONF

# --- added by scripts/postgres.sh (throwaway cluster) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
# The tests drop their databases WITH (FORCE), which cannot end an autovacuum worker's session.
autovacuum = off
CONF
  fi

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
  PG_PORT="$port"

  local password
  if [[ -n "$kept" ]]; then
    password="$(cat "$PG_DIR/password")"
  else
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
    if [[ -n "${PG_KEEP_DIR:-}" ]]; then
      (umask 077 && printf '%s' "$password" >"$PG_DIR/password")
    fi
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
