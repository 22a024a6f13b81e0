#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The transport of `serve` (issue 10), in one run on this machine, side by side:
#   1. FHIR read and token endpoint requests/s (wrk) of a previous `oauthctl` and this one;
#   2. the token rate against RSA-2048 signing alone (`openssl speed -multi`, all cores),
#      and against the least a server can do per signed request (bench/sign_ceiling.cpp);
#   3. idle RSS of each after start-up and one request;
#   4. a bounded soak of the new one: token, introspection, FHIR read and authorization-page
#      requests mixed (wrk, bench/mix.lua) while slow clients trickle headers and reconnect
#      (tests/e2e/hostile_client.py); unexpected non-2xx/3xx answers and RSS at start and end.
# wrk, the servers and the attack share the machine's cores: figures are relative, and
# other work on the machine moves them.
# Usage: bench/transport.sh OLD_OAUTHCTL NEW_OAUTHCTL
#   BENCH_SECONDS (default 10) per wrk run; SOAK_SECONDS (default 60); SLOW_CLIENTS (200).
set -euo pipefail
old=$(readlink -f "${1:?usage: bench/transport.sh OLD_OAUTHCTL NEW_OAUTHCTL}")
new=$(readlink -f "${2:?usage: bench/transport.sh OLD_OAUTHCTL NEW_OAUTHCTL}")
here=$(cd "$(dirname "$0")" && pwd)
duration=${BENCH_SECONDS:-10}
soak=${SOAK_SECONDS:-60}
slow_clients=${SLOW_CLIENTS:-200}
cores=$(nproc)
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 4096 2>/dev/null || true

echo "machine: $cores cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
echo "old: $old ($("$old" --version | head -n 1))"
echo "new: $new ($("$new" --version | head -n 1))"

