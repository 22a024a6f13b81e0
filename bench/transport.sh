#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The transport of `serve` (issue 10), in one run on this machine, side by side:
#   1. FHIR read and token endpoint requests/s (wrk) of a previous `oauthctl` and this one;
#   2. the token rate against RSA-2048 signing alone (`openssl speed -multi`, all cores);
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
rps() { awk '/^Requests\/sec:/ {print $2}'; }
wrk_run() { wrk -t2 -c16 -d"${duration}s" "$@" | tee -a "$work/wrk.log" | rps; }

# measure NAME BINARY: prints "idle_rss token_rps read_rps token_per_cpu_s read_per_cpu_s".
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
  local token_rps read_rps c0 c1 c2
  c0=$(cpu_s "$PID")
  token_rps=$(wrk_run -s "$here/token.lua" "$URL/auth/token")
  c1=$(cpu_s "$PID")
  read_rps=$(wrk_run -H "Authorization: Bearer $token" "$URL/fhir/Patient/$id")
  c2=$(cpu_s "$PID")
  stop
  echo "$idle $token_rps $read_rps $(echo "$token_rps * $duration / ($c1 - $c0)" | bc -l) $(echo "$read_rps * $duration / ($c2 - $c1)" | bc -l)"
}

sign_per_s=$(openssl speed -multi "$cores" -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
# One process: openssl speed divides by its user CPU time, so this is signatures per CPU
# second whatever the load; against the server's token requests per CPU second it says what
# share of the server's work is the signature itself.
sign_per_cpu_s=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
read -r old_rss old_token old_read old_token_cpu old_read_cpu < <(measure old "$old")
read -r new_rss new_token new_read new_token_cpu new_read_cpu < <(measure new "$new")
ratio() { echo "$1 / $2" | bc -l; }

echo
echo "side by side, one run (wrk -t2 -c16 ${duration}s on the same $cores cores as the servers):"
printf '%-34s %12s %12s %8s %s\n' "measure" "old" "new" "new/old" "target"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "FHIR read req/s" "$old_read" "$new_read" "$(ratio "$new_read" "$old_read")" ">= 1.50"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "FHIR read req per server CPU-s" "$old_read_cpu" "$new_read_cpu" "$(ratio "$new_read_cpu" "$old_read_cpu")" "(load-independent)"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "token endpoint req/s" "$old_token" "$new_token" "$(ratio "$new_token" "$old_token")" "-"
printf '%-34s %12.0f %12.0f %8.2f %s\n' "token req per server CPU-s" "$old_token_cpu" "$new_token_cpu" "$(ratio "$new_token_cpu" "$old_token_cpu")" "(load-independent)"
printf '%-34s %12.1f %12.1f %8.2f %s\n' "idle RSS MiB" "$old_rss" "$new_rss" "$(ratio "$new_rss" "$old_rss")" "new <= 16"
printf '%-34s %12.0f %12.0f %8s %s\n' "openssl rsa2048 sign/s ($cores procs)" "$sign_per_s" "$sign_per_s" "-" "-"
printf '%-34s %12.2f %12.2f %8s %s\n' "token req/s / sign/s" "$(ratio "$old_token" "$sign_per_s")" \
  "$(ratio "$new_token" "$sign_per_s")" "-" "new >= 0.75"
printf '%-34s %12.2f %12.2f %8s %s\n' "token req per CPU-s / sign per CPU-s" "$(ratio "$old_token_cpu" "$sign_per_cpu_s")" \
  "$(ratio "$new_token_cpu" "$sign_per_cpu_s")" "-" "(load-independent)"

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
