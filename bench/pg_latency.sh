#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PostgreSQL round trips while `serve` signs tokens on the same machine: pgbench runs
# `SELECT 1` on a connection of its own, 20 a second, before, during and after a 5 s burst
# of client_credentials requests (wrk, 2 threads, 16 connections), and prints each phase's
# mean and worst latency. When PostgreSQL shares the cores with the load it serves, its
# backends wait for a CPU during the burst, and so does every statement, serve's state poll
# included (docs/scaling.md, "The 1 s bound on a loaded machine").
# Usage: bench/pg_latency.sh path/to/oauthctl
set -euo pipefail
oauthctl=$(readlink -f "${1:?usage: bench/pg_latency.sh OAUTHCTL}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  bash "$root/tests/support/pg_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pgbench=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pgbench
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: other work runs meanwhile)"
bash "$root/tests/support/pg_cluster.sh" start "$work/pg" >/dev/null
[[ -f $work/pg/url ]] || { echo "no PostgreSQL: $(cat "$work/pg/skip" 2>/dev/null)" >&2; exit 1; }
db=$(bash "$root/tests/support/pg_cluster.sh" createdb "$work/pg" bench 2>/dev/null)
"$oauthctl" serve --port 0 --demo --quiet --store "$db" >"$work/out" 2>"$work/err" &
pid=$!
url=
for _ in $(seq 300); do
  url=$(sed -n '1s/^listening on //p' "$work/out" 2>/dev/null || true)
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n $url ]] || { echo "serve did not start: $(cat "$work/err")" >&2; exit 1; }
echo "SELECT 1;" >"$work/select1.sql"
(cd "$work" && "$pgbench" -n -c1 -R 20 -T 14 -f select1.sql -l "$db" >/dev/null 2>&1) &
bench=$!
sleep 4
burst_start=$(date +%s)
wrk -t2 -c16 -d5s -s "$here/token.lua" "$url/auth/token" | awk '/^Requests\/sec/ {print "token burst: " $2 " req/s"}'
burst_end=$(date +%s)
wait "$bench"
# pgbench's log: client, transaction, latency (us), script, epoch s, epoch us.
awk -v t0="$burst_start" -v t1="$burst_end" '
  { phase = $5 < t0 ? 1 : ($5 < t1 ? 2 : 3)
    n[phase]++; sum[phase] += $3; if ($3 > worst[phase]) worst[phase] = $3; if ($3 > 100000) slow[phase]++ }
  END { split("before during after", name, " ")
        for (p = 1; p <= 3; p++) if (n[p]) printf "%-6s the burst: %3d SELECT 1, mean %7.1f ms, worst %7.1f ms, %d over 100 ms\n",
          name[p], n[p], sum[p] / n[p] / 1000, worst[p] / 1000, slow[p] }' "$work"/pgbench_log.*