# start NAME BINARY [serve flags]: starts `serve`, sets URL and PID.
start() {
  local name=$1 binary=$2
  shift 2
  "$binary" serve --ephemeral --demo --port 0 --quiet "$@" >"$work/$name.out" 2>"$work/$name.err" &
  PID=$!
  pids+=("$PID")
  URL=
  for _ in $(seq 200); do
    URL=$(sed -n '1s/^listening on //p' "$work/$name.out")
    [[ -n $URL ]] && break
    sleep 0.05
  done
  [[ -n $URL ]] || {
    echo "$name did not start: $(cat "$work/$name.err")" >&2
    exit 1
  }
}
stop() {
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
}
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# cpu_s PID: user + system CPU seconds the process has used so far.
cpu_s() { awk -v tick="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / tick}' "/proc/$1/stat"; }
# cpu_us_split PID: user and system CPU microseconds the process has used so far.
cpu_us_split() { awk -v tick="$(getconf CLK_TCK)" '{printf "%d %d\n", $14 * 1e6 / tick, $15 * 1e6 / tick}' "/proc/$1/stat"; }
rps() { awk '/^Requests\/sec:/ {print $2}'; }
# RSA-2048 signatures per second of all cores (openssl speed, one process per core, 3 s).
sign_rate() { openssl speed -multi "$cores" -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}'; }
wrk_run() { wrk -t2 -c16 -d"${duration}s" "$@" | tee -a "$work/wrk.log" | rps; }
# wrk_timed FILE [wrk args]: as wrk_run, and writes wrk's own CPU (user + system, in
# microseconds) to FILE.
wrk_timed() {
  local file=$1 TIMEFORMAT='%3U %3S' times
  shift
  times=$({ time wrk -t2 -c16 -d"${duration}s" "$@" >"$work/wrk.last"; } 2>&1)
  cat "$work/wrk.last" >>"$work/wrk.log"
  awk '{printf "%d", ($1 + $2) * 1e6}' <<<"$times" >"$file"
  rps <"$work/wrk.last"
}

# measure NAME BINARY: prints "idle_rss token_rps read_rps token_per_cpu_s read_per_cpu_s
# token_user_us token_sys_us wrk_us syscalls_per_token switches_per_token futex_per_token
# sign_per_s": the six before the last say where the CPU of one token request goes
# (microseconds of CPU per token of the server's user space and kernel, and of wrk, user
# and kernel; the server's system calls, context switches and futex calls per token, "-"
# without a working `perf`). Futex
# calls mean threads waiting for each other's locks: two event loops sharing one malloc
# arena made 0.25-0.33 per token (heap_bounds.hpp); without that, about 0.003. The last is
# what all cores sign per second (openssl speed), measured just before and just after the
# token run and averaged: the machine's speed drifts by 5-10% within a minute (a VM on a
# shared host), so a signing rate taken once, a minute away, moves the ratio by as much.
# Requests per CPU second of the server is what holds on a shared machine: under load the
# scheduler gives each runnable thread a share, so a thread-per-connection server (16 wrk
# connections, 16 threads) gets more of the cores than one with an event loop thread per
# core, and requests/s then compares shares, not servers.
measure() {
  start "$1" "$2"
  local token id idle
  curl -s -o /dev/null -u demo-client:demo-secret -d grant_type=client_credentials "$URL/auth/token"
  sleep 0.5
  idle=$(rss_mib "$PID")
  token=$(curl -s -u demo-client:demo-secret -d grant_type=client_credentials -d 'scope=system/*.read' \
    "$URL/auth/token" | jq -r .access_token)
  id=$(curl -s -H "Authorization: Bearer $token" "$URL/fhir/Patient" | jq -r '.entry[0].resource.id')
  local token_rps read_rps c0 c1 c2 u0 u1 s0 s1 counted=-
  # The server's system calls and context switches during the token run (tracepoint and
  # software counters: they work in a VM without hardware counters).
  local events=raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_futex
  if perf stat -e "$events" -- true >/dev/null 2>&1; then
    perf stat -x, -e "$events" -p "$PID" -o "$work/perf.$1" &
    counted=$!
    sleep 0.2
  fi
  local sign_before sign_after
  sign_before=$(sign_rate)
  c0=$(cpu_s "$PID")
  read -r u0 s0 < <(cpu_us_split "$PID")
  token_rps=$(wrk_timed "$work/wrk_cpu.$1" -s "$here/token.lua" "$URL/auth/token")
  read -r u1 s1 < <(cpu_us_split "$PID")
  c1=$(cpu_s "$PID")
  sign_after=$(sign_rate)
  local syscalls=- switches=- futexes=-
  if [[ $counted != - ]]; then
    kill -INT "$counted" 2>/dev/null || true
    wait "$counted" 2>/dev/null || true
    syscalls=$(awk -F, '/raw_syscalls:sys_enter/ {print $1}' "$work/perf.$1")
    switches=$(awk -F, '/context-switches/ {print $1}' "$work/perf.$1")
    futexes=$(awk -F, '/sys_enter_futex/ {print $1}' "$work/perf.$1")
  fi
  read_rps=$(wrk_run -H "Authorization: Bearer $token" "$URL/fhir/Patient/$id")
  c2=$(cpu_s "$PID")
  stop
  local tokens
  tokens=$(echo "$token_rps * $duration" | bc -l)
  per_token() { if [[ $1 == - || -z $1 ]]; then echo -; else echo "$1 / $tokens" | bc -l; fi; }
  echo "$idle $token_rps $read_rps $(echo "$token_rps * $duration / ($c1 - $c0)" | bc -l)" \
    "$(echo "$read_rps * $duration / ($c2 - $c1)" | bc -l)" \
    "$(per_token "$((u1 - u0))")" "$(per_token "$((s1 - s0))")" \
    "$(per_token "$(cat "$work/wrk_cpu.$1")")" "$(per_token "$syscalls")" "$(per_token "$switches")" \
    "$(per_token "$futexes")" "$(echo "($sign_before + $sign_after) / 2" | bc -l)"
}

# One process: openssl speed divides by its user CPU time, so this is signatures per CPU
# second whatever the load; against the server's token requests per CPU second it says what
# share of the server's work is the signature itself.
# measure_ceiling: prints "req_per_s sign_per_s" of bench/sign_ceiling.cpp under the same wrk
# token run, the signing rate around it as in measure(); "- -" without a C++ compiler.
measure_ceiling() {
  if ! c++ -O2 -std=c++17 "$here/sign_ceiling.cpp" -o "$work/sign_ceiling" -lcrypto -pthread 2>"$work/ceiling.err"; then
    echo "- -"
    return
  fi
  local port rps sign_before sign_after
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$work/sign_ceiling" "$port" "$cores" &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" -d x && break
    sleep 0.05
  done
  sign_before=$(sign_rate)
  rps=$(wrk_run -s "$here/token.lua" "http://127.0.0.1:$port/auth/token")
  sign_after=$(sign_rate)
  stop
  echo "$rps $(echo "($sign_before + $sign_after) / 2" | bc -l)"
}

sign_per_cpu_s=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
read -r old_rss old_token old_read old_token_cpu old_read_cpu old_user old_sys old_wrk old_calls old_switches \
  old_futexes old_sign < <(measure old "$old")
read -r new_rss new_token new_read new_token_cpu new_read_cpu new_user new_sys new_wrk new_calls new_switches \
  new_futexes new_sign < <(measure new "$new")
read -r ceiling_token ceiling_sign < <(measure_ceiling)
ratio() { echo "$1 / $2" | bc -l; }

echo
echo "side by side, one run (wrk -t2 -c16 ${duration}s on the same $cores cores as the servers):"
printf '%-34s %12s %12s %8s %s\n' "measure" "old" "new" "new/old" "target"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "FHIR read req/s" "$old_read" "$new_read" "$(ratio "$new_read" "$old_read")" ">= 1.50"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "FHIR read req per server CPU-s" "$old_read_cpu" "$new_read_cpu" "$(ratio "$new_read_cpu" "$old_read_cpu")" "(load-independent)"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "token endpoint req/s" "$old_token" "$new_token" "$(ratio "$new_token" "$old_token")" "-"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "token req per server CPU-s" "$old_token_cpu" "$new_token_cpu" "$(ratio "$new_token_cpu" "$old_token_cpu")" "(load-independent)"
printf '%-34s %12.1f %12.1f %8.2f %s\n' "idle RSS MiB" "$old_rss" "$new_rss" "$(ratio "$new_rss" "$old_rss")" "new <= 16"
printf '%-34s %12.0f %12.0f %8s %s\n' "openssl rsa2048 sign/s ($cores procs)" "$old_sign" "$new_sign" "-" \
  "(around each token run)"
printf '%-34s %12.2f %12.2f %8s %s\n' "token req/s / sign/s" "$(ratio "$old_token" "$old_sign")" \
  "$(ratio "$new_token" "$new_sign")" "-" "new >= 0.75"
if [[ $ceiling_token != - ]]; then
  printf '%-34s %12s %12.0f %8s %s\n' "minimal signing server req/s" "" "$ceiling_token" "-" \
    "$(printf '(bench/sign_ceiling.cpp: %.2f of its sign/s)' "$(ratio "$ceiling_token" "$ceiling_sign")")"
  printf '%-34s %12s %12.2f %8s %s\n' "token req/s / minimal server's" "" "$(ratio "$new_token" "$ceiling_token")" "-" \
    "(1.00: nothing left but the signature)"
fi
printf '%-34s %12.2f %12.2f %8s %s\n' "token req per CPU-s / sign per CPU-s" "$(ratio "$old_token_cpu" "$sign_per_cpu_s")" \
  "$(ratio "$new_token_cpu" "$sign_per_cpu_s")" "-" "(load-independent)"


# Where the CPU of one token request goes. The signature is what one openssl process
# needs per RSA-2048 signature (its own CPU time); the server's user time beyond it is
# the rest of the request (HTTP, JSON, client authentication, allocation, and any cost
# of signing inside a busy server rather than in a loop). wrk runs on the same cores, so
# its CPU per request is part of what a token costs here. At the target, everything
# together may take cores / (0.75 x openssl's sign/s of all cores) per token.
sign_us=$(echo "1000000 / $sign_per_cpu_s" | bc -l)
budget_us=$(echo "$cores * 1000000 / (0.75 * $new_sign)" | bc -l)
fmt_or_dash() { if [[ $1 == - ]]; then printf '%12s' -; else printf "%12.$2f" "$1"; fi; }
row() { printf '%-34s %s %s %s\n' "$1" "$(fmt_or_dash "$2" "$4")" "$(fmt_or_dash "$3" "$4")" "${5:-}"; }
echo
echo "CPU per token request, microseconds (server and wrk on the same $cores cores):"
printf '%-34s %12s %12s\n' "part" "old" "new"
row "RSA-2048 signature (openssl)" "$sign_us" "$sign_us" 0
row "server user space beyond it" "$(echo "$old_user - $sign_us" | bc -l)" "$(echo "$new_user - $sign_us" | bc -l)" 0
row "server kernel (syscalls, TCP)" "$old_sys" "$new_sys" 0
row "wrk (user + kernel)" "$old_wrk" "$new_wrk" 0
row "total" "$(echo "$old_user + $old_sys + $old_wrk" | bc -l)" "$(echo "$new_user + $new_sys + $new_wrk" | bc -l)" 0 \
  "$(printf 'at 0.75: <= %.0f' "$budget_us")"
row "server system calls per token" "$old_calls" "$new_calls" 2
row "server context switches per token" "$old_switches" "$new_switches" 2
row "server futex calls per token" "$old_futexes" "$new_futexes" 3

# The soak: the new server only (the old one cannot set the limits the attack needs).
start soak "$new" --max-connections-per-address 2000 --max-connections 2000
token=$(curl -s -u demo-client:demo-secret -d grant_type=client_credentials -d 'scope=system/*.read' \
  "$URL/auth/token" | jq -r .access_token)
patient=$(curl -s -H "Authorization: Bearer $token" "$URL/fhir/Patient" | jq -r '.entry[0].resource.id')
rss_start=$(rss_mib "$PID")
python3 "$here/../tests/e2e/hostile_client.py" trickle "$URL" "$slow_clients" "$soak" >"$work/trickle.json" &
attack=$!
pids+=("$attack")
sleep 1
TOKEN=$token PATIENT=$patient wrk -t2 -c16 -d"$((soak - 2))s" -s "$here/mix.lua" "$URL" >"$work/soak.log"
wait "$attack" || true
rss_end=$(rss_mib "$PID")
soak_rps=$(rps <"$work/soak.log")
unexpected=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/soak.log")
socket_errors=$(grep 'Socket errors' "$work/soak.log" || echo "Socket errors: none")
stop
echo
echo "soak ${soak}s: mixed token/introspect/FHIR/authorize at $soak_rps req/s with $slow_clients slow clients"
echo "  unexpected non-2xx/3xx answers: ${unexpected:-0}; $socket_errors"
echo "  slow clients: $(cat "$work/trickle.json")"
echo "  RSS start $rss_start MiB, end $rss_end MiB"
