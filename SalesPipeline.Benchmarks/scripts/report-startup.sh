#!/usr/bin/env bash
# The fixed cost of `salespipeline report --kind all`: the tool as `dotnet publish` builds it (ReadyToRun, compiled ahead of
# time) beside the same tool published without ReadyToRun (everything JIT-compiled at start, as before), run turn about
# on one small store, so both see the same machine load.
# Usage: flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/report-startup.sh [DEALS] [RUNS]
#        (defaults 10000 and 5). The store is the one report-memory.sh DEALS builds; run that first.
# Saves each run's wall and CPU time, the medians and their ratio to SalesPipeline.Benchmarks/results/report-startup-DEALS.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
deals="${1:-10000}"
runs="${2:-5}"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-report-memory}"
source_db="$work/store-$deals.db"
period="$work/store-$deals.period"
if [ ! -f "$source_db" ] || [ ! -f "$period" ]; then
  echo "no store of $deals deals in $work: run 'bash SalesPipeline.Benchmarks/scripts/report-memory.sh $deals' first" >&2
  exit 2
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$scratch/readytorun" --nologo -v quiet >/dev/null
dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$scratch/jit" -p:PublishReadyToRun=false --nologo -v quiet >/dev/null
cp "$source_db" "$scratch/store.db"
"$scratch/readytorun/salespipeline" --db "$scratch/store.db" db migrate >/dev/null
read -r from to < "$period"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
lines=()
for i in $(seq 1 "$runs"); do
  for build in jit readytorun; do
    /usr/bin/time -f "%e %U" -o "$scratch/time" "$scratch/$build/salespipeline" --db "$scratch/store.db" \
      report --kind all --from "$from" --to "$to" --out "$scratch/report.xlsx" >/dev/null
    read -r wall user < "$scratch/time"
    /usr/bin/time -f "%e" -o "$scratch/help" "$scratch/$build/salespipeline" --help >/dev/null
    lines+=("$build run $i: report ${wall} s wall, ${user} s user; --help $(cat "$scratch/help") s wall")
    echo "${lines[-1]}"
  done
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
summary() {
  local build="$1" field="$2"
  printf '%s\n' "${lines[@]}" | grep "^$build " | awk -v f="$field" '{ print $f }' | median
}
jit_wall="$(summary jit 5)"; r2r_wall="$(summary readytorun 5)"
jit_user="$(summary jit 8)"; r2r_user="$(summary readytorun 8)"
jit_help="$(summary jit 12)"; r2r_help="$(summary readytorun 12)"

results="SalesPipeline.Benchmarks/results/report-startup-$deals.txt"
{
  echo "# flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/report-startup.sh $deals $runs"
  echo "# $(nproc) cores, load average $load_before at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "# report --kind all --from $from --to $to over $deals demo deals; jit = published with -p:PublishReadyToRun=false"
  printf '%s\n' "${lines[@]}"
  echo "median report wall: jit $jit_wall s, readytorun $r2r_wall s, ratio $(awk -v a="$r2r_wall" -v b="$jit_wall" 'BEGIN { printf "%.2f", a / b }')"
  echo "median report user CPU: jit $jit_user s, readytorun $r2r_user s, ratio $(awk -v a="$r2r_user" -v b="$jit_user" 'BEGIN { printf "%.2f", a / b }')"
  echo "median --help wall: jit $jit_help s, readytorun $r2r_help s"
} > "$results"
tail -3 "$results"
