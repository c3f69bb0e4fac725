# Shared by the *-side-by-side.sh scripts (sourced): runs two builds of the command line in turn under the benchmark lock.
# The sourcing script sets `scratch` (a folder of its own) and defines `run_side SIDE`, which sets the array `cmd` to the
# command of that side (base or new) and prepares whatever that run needs.

# The line each run prints, from /usr/bin/time.
side_by_side_format='  %e s wall %U s user %S s sys %M KB maxrss exit %x'

# alternate ROUNDS: ROUNDS times base then new, each run under /tmp/salespipeline-bench.lock and /usr/bin/time (its output
# discarded; a failure shows as its exit code), printing each side's version (its commit after the +) first, then
# "SIDE round N: load ..." and the time line; then the medians.
alternate() {
  local rounds="$1" round side
  for side in base new; do
    run_side "$side"
    echo "# $side: salespipeline $("${cmd[0]}" --version 2>/dev/null || echo "version unknown")"
  done
  echo "# each run: flock /tmp/salespipeline-bench.lock /usr/bin/time -f '$side_by_side_format'"
  for round in $(seq 1 "$rounds"); do
    for side in base new; do
      {
        flock 9
        run_side "$side"
        echo "$side round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
        /usr/bin/time -f "$side_by_side_format" -o "$scratch/time" "${cmd[@]}" >/dev/null 2>"$scratch/stderr" || true
        cat "$scratch/time"
      } 9>/tmp/salespipeline-bench.lock | tee -a "$scratch/all"
    done
  done
  python3 "$(dirname "${BASH_SOURCE[0]}")/side-by-side-median.py" "$scratch/all"
}
