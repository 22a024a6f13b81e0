# SPDX-License-Identifier: MIT
# Interop: Debian's python3-authlib as a private_key_jwt client (RFC 7523 §2.2) and a
# jwt-bearer grant client (§2.1, its AssertionSession) of `oauthctl serve`, with keys from
# `oauthctl keygen`.

suite_requires() {
  /usr/bin/python3 -c 'import authlib, requests; from authlib.oauth2.rfc7523 import PrivateKeyJWT' ||
    { echo "python3-authlib is not installed"; return 1; }
}

test_authlib_private_key_jwt_and_jwt_bearer() {
  "$OAUTHCTL" keygen --alg RS384 --out rs.pem --jwks-out rs.json 2>/dev/null || fail "keygen RS384"
  "$OAUTHCTL" keygen --alg ES384 --out es.pem --jwks-out es.json 2>/dev/null || fail "keygen ES384"
  jq -n --slurpfile rs rs.json --slurpfile es es.json '{clients: [
      {id: "svc-rs", grant_types: ["client_credentials", "jwt_bearer"], jwks: $rs[0]},
      {id: "svc-es", grant_types: ["client_credentials", "jwt_bearer"], jwks: $es[0]}]}' >clients.json
  start_server --config clients.json
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/authlib_private_key_jwt.py" "$SERVER_URL" rs.pem es.pem ||
    fail "authlib client failed"
}
