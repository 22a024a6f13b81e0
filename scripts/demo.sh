#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job of README.md: start `oauthctl serve --demo` on its SQLite store, fetch a
# client_credentials token with `oauthctl token`, call the FHIR API with `oauthctl fhir`.
set -euo pipefail
oauthctl=${1:?usage: demo.sh OAUTHCTL WORKDIR}
work=${2:?usage: demo.sh OAUTHCTL WORKDIR}
mkdir -p "$work"

"$oauthctl" serve --demo --port 0 --data "$work/serve.db" --quiet >"$work/serve.out" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  url=$(sed -n '1s/^listening on //p' "$work/serve.out")
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n ${url:-} ]] || { echo "oauthctl serve did not start" >&2; exit 1; }
cat "$work/serve.out"

echo
echo "\$ oauthctl token --grant client_credentials --server $url --client-id demo-client --client-secret-file <(printf demo-secret)"
token=$("$oauthctl" token --grant client_credentials --server "$url" --client-id demo-client \
  --client-secret-file <(printf demo-secret))
echo "$token"

echo
echo "\$ OAUTHCTL_ACCESS_TOKEN=… oauthctl fhir Patient --server $url"
OAUTHCTL_ACCESS_TOKEN=$token "$oauthctl" fhir Patient --server "$url"
