#!/usr/bin/env bash
# Measures the time and peak memory (max RSS) of `salespipeline report --kind all` over a large SQLite store.
# Usage: flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/report-memory.sh [DEALS] [RUNS]   (default 1,000,000 deals, 3 runs)
# The store is built once with `demo --deals DEALS` into a scratch folder and reused on later runs.
# The report runs RUNS times, one after the other (this machine's speed swings by tens of percent within minutes); every
# run's wall time and peak memory, and the median run's /usr/bin/time -v lines, are saved to
# SalesPipeline.Benchmarks/results/report-memory-DEALS.txt (the median run's whole /usr/bin/time -v output beside it, in
# report-memory-DEALS.time.txt), the files the README's figures come from.
set -euo pipefail
cd "$(dirname "$0")/../.."
deals="${1:-1000000}"
runs="${2:-3}"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-report-memory}"
mkdir -p "$work"
db="$work/store-$deals.db"
results="SalesPipeline.Benchmarks/results/report-memory-$deals.txt"

dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$work/bin" --nologo -v quiet >/dev/null
cli="$work/bin/salespipeline"

period="$work/store-$deals.period"

if [ ! -f "$db" ] || [ ! -f "$period" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  # The demo spreads its deals over the 12 months before now and reports the last full quarter (the one before the
  # current quarter); that quarter is kept with the store, so a later run measures the same deals.
  quarter="$(python3 - <<'PY'
import datetime
t = datetime.date.today()
q = (t.month - 1) // 3
start = datetime.date(t.year, q * 3 + 1, 1)
prev_end = start - datetime.timedelta(days=1)
prev_start = datetime.date(prev_end.year, ((prev_end.month - 1) // 3) * 3 + 1, 1)
print(prev_start.isoformat(), prev_end.isoformat())
PY
)"
  echo "Building a store of $deals demo deals in $db (once)..."
  /usr/bin/time -v "$cli" --db "$db" demo --deals "$deals" --out "$work/demo-reports" 2> "$work/demo.time" >/dev/null
  grep -E "Elapsed|Maximum resident|Exit status" "$work/demo.time" | sed "s/^\s*//" | tee "$work/demo-$deals.measured"
  echo "$quarter" > "$period"
fi

# A store kept from an earlier version is brought to the current schema first, so the report measures only itself.
"$cli" --db "$db" db migrate >/dev/null
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
read -r from to < "$period"
echo "report --kind all --from $from --to $to over $deals deals, $runs runs:"
walls=()
for run in $(seq "$runs"); do
  /usr/bin/time -v "$cli" --db "$db" report --kind all --from "$from" --to "$to" --out "$work/report.xlsx" 2> "$work/report-$run.time" >/dev/null
  grep -E "Elapsed|Maximum resident" "$work/report-$run.time"
  walls+=("$(awk -F': ' '/Elapsed/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/report-$run.time") $run")
done
# The run with the median wall time is the one saved in full.
median_run="$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p" | cut -d' ' -f2)"
cp "$work/report-$median_run.time" "$work/report.time"

{
  echo "# bash SalesPipeline.Benchmarks/scripts/report-memory.sh $deals"
  echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) memory, load average $load_before at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "# store: $(du -h "$db" | cut -f1) SQLite file, $deals demo deals"
  if [ -f "$work/demo-$deals.measured" ]; then
    echo "demo --deals $deals (when the store was built):"
    sed 's/^/  /' "$work/demo-$deals.measured"
  fi
  echo "report --kind all --from $from --to $to, $runs runs one after the other:"
  for run in $(seq "$runs"); do
    echo "  run $run: $(grep -E "Elapsed" "$work/report-$run.time" | sed 's/^.*): //') wall, $(grep -E "Maximum resident" "$work/report-$run.time" | sed 's/^.*): //') kB max RSS, exit $(grep -E "Exit status" "$work/report-$run.time" | sed 's/^.*: //')"
  done
  echo "the median run ($median_run):"
  grep -E "Elapsed|Maximum resident|Exit status" "$work/report.time" | sed 's/^\s*/  /'
} > "$results"
cp "$work/report.time" "${results%.txt}.time.txt"
echo "Saved to $results and ${results%.txt}.time.txt"
