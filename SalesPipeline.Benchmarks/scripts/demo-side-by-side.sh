#!/usr/bin/env bash
# Runs `salespipeline demo --deals DEALS` into a new SQLite store with two published builds of the CLI, one after the
# other, ROUNDS times (base, new, base, new, ...), each run under the benchmark lock, so the two are compared under the
# same load (this machine's speed varies by tens of percent between hours, which a single timed run cannot tell apart
# from a change in the build).
# Usage: bash SalesPipeline.Benchmarks/scripts/demo-side-by-side.sh BASE_DIR NEW_DIR [DEALS] [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
# Prints one line per run (wall, user and sys seconds, peak memory, exit code, with the load average before it), then the
# median wall time of each build and their ratio. The stores and workbooks go to a scratch folder, deleted afterwards.
set -euo pipefail
base="$1"; new="$2"; deals="${3:-1000000}"; rounds="${4:-2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# demo --deals $deals into a new SQLite file; base $base, new $new; $rounds rounds"
echo "# each run: flock /tmp/salespipeline-bench.lock /usr/bin/time -f '%e s wall %U s user %S s sys %M KB maxrss exit %x'"
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    dir="$base"; [ "$side" = new ] && dir="$new"
    rm -rf "$out/run"; mkdir -p "$out/run"
    flock /tmp/salespipeline-bench.lock bash -c "
      echo \"$side round $round: load \$(cut -d' ' -f1-3 /proc/loadavg)\"
      /usr/bin/time -f '  %e s wall %U s user %S s sys %M KB maxrss exit %x' -o '$out/time' \
        '$dir/salespipeline' --db '$out/run/demo.db' demo --deals '$deals' --out '$out/run/reports' >/dev/null 2>'$out/stderr' || true
      cat '$out/time'" | tee -a "$out/all"
  done
done
python3 "$(dirname "$0")/side-by-side-median.py" "$out/all"
