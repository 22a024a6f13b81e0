#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start-up time of `oauthctl serve` (issue 9): from exec to the "listening on" line (the
# port accepts connections then), median and fastest of N runs, for
#   1. --ephemeral --demo (a fresh RSA key and the demo seed every time; target <= 250 ms)
#   2. --data FILE --demo on an existing store (target <= 50 ms)
#   3. --data FILE on an existing store, no seed
# Besides the wall time, the CPU time the process used until ready (all its threads, from
# /proc/PID/task/*/schedstat): on a machine loaded by other work the wall time mostly
# measures waiting for a core, the CPU time much less so.
# Usage: bench/startup.sh path/to/oauthctl [runs]   (the machine's load shows in the wall
# figures: run it on a quiet machine, or compare two binaries in one run)
set -euo pipefail
oauthctl=$(readlink -f "${1:?usage: bench/startup.sh OAUTHCTL [RUNS]}")
runs=${2:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One start: milliseconds from exec to the first line on stdout.
start_ms() {
  local fifo=$work/out.fifo line t0 t1 pid
  rm -f "$fifo"
  mkfifo "$fifo"
  t0=$(date +%s%N)
  "$oauthctl" serve --port 0 --quiet "$@" >"$fifo" 2>>"$work/serve.err" &
  pid=$!
  exec 3<"$fifo"
  IFS= read -r line <&3 || true
  t1=$(date +%s%N)
  local cpu=0 task ns
  for task in /proc/"$pid"/task/*/schedstat; do
    read -r ns _ <"$task" 2>/dev/null && cpu=$((cpu + ns))
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exec 3<&-
  [[ $line == listening\ on\ * ]] || { echo "serve did not start: $(tail -n 3 "$work/serve.err")" >&2; exit 1; }
  echo "$(((t1 - t0) / 1000000)) $((cpu / 1000000))"
}

# median: the middle of the numbers on stdin.
median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

# measure LABEL ARGS...: prints "LABEL: median N ms, fastest M ms, CPU C ms (R runs)".
measure() {
  local label=$1 i
  shift
  local walls=() cpus=() wall cpu
  for ((i = 0; i < runs; i++)); do
    read -r wall cpu < <(start_ms "$@")
    walls+=("$wall")
    cpus+=("$cpu")
  done
  printf '%-34s median %4d ms, fastest %4d ms; CPU until ready: median %4d ms (%d runs)\n' "$label:" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${walls[@]}" | sort -n | head -n 1)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$runs"
}

# The floor on this machine at this moment: exec of the same binary doing nothing.
version_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$oauthctl" --version >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$oauthctl" --version | head -n 1)"
times=()
for ((i = 0; i < runs; i++)); do times+=("$(version_ms)"); done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
printf '%-34s median %4d ms, fastest %4d ms (%d runs)\n' "oauthctl --version (exec floor):" \
  "$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")" "$(head -n 1 <<<"$sorted")" "$runs"
measure "--ephemeral --demo" --ephemeral --demo
start_ms --data "$work/serve.db" --demo >/dev/null # creates the store, key and seed
sleep 1                                             # background work of the first start settles
measure "--data (existing) --demo" --data "$work/serve.db" --demo
measure "--data (existing)" --data "$work/serve.db"
