# Shared by the PostgreSQL benchmark scripts (sourced from the repository's root): a throwaway server started by
# scripts/postgres.sh, the published command line, the import benchmarks' CSV file, and helpers to create databases.
# The sourcing script sets `name` (its name, for messages) and `work` (its scratch folder) first.

log() { printf '%s: %s\n' "$name" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$name" "$*" >&2; exit 1; }

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
trap stop_pg EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work"
ensure_packages time
start_pg
# The server's settings, as the measurements ran against them.
pg_settings="PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (scripts/postgres.sh: fsync off, synchronous_commit off, full_page_writes off, autovacuum off, other settings default)"
PGPASSWORD="$(sed -E 's/.*Password=([^;]*).*/\1/' <<<"$SALESPIPELINE_TEST_POSTGRES")"
export PGPASSWORD PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=salespipeline

# A script that runs builds it was given sets PUBLISH_CLI=no (not exported) and gets no `cli`: it publishes nothing (the CSV,
# when not yet written, is still written by `dotnet run`, before any measurement).
if [[ "${PUBLISH_CLI:-yes}" != no ]]; then
  log "publishing the command line to $work/bin"
  dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$work/bin" --nologo -v quiet >/dev/null
  cli="$work/bin/salespipeline"
fi

# psql_in DATABASE ARGS...: psql as the test role over TCP, stopping at the first error.
psql_in() { local db="$1"; shift; "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# new_database NAME: an empty database (dropped first if a previous run left it).
new_database() {
  psql_in salespipeline_test -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# connection NAME: the connection string of database NAME, for --db.
connection() { sed -E "s/Database=[^;]*/Database=$1/" <<<"$SALESPIPELINE_TEST_POSTGRES"; }

# write_csv FILE ROWS: the canonical CSV the import benchmarks read (ImportCsvFile), written once per size.
write_csv() {
  if [[ ! -s "$1" ]]; then
    log "writing $2 rows to $1"
    dotnet run -c Release --project SalesPipeline.Benchmarks -- --write-import-csv "$1.partial" "$2"
    mv "$1.partial" "$1"
  fi
  chmod 644 "$1"
}

# machine: one line on the machine, for the saved output.
machine() { echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) memory"; }

# log_statements DATABASE: the server logs every statement run in DATABASE with its duration (set as the superuser,
# for sessions started from now on), so that statement_summary can split a measured command's time by statement.
log_statements() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
    -c "ALTER DATABASE $1 SET log_min_duration_statement = 0" -c "ALTER DATABASE $1 SET log_parameter_max_length = 0" >/dev/null
}

# log_mark: the server log's current length in lines, for statement_summary.
log_mark() { wc -l <"$PG_DIR/server.log"; }

# statement_summary MARK: the statements logged since MARK, grouped by their first words (parameter values left out),
# each group with its count and total seconds, largest first.
statement_summary() {
  tail -n +"$(($1 + 1))" "$PG_DIR/server.log" \
    | sed -nE 's/.*duration: ([0-9.]+) ms  (statement|execute [^:]*): (.*)/\1\t\3/p' \
    | awk -F'\t' '{ n = split($2, w, /[ (]+/); k = ""; for (i = 1; i <= n && i <= 6; i++) k = k " " w[i]; s[k] += $1; c[k]++ }
        END { for (k in s) printf "%9.2f s %7d x %s\n", s[k] / 1000, c[k], k }' \
    | sort -rn | head -n 15
}
