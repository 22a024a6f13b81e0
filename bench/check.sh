#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `oauthctl check` wall time, the whole suite against a local `oauthctl serve` (issue 11's
# target: under 5 s, headless logins included), measured with hyperfine.
# Usage: bench/check.sh path/to/oauthctl   (bench/run.sh calls it last)
set -euo pipefail
oauthctl=$(readlink -f "${1:?usage: bench/check.sh OAUTHCTL}")
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

# A client that every check can use: a secret, a key for private_key_jwt, every grant.
"$oauthctl" keygen --alg ES256 --out key.pem --client-id ci >jwks.json 2>/dev/null
jq '{clients: [{id: "ci", secret: "ci-secret", first_party: true, jwks: .,
      grant_types: ["client_credentials", "authorization_code", "refresh_token", "token_exchange",
                    "device_code", "jwt_bearer"],
      scope: ["system/*.rs", "system/Patient.rs", "system/Observation.rs", "openid", "profile",
              "fhirUser", "offline_access", "patient/*.rs"],
      auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], refresh_token: true}}}]}' \
  jwks.json >clients.json
printf ci-secret >secret.txt
printf demo >password.txt
"$oauthctl" serve --ephemeral --demo --config clients.json --port 0 --quiet >serve.out 2>serve.err &
server=$!
for _ in $(seq 100); do
  url=$(sed -n '1s/^listening on //p' serve.out)
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n ${url:-} ]] || { echo "server did not start: $(cat serve.err)" >&2; exit 1; }

command=("$oauthctl" check --server "$url" --client-id ci --client-secret-file secret.txt
  --auth-method client_secret_basic --private-key key.pem --login demo --password-file password.txt)
"${command[@]}" | tail -n 1
hyperfine -N --warmup 1 --runs 10 --export-json hyperfine.json "${command[*]}" >/dev/null
jq -r '.results[0] | "oauthctl check, whole suite: mean \(.mean * 1000 | floor) ms, max \(.max * 1000 | floor) ms (target < 5000 ms)"' \
  hyperfine.json
