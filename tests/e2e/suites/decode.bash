# SPDX-License-Identifier: MIT
# `oauthctl decode`: header and claims with readable times; with --server or --jwks a
# plain verdict, refusing tampered, foreign, alg=none and expired tokens.

suite_requires() {
  command -v jq >/dev/null || { echo "jq is missing"; return 1; }
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

test_decode_without_verification() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  run_cli decode "$token"
  expect_exit 0
  expect_stdout 'Header'
  expect_stdout '"alg": "RS256"'
  expect_stdout '"client_id": "demo-client"'
  expect_stdout 'exp +[0-9-]+T[0-9:]+Z \(in (59 min|1 h)\)'
  expect_stdout 'iat +[0-9-]+T[0-9:]+Z \(([0-9]+ s ago|now)\)'
  [[ $STDOUT == *valid* ]] && fail "no verdict expected without --server or --jwks"
  STDIN=$token run_cli decode - -o json
  expect_exit 0
  expect_json '.header.kid and .claims.iss and (has("verification") | not)'
}

test_decode_and_verify() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  run_cli decode "$token" --server "$SERVER_URL"
  expect_exit 0
  expect_stdout "valid: RS256 signature by key .* from $SERVER_URL/.well-known/jwks.json, expires in"
  curl -sS "$SERVER_URL/.well-known/jwks.json" >jwks.json
  run_cli decode "$token" --jwks jwks.json -o json
  expect_exit 0
  expect_json '.verification.valid == true'
  run_cli decode "$token" --jwks "$SERVER_URL/auth/jwks"
  expect_exit 0
  expect_stdout '^Header'
}

test_decode_refuses_bad_tokens() {
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "short-lived", "secret": "short-secret",
    "grant_types": ["client_credentials"], "scope": ["system/*.read"],
    "auth": {"client_credentials": {"access_token_expiration": 1}}}}]}
JSON
  start_server
  local foreign token short header payload signature
  foreign=$(demo_token) || fail "no token from the other server"
  start_server --config serve.json
  token=$(demo_token) || fail "no token"
  short=$("$OAUTHCTL" token --server "$SERVER_URL" --client-id short-lived --client-secret short-secret) ||
    fail "no short-lived token"
  IFS=. read -r header payload signature <<<"$token"
  # Tampered: a claim changed, the signature kept.
  local forged
  forged=$(jwt_claims "$token" | jq -c '.scope = "system/*.*"' | b64url)
  run_cli decode "$header.$forged.$signature" --server "$SERVER_URL"
  expect_exit 7
  expect_stdout 'NOT VALID: JWT signature is invalid'
  expect_stdout '"scope": "system/\*\.\*"'
  # Another server's key: its kid is not in this JWKS.
  run_cli decode "$foreign" --server "$SERVER_URL"
  expect_exit 7
  expect_stdout 'NOT VALID: no key in the JWK Set matches the JWT kid'
  # alg=none, whatever the payload.
  run_cli decode "$(printf '{"alg":"none","typ":"JWT"}' | b64url).$payload." --server "$SERVER_URL" -o json
  expect_exit 7
  expect_json '.verification.valid == false and (.verification.reason | test("alg \"none\" is not accepted"))'
  # Expired, said with how long ago.
  sleep 2.1
  run_cli decode "$short" --server "$SERVER_URL"
  expect_exit 7
  expect_stdout 'NOT VALID: token has expired \(([0-9]+ s ago|just now)\)'
  expect_stdout 'exp .*\(expired ([0-9]+ s ago|just now)\)'
}

test_decode_bad_input() {
  run_cli decode not-a-jwt
  expect_exit 2
  expect_stderr 'not a JWT'
  expect_one_line_stderr
  run_cli decode
  expect_exit 2
  expect_stderr 'missing TOKEN'
  run_cli decode "$(printf '{"alg":"RS256"}' | b64url).$(printf '{"sub":"x"}' | b64url).c2ln" --jwks missing.json
  expect_exit 2
  expect_stderr 'missing.json'
  echo '{"keys":[]}' >empty.json
  run_cli decode "$(printf '{"alg":"RS256"}' | b64url).$(printf '{"sub":"x"}' | b64url).c2ln" --jwks empty.json
  expect_exit 2
  expect_stderr 'no usable signing key'
  run_cli decode x.y.z -o yaml
  expect_exit 2
}

# Tokens oauthctl serve never issues, minted with python3-authlib (skipped without it): a
# future nbf, an HMAC alg, and a key without kid.
test_decode_not_yet_valid_hmac_and_no_kid() {
  /usr/bin/python3 -c 'import authlib' 2>/dev/null || { echo "SKIP: python3-authlib is not installed"; return 0; }
  /usr/bin/python3 - <<'PY' || fail "could not mint the tokens"
import json, time
from authlib.jose import JsonWebKey, jwt
key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
public = key.as_dict(is_private=False)
public.pop("kid", None)
json.dump({"keys": [public]}, open("jwks.json", "w"))
now = int(time.time())
def sign(header, claims, k):
    open(header.pop("file"), "w").write(jwt.encode(header, claims, k).decode())
sign({"alg": "RS256", "file": "future.jwt"}, {"sub": "x", "nbf": now + 300, "exp": now + 900}, key)
sign({"alg": "RS256", "file": "good.jwt"}, {"sub": "x", "exp": now + 900}, key)
sign({"alg": "HS256", "file": "hmac.jwt"}, {"sub": "x", "exp": now + 900}, b"0123456789abcdef0123456789abcdef")
PY
  run_cli decode "$(cat good.jwt)" --jwks jwks.json
  expect_exit 0
  expect_stdout 'valid: RS256 signature by key \(no kid\) from jwks.json'
  run_cli decode "$(cat future.jwt)" --jwks jwks.json
  expect_exit 7
  expect_stdout 'NOT VALID: token is not valid yet \(nbf\) \(valid in [45] min\)'
  expect_stdout 'nbf +[0-9-]+T[0-9:]+Z \(in [45] min\)'
  run_cli decode "$(cat hmac.jwt)" --jwks jwks.json
  expect_exit 7
  expect_stdout 'NOT VALID: JWT alg "HS256" is not accepted'
}

test_decode_says_what_it_checked_against() {
  start_server
  local foreign_url=$SERVER_URL token
  token=$(demo_token) || fail "no token"
  # A Bearer prefix, as copied from a request, is accepted.
  run_cli decode "Bearer $token"
  expect_exit 0
  expect_stdout 'signature not checked'
  run_cli decode "Authorization: Bearer $token" --server "$SERVER_URL"
  expect_exit 0
  expect_stdout "valid: RS256 signature by key .* from $SERVER_URL/.well-known/jwks.json"
  # A default profile naming another server: the verdict names those keys, the profile,
  # and the token's own issuer.
  start_server
  mkdir -p "$XDG_CONFIG_HOME/oauthctl"
  printf '[profile.default]\nserver = "%s"\n' "$SERVER_URL" >"$XDG_CONFIG_HOME/oauthctl/config.toml"
  run_cli decode "$token"
  expect_exit 7
  expect_stdout "NOT VALID: .*the token's iss $foreign_url is not $SERVER_URL \(give --server $foreign_url\)"
  expect_stdout "checked against $SERVER_URL/.well-known/jwks.json \(jwks_uri of $SERVER_URL, from profile default\)"
}
