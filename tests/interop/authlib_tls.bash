# SPDX-License-Identifier: MIT
# Interop: Debian's python3-authlib (requests) against `oauthctl serve` over TLS and mutual
# TLS (RFC 8705), with certificate verification on.

suite_requires() {
  /usr/bin/python3 -c 'import authlib, requests' || { echo "python3-authlib is not installed"; return 1; }
  command -v openssl >/dev/null || { echo "openssl missing"; return 1; }
}

test_authlib_over_tls_and_mutual_tls() {
  "$OAUTHCTL" keygen --alg ES256 --out client.key --client-id svc-self >jwks.json 2>keygen.err ||
    fail "keygen: $(cat keygen.err)"
  openssl req -x509 -key client.key -out client.crt -days 2 -subj "/CN=svc-self" 2>openssl.err ||
    fail "openssl: $(cat openssl.err)"
  jq -n --slurpfile jwks jwks.json '{clients: [{id: "svc-self", grant_types: ["client_credentials"],
    token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: $jwks[0]}]}' >clients.json
  start_server --tls-self-signed --config clients.json
  local cert thumbprint
  cert=$(sed -n 's/^tls certificate: //p' server0.out)
  thumbprint=$(openssl x509 -in client.crt -outform DER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/authlib_tls.py" "$SERVER_URL" "$cert" client.crt client.key \
    "$thumbprint" || fail "authlib over TLS failed"
}
