#!/usr/bin/env bash
# Runs the whole test suite: bash scripts/test.sh [extra dotnet test arguments]
#
# - Installs what the tests need from Debian when it is missing (PostgreSQL server binaries, binutils,
#   python3-openpyxl, libreoffice-calc-nogui and poppler-utils for checking workbooks as their readers would,
#   python3-icalendar for reading calendar files).
# - Unless SALESPIPELINE_TEST_POSTGRES already names a server, starts a throwaway PostgreSQL cluster
#   on 127.0.0.1, creates role `salespipeline` (LOGIN, CREATEDB) and database `salespipeline_test`,
#   exports SALESPIPELINE_TEST_POSTGRES, and stops and deletes the cluster on exit.
# - Runs `dotnet test SalesPipeline.sln -c Release` and ends with the line `N passed, N failed`. A test that runs for
#   10 minutes is taken for hung: the run is stopped, naming it (the whole suite takes a few minutes).
#   Exits with dotnet test's exit code; a run with skipped tests, or with no tests, fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() { printf 'test.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

ensure_packages python3-openpyxl python3-icalendar libreoffice-calc-nogui poppler-utils binutils sqlite3

# ---------------------------------------------------------------------------------------------------
# Cleanup: stop the throwaway server and delete temp dirs, on success, failure or interrupt.
# ---------------------------------------------------------------------------------------------------
RESULTS_DIR=""

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
dotnet test SalesPipeline.sln -c Release --results-directory "$RESULTS_DIR/trx" --logger trx --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 \
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
