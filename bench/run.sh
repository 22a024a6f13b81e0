#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks of issue 2, all on loopback in one run on this machine:
#   1. token endpoint requests/s (wrk) against RSA-2048 signing alone (`openssl speed`, all cores);
#   2. FHIR read and search requests/s (wrk) with token verification;
#   3. `oauthctl token` wall time against a bare curl POST of the same request (hyperfine).
# Usage: bench/run.sh path/to/oauthctl   (make bench builds and calls it)
set -euo pipefail
oauthctl=$(readlink -f "${1:?usage: bench/run.sh OAUTHCTL}")
here=$(cd "$(dirname "$0")" && pwd)
duration=${BENCH_SECONDS:-10}
cores=$(nproc)
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

echo "machine: $cores cores, $(uname -m); $("$oauthctl" --version | head -n 1)"

sign_per_s=$(openssl speed -multi "$cores" -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
echo "openssl speed rsa2048 ($cores processes): $sign_per_s sign/s"

"$oauthctl" serve --ephemeral --demo --port 0 --quiet >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do
  url=$(sed -n '1s/^listening on //p' "$work/serve.out")
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n ${url:-} ]] || { echo "server did not start: $(cat "$work/serve.err")" >&2; exit 1; }

rps() { awk '/^Requests\/sec:/ {print $2}'; }
wrk_run() { wrk -t2 -c16 -d"${duration}s" --latency "$@" | tee -a "$work/wrk.log" | rps; }

# Warm the verification cache of the client secret, as any second request would.
curl -s -o /dev/null -u demo-client:demo-secret -d grant_type=client_credentials "$url/auth/token"
token_rps=$(wrk_run -s "$here/token.lua" "$url/auth/token")
token=$(OAUTHCTL_CLIENT_SECRET=demo-secret "$oauthctl" token --grant client_credentials --server "$url" \
  --client-id demo-client --scope 'system/*.read')
id=$(curl -s -H "Authorization: Bearer $token" "$url/fhir/Patient" | jq -r '.entry[0].resource.id')
read_rps=$(wrk_run -H "Authorization: Bearer $token" "$url/fhir/Patient/$id")
search_rps=$(wrk_run -H "Authorization: Bearer $token" "$url/fhir/Patient")
errors=$(grep -c 'Non-2xx' "$work/wrk.log" || true)

hyperfine -N --warmup 10 --runs 200 --export-json "$work/hyperfine.json" \
  -n oauthctl "env OAUTHCTL_CLIENT_SECRET=demo-secret $oauthctl token --grant client_credentials --server $url --client-id demo-client" \
  -n curl "curl -s -u demo-client:demo-secret -d grant_type=client_credentials $url/auth/token" >/dev/null
read -r oauthctl_ms curl_ms < <(jq -r '[.results[] | .mean * 1000] | map(tostring) | join(" ")' "$work/hyperfine.json")

echo
printf '%-44s %10s %12s %s\n' "measure" "value" "peer" "ratio (target)"
printf '%-44s %10.0f %12.0f %.2f (>= 0.70)\n' "token endpoint req/s vs openssl rsa2048 sign/s" "$token_rps" "$sign_per_s" \
  "$(echo "$token_rps / $sign_per_s" | bc -l)"
printf '%-44s %10.0f %12s %.2f (>= 1.00)\n' "FHIR read req/s vs 10,000" "$read_rps" "10000" "$(echo "$read_rps / 10000" | bc -l)"
printf '%-44s %10.0f %12s %s\n' "FHIR search req/s (5 patients)" "$search_rps" "-" "-"
printf '%-44s %10.2f %12.2f %.2f (<= 1.50)\n' "oauthctl token ms vs curl POST ms" "$oauthctl_ms" "$curl_ms" \
  "$(echo "$oauthctl_ms / $curl_ms" | bc -l)"
[[ $errors == 0 ]] || echo "warning: wrk saw non-2xx responses ($errors runs); see the figures with care"
bash "$here/check.sh" "$oauthctl"
