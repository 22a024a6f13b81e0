#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 9's figures, side by side in one run on this machine (loopback only):
#   token endpoint req/s (client_credentials, wrk), FHIR read req/s (wrk) and
#   authorization-code round trips/s (authorize, session, consent, code, token: a Python
#   client, sequential) for
#     1. SQLite (--data FILE, the embedded default),
#     2. one replica on PostgreSQL (a throwaway cluster, tests/support/pg_cluster.sh),
#     3. two replicas on that database, sharing the load (both measured at once, summed);
#   and the PostgreSQL statements and transactions each flow costs (from the server's log:
#   bench/pg_statements.py).
# Usage: bench/store.sh path/to/oauthctl   (BENCH_SECONDS per wrk run, default 10)
set -euo pipefail
oauthctl=$(readlink -f "${1:?usage: bench/store.sh OAUTHCTL}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
duration=${BENCH_SECONDS:-10}
flows=${BENCH_FLOWS:-200}
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  bash "$root/tests/support/pg_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: other work runs meanwhile)"
echo "$("$oauthctl" --version | head -n 1); wrk ${duration}s runs, 2 threads, 16 connections; $flows code flows"

# serve NAME ARGS...: starts `oauthctl serve`; sets URL to its base URL.
serve() {
  local name=$1
  shift
  "$oauthctl" serve --port 0 --demo --quiet "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  local url=
  for _ in $(seq 300); do
    url=$(sed -n '1s/^listening on //p' "$work/$name.out")
    [[ -n $url ]] && break
    sleep 0.05
  done
  [[ -n $url ]] || { echo "serve $name did not start: $(cat "$work/$name.err")" >&2; exit 1; }
  URL=$url
}

rps() { awk '/^Requests\/sec:/ {print $2}'; }
# The answers wrk counted as not 2xx (nor 3xx) in one run: a figure made of fast errors
# (503s) is no throughput figure.
non_2xx() { awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}'; }
# wrk_at URL... [-- wrk args]: wrk against each URL at once (connections split); prints the
# summed requests/s and the summed count of non-2xx answers.
wrk_at() {
  local urls=() args=() url i=0 total=0
  while [[ $1 != -- ]]; do urls+=("$1"); shift; done
  shift
  args=("$@")
  local connections=$((16 / ${#urls[@]})) bad=0
  for url in "${urls[@]}"; do
    wrk -t2 -c"$connections" -d"${duration}s" "${args[@]}" "$url" >"$work/wrk.$i" 2>&1 &
    i=$((i + 1))
  done
  wait
  for ((i = 0; i < ${#urls[@]}; i++)); do
    total=$(echo "$total + $(rps <"$work/wrk.$i")" | bc -l)
    bad=$((bad + $(non_2xx <"$work/wrk.$i")))
  done
  printf '%.0f %d\n' "$total" "$bad"
}

token_for() {
  curl -s -u demo-client:demo-secret -d grant_type=client_credentials -d 'scope=system/*.read' "$1/auth/token" |
    jq -r .access_token
}

# flows_per_s URL...: authorization-code round trips per second, the flows spread over the URLs.
flows_per_s() {
  python3 "$here/code_flows.py" "$flows" "$@"
}

# The token endpoint posts to /auth/token: wrk's URL must be that path.
wrk_token_urls() { local url; for url in "$@"; do echo "$url/auth/token"; done; }

serve sqlite --data "$work/serve.db"
sqlite_url=$URL
measure_one() {
  local label=$1
  shift
  local urls=("$@") token_urls=() read_urls=() token token_rps token_bad read_rps read_bad flow_rps
  mapfile -t token_urls < <(wrk_token_urls "${urls[@]}")
  curl -s -o /dev/null -u demo-client:demo-secret -d grant_type=client_credentials "${urls[0]}/auth/token"
  read -r token_rps token_bad < <(wrk_at "${token_urls[@]}" -- -s "$here/token.lua")
  token=$(token_for "${urls[0]}")
  for url in "${urls[@]}"; do read_urls+=("$url/fhir/Patient/pt-1"); done
  read -r read_rps read_bad < <(wrk_at "${read_urls[@]}" -- -H "Authorization: Bearer $token")
  flow_rps=$(flows_per_s "${urls[@]}")
  printf '%s %s %s %s %s %s\n' "$label" "$token_rps" "$read_rps" "$flow_rps" "$token_bad" "$read_bad" \
    >>"$work/results"
}
measure_one sqlite "$sqlite_url"

bash "$root/tests/support/pg_cluster.sh" start "$work/pg" >/dev/null
[[ -f $work/pg/url ]] || { echo "no PostgreSQL: $(cat "$work/pg/skip" 2>/dev/null)" >&2; exit 1; }
db=$(bash "$root/tests/support/pg_cluster.sh" createdb "$work/pg" bench)
issuer=http://bench.oauthctl.test
serve pg_a --store "$db" --issuer "$issuer"
pg_a=$URL
measure_one postgres_1 "$pg_a"
serve pg_b --store "$db" --issuer "$issuer"
pg_b=$URL
measure_one postgres_2 "$pg_a" "$pg_b"

# Statements per flow, from PostgreSQL's own log (log_statement = all, switched on for this
# part only; bench/pg_statements.py counts it): statements, transactions (a BEGIN..COMMIT
# block or one statement alone: the commits) and the transactions that wrote. Replica B
# is stopped first, and the idle replica's polls (revocations, directory: 250 ms) are
# measured over 2 s and subtracted. pg_stat_database's counters are flushed up to a
# second late by each backend, so they mixed one flow's work into the next (the figures
# before issue 9's last session said 12.4 commits per refresh).
psql_at() { "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" -X -A -t -q "$db" -c "$1"; }
kill "${pids[-1]}" 2>/dev/null && wait "${pids[-1]}" 2>/dev/null || true # replica B
pg_log=$(cat "$work/pg/data")/log
psql_at "ALTER SYSTEM SET log_statement = 'all'" && psql_at "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
log_size() { stat -c %s "$pg_log"; }
idle_start=$(log_size)
sleep 2
read -r idle_s idle_t idle_w < <(python3 "$here/pg_statements.py" "$pg_log" "$idle_start" "$(log_size)")
idle="$(echo "$idle_s / 2" | bc -l) $(echo "$idle_t / 2" | bc -l) $(echo "$idle_w / 2" | bc -l)"
per_flow() {
  local label=$1 count=$2
  shift 2
  local start t0 t1
  start=$(log_size)
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  sleep 0.3 # the log is written as statements run; this covers the last ones
  printf '%-34s %10s %12s %8s\n' "$label" $(python3 "$here/pg_statements.py" "$pg_log" "$start" "$(log_size)" \
    "$count" "$(echo "($t1 - $t0) / 1000000000 + 0.3" | bc -l)" "$idle") >>"$work/statements"
}
cc_flows() { local i; for ((i = 0; i < 100; i++)); do token_for "$pg_a" >/dev/null; done; }
per_flow "client_credentials" 100 cc_flows
per_flow "authorization code (session kept)" "$flows" flows_per_s "$pg_a"
refresh_flows() { python3 "$here/code_flows.py" --refresh 100 "$pg_a"; }
per_flow "refresh (rotation)" 100 refresh_flows
revoke_flows() {
  local i token
  for ((i = 0; i < 100; i++)); do
    token=$(token_for "$pg_a")
    curl -s -o /dev/null -u demo-client:demo-secret --data-urlencode "token=$token" "$pg_a/auth/revoke"
  done
}
per_flow "client_credentials + revocation" 100 revoke_flows

echo
# A figure followed by "!" counted non-2xx answers (their number is in the last column): it
# is not a throughput figure, and the script exits 1 after printing everything.
mark() { [[ $1 == 0 ]] && echo "$2" || echo "$2!"; }
printf '%-22s %12s %12s %14s   %-27s %s\n' "store" "token req/s" "FHIR read/s" "code flows/s" "" \
  "non-2xx (token, FHIR)"
read -r _ sq_token sq_read sq_flow _ < <(grep '^sqlite ' "$work/results")
failed=0
while read -r label token read flow token_bad read_bad; do
  printf '%-22s %12s %12s %14s   (vs SQLite: %.2f %.2f %.2f)   %s %s\n' "$label" "$(mark "$token_bad" "$token")" \
    "$(mark "$read_bad" "$read")" "$flow" "$(echo "$token / $sq_token" | bc -l)" "$(echo "$read / $sq_read" | bc -l)" \
    "$(echo "$flow / $sq_flow" | bc -l)" "$token_bad" "$read_bad"
  ((token_bad + read_bad == 0)) || failed=1
done <"$work/results"
echo
printf '%-34s %10s %12s %8s\n' "PostgreSQL per flow" "statements" "transactions" "writing"
cat "$work/statements"
if ((failed)); then
  echo "bench/store.sh: some runs counted non-2xx answers (figures marked !): not valid figures" >&2
  exit 1
fi
