# SPDX-License-Identifier: MIT
# private_key_jwt client authentication and the jwt_bearer grant (RFC 7523) with the real
# binaries: `oauthctl keygen`, `serve --config` with a Client holding the JWK Set, and
# `oauthctl token`. Hostile assertions are built here with openssl(1) (RSA signatures are
# what JWS carries as they are) and sent with curl.

ASSERTION_TYPE=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
JWT_BEARER=urn:ietf:params:oauth:grant-type:jwt-bearer

b64url() {
  base64 -w0 | tr '+/' '-_' | tr -d '='
}

# sign_rsa KEY.pem HEADER_JSON CLAIMS_JSON: a compact JWS with RS256/RS384 per the header.
sign_rsa() {
  local input digest
  input="$(printf '%s' "$2" | b64url).$(printf '%s' "$3" | b64url)"
  digest=sha$(jq -r '.alg | ltrimstr("RS")' <<<"$2")
  printf '%s.%s' "$input" "$(printf '%s' "$input" | openssl dgst "-$digest" -sign "$1" -binary | b64url)"
}

# claims SUB [EXP_OFFSET] [AUD]: assertion claims for client svc with a fresh jti.
claims() {
  local now
  now=$(date +%s)
  jq -cn --arg sub "$1" --arg aud "${3:-$SERVER_URL/auth/token}" --argjson now "$now" \
    --argjson exp "$((now + ${2:-120}))" --arg jti "$(head -c 12 /dev/urandom | b64url)" \
    '{iss: "svc", sub: $sub, aud: $aud, iat: $now, exp: $exp, jti: $jti}'
}

# keyed_server ALG [serve options...]: keygen with ALG into key.pem and jwks.json, then a
# server (demo set too) with Client svc registering that JWK Set.
keyed_server() {
  local alg=$1
  shift
  "$OAUTHCTL" keygen --alg "$alg" --out key.pem --client-id svc >jwks.json 2>keygen.err ||
    fail "keygen failed: $(cat keygen.err)"
  jq '{clients: [{id: "svc", grant_types: ["client_credentials", "jwt_bearer"], scope: ["system/*.read", "user/*.read", "openid"], jwks: .}]}' \
    jwks.json >clients.json
  start_server --config clients.json "$@"
}

# post_assertion ASSERTION: a client_credentials request authenticated by it, with curl.
post_assertion() {
  http POST /auth/token --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_assertion_type=$ASSERTION_TYPE" --data-urlencode "client_assertion=$1"
}

test_keygen_writes_a_private_key_and_prints_the_jwks() {
  run_cli keygen --out key.pem --client-id svc
  expect_exit 0
  expect_json '.keys | length == 1'
  expect_json '.keys[0] | .kty == "EC" and .crv == "P-384" and .alg == "ES384" and .use == "sig" and (.kid | length) == 43'
  expect_json '.keys[0] | has("d") | not'
  [[ $(stat -c %a key.pem) == 600 ]] || fail "key.pem has mode $(stat -c %a key.pem)"
  grep -q 'BEGIN PRIVATE KEY' key.pem || fail "key.pem is not a PEM private key"
  # The Client to register and the command to run, on stderr.
  expect_stderr '"resourceType": "Client"'
  expect_stderr '"jwks"'
  expect_stderr "oauthctl token --grant client_credentials .*--client-id svc --auth-method private_key_jwt --private-key key.pem"
  # The kid is the RFC 7638 thumbprint of the public key.
  local thumbprint
  thumbprint=$(jq -cj '.keys[0] | {crv, kty, x, y}' "$TEST_DIR/stdout" | openssl dgst -sha256 -binary | b64url)
  expect_json ".keys[0].kid == \"$thumbprint\""

  # Never overwritten without --force.
  local before
  before=$(sha256sum key.pem)
  run_cli keygen --out key.pem
  expect_exit 2
  expect_stderr 'exists.*--force'
  expect_no_stdout
  [[ $(sha256sum key.pem) == "$before" ]] || fail "key.pem was overwritten"
  run_cli keygen --out key.pem --force --alg RS384 --kid my-key --jwks-out jwks.json
  expect_exit 0
  expect_no_stdout
  [[ $(sha256sum key.pem) != "$before" ]] || fail "--force did not replace key.pem"
  [[ $(stat -c %a key.pem) == 600 ]] || fail "key.pem lost its mode"
  expect_json '.keys[0] | .kty == "RSA" and .alg == "RS384" and .kid == "my-key"' jwks.json
  expect_stderr '--kid my-key'

  run_cli keygen --out other.pem --alg HS256
  expect_exit 2
  expect_stderr 'invalid --alg'
  [[ -e other.pem ]] && fail "a refused keygen wrote a key"
  run_cli keygen
  expect_exit 2
  expect_stderr '--out'
  return 0
}

test_private_key_jwt_client_credentials_each_alg() {
  local alg
  for alg in ES384 RS384 ES256 RS256; do
    mkdir "$alg" || fail "mkdir"
    cd "$alg" || fail "cd"
    keyed_server "$alg"
    local extra=()
    [[ $alg == RS256 ]] && extra=(--alg RS256)
    run_cli token --grant client_credentials --server "$SERVER_URL" --client-id svc \
      --auth-method private_key_jwt --private-key key.pem "${extra[@]}" --no-cache
    expect_exit 0
    jwt_claims "$STDOUT" >claims.json
    expect_json '.client_id == "svc" and .sub == "svc"' claims.json
    # --private-key alone selects private_key_jwt; -v redacts the assertion.
    run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem "${extra[@]}" --no-cache -v
    expect_exit 0
    expect_stderr 'client_assertion=ey[A-Za-z0-9_-]{0,6}…\*\*\*\*\*\*\*\*'
    grep -Eq 'client_assertion=ey[A-Za-z0-9_-]{20,}\.' "$TEST_DIR/stderr" && fail "the assertion shows in -v"
    cd .. || fail "cd"
  done
  return 0
}

# The key authenticates the client wherever a client authenticates, not only at the token
# endpoint: introspection, revocation (RFC 7662 §2.1, RFC 7009 §2.1) and device
# authorization (RFC 8628 §3.1).
test_private_key_jwt_at_introspection_revocation_and_device_endpoints() {
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --client-id svc >jwks.json 2>keygen.err ||
    fail "keygen failed: $(cat keygen.err)"
  jq '{clients: [{id: "svc", grant_types: ["client_credentials", "device_code"], scope: ["system/*.read", "user/*.read"], jwks: .}]}' \
    jwks.json >clients.json
  start_server --config clients.json
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --no-cache
  expect_exit 0
  local token=$STDOUT
  run_cli introspect --server "$SERVER_URL" --client-id svc --private-key key.pem -- "$token"
  expect_exit 0
  expect_json '.active == true and .client_id == "svc"'
  run_cli revoke --server "$SERVER_URL" --client-id svc --private-key key.pem -- "$token"
  expect_exit 0
  run_cli introspect --server "$SERVER_URL" --client-id svc --private-key key.pem -- "$token"
  expect_exit 7
  expect_json '. == {"active": false}'
  # Without the key the client is not authenticated at all.
  http POST /auth/introspect --data-urlencode "token=$token" --data-urlencode client_id=svc
  expect_status 401
  # Device authorization: the code is issued to the key-authenticated client; nobody
  # approves it here, so the wait ends at --redirect-timeout with exit 5.
  run_cli token --grant device_code --server "$SERVER_URL" --client-id svc --private-key key.pem \
    --scope user/*.read --redirect-timeout 1 --no-cache
  expect_exit 5
  expect_stderr 'enter the code [B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}'
  http POST /auth/device --data-urlencode client_id=svc
  expect_status 401
}

test_keygen_snippet_and_command_work_as_printed() {
  run_cli keygen --out key.pem --client-id svc
  expect_exit 0
  # The Client printed on stderr, as it is, is a seed file for serve --config...
  sed -n '/^Register/,/^Then/p' "$TEST_DIR/stderr" | sed '1d;$d' >client.json
  expect_json '.resourceType == "Client" and .id == "svc"' client.json
  start_server --no-defaults --ephemeral --config client.json
  # ...and the printed command, pointed at that server, gets a token.
  local command
  command=$(grep '^  oauthctl token ' "$TEST_DIR/stderr" | sed -e 's/^  oauthctl //' -e "s|http://127.0.0.1:8080|$SERVER_URL|")
  read -ra words <<<"$command"
  run_cli "${words[@]}" --no-cache
  expect_exit 0
  expect_stdout '^ey'
}

test_client_side_key_errors() {
  keyed_server ES384
  run_cli token --server "$SERVER_URL" --client-id svc --auth-method private_key_jwt
  expect_exit 2
  expect_stderr 'needs --private-key'
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --alg RS384
  expect_exit 2
  expect_stderr 'RS384 needs an RSA key'
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --alg ES256
  expect_exit 2
  expect_stderr 'P-256'
  run_cli token --server "$SERVER_URL" --client-id svc --private-key missing.pem
  expect_exit 2
  expect_one_line_stderr
  printf 'garbage' >bad.pem
  run_cli token --server "$SERVER_URL" --client-id svc --private-key bad.pem
  expect_exit 2
  expect_stderr 'not an unencrypted PEM private key'
  # Settings from the environment and a profile.
  OAUTHCTL_PRIVATE_KEY=$PWD/key.pem run_cli token --server "$SERVER_URL" --client-id svc --no-cache
  expect_exit 0
  mkdir -p "$XDG_CONFIG_HOME/oauthctl"
  printf '[profile.svc]\nserver = "%s"\nclient_id = "svc"\nprivate_key = "%s"\nalg = "ES384"\n' \
    "$SERVER_URL" "$PWD/key.pem" >"$XDG_CONFIG_HOME/oauthctl/config.toml"
  run_cli token --profile svc --no-cache
  expect_exit 0
  expect_stdout '^ey'
}

test_hostile_client_assertions() {
  keyed_server RS384
  local header='{"alg":"RS384","typ":"JWT"}'
  post_assertion "$(sign_rsa key.pem "$header" "$(claims svc)")"
  expect_status 200

  # Signed by another key.
  "$OAUTHCTL" keygen --alg RS384 --out other.pem >/dev/null 2>&1
  post_assertion "$(sign_rsa other.pem "$header" "$(claims svc)")"
  expect_status 401
  expect_json '.error == "invalid_client"' "$TEST_DIR/body"
  # Wrong aud.
  post_assertion "$(sign_rsa key.pem "$header" "$(claims svc 120 https://elsewhere.example/token)")"
  expect_status 401
  expect_json '.error == "invalid_client"' "$TEST_DIR/body"
  # Expired, and too far in the future.
  post_assertion "$(sign_rsa key.pem "$header" "$(claims svc -120)")"
  expect_status 401
  post_assertion "$(sign_rsa key.pem "$header" "$(claims svc 3600)")"
  expect_status 401
  # Replayed: the same assertion twice.
  local once
  once=$(sign_rsa key.pem "$header" "$(claims svc)")
  post_assertion "$once"
  expect_status 200
  post_assertion "$once"
  expect_status 401
  expect_json '.error == "invalid_client" and (.error_description | test("jti"))' "$TEST_DIR/body"
  # alg none (unsigned).
  post_assertion "$(printf '{"alg":"none"}' | b64url).$(claims svc | b64url)."
  expect_status 401
  # HS256 with the public key as the HMAC secret (algorithm confusion).
  local input pub
  input="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$(claims svc | b64url)"
  pub=$(openssl pkey -in key.pem -pubout)
  post_assertion "$input.$(printf '%s' "$input" | openssl dgst -sha256 -hmac "$pub" -binary | b64url)"
  expect_status 401
  # sub is not the client.
  post_assertion "$(sign_rsa key.pem "$header" "$(claims demo)")"
  expect_status 401
  # A keyed client sending nothing at all.
  http POST /auth/token --data-urlencode grant_type=client_credentials --data-urlencode client_id=svc
  expect_status 401
  # The client gets the reason as one clear line, exit 4.
  run_cli token --server "$SERVER_URL" --client-id svc --private-key other.pem --no-cache
  expect_exit 4
  expect_stderr 'invalid_client'
  expect_one_line_stderr
}

test_replayed_jti_stays_refused_after_a_restart() {
  "$OAUTHCTL" keygen --alg RS384 --out key.pem >jwks.json 2>/dev/null || fail "keygen"
  jq '{clients: [{id: "svc", grant_types: ["client_credentials"], jwks: .}]}' jwks.json >clients.json
  # A fixed issuer: the restarted server listens on another port, the aud stays valid.
  start_server --no-defaults --config clients.json --data "$TEST_DIR/store.db" --issuer https://issuer.test
  local once
  once=$(sign_rsa key.pem '{"alg":"RS384"}' "$(claims svc 120 https://issuer.test)")
  post_assertion "$once"
  expect_status 200
  stop_server "$SERVER_PID"
  start_server --no-defaults --config clients.json --data "$TEST_DIR/store.db" --issuer https://issuer.test
  post_assertion "$once"
  expect_status 401
  expect_json '.error_description | test("jti")' "$TEST_DIR/body"
}

test_jwks_uri_file_and_url() {
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --jwks-out jwks.json 2>/dev/null || fail "keygen"
  # A file path...
  jq -n --arg uri "$PWD/jwks.json" '{clients: [{id: "svc", grant_types: ["client_credentials"], jwks_uri: $uri}]}' \
    >clients.json
  start_server --config clients.json
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --no-cache
  expect_exit 0
  # ...and an http URL: another oauthctl serve cannot serve files, so python's http.server does.
  command -v python3 >/dev/null || { echo "SKIP URL: python3 missing"; return 0; }
  python3 -m http.server 0 --bind 127.0.0.1 >http.log 2>&1 &
  SERVER_PIDS+=($!)
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' http.log | head -n 1)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || fail "http.server did not start"
  jq -n --arg uri "http://127.0.0.1:$port/jwks.json" \
    '{clients: [{id: "svc", grant_types: ["client_credentials"], jwks_uri: $uri}]}' >clients-url.json
  start_server --config clients-url.json
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --no-cache
  expect_exit 0
}

test_jwt_bearer_grant() {
  keyed_server ES384
  # Signed by oauthctl: sub = the demo user, everything else defaulted.
  run_cli token --grant jwt_bearer --server "$SERVER_URL" --client-id svc --assertion-key key.pem \
    --assertion-claims '{"sub":"demo"}' --scope 'openid user/*.read' -o json --no-cache
  expect_exit 0
  expect_json '.access_token and .id_token and .scope == "openid user/*.read"'
  jq -r .access_token "$TEST_DIR/stdout" >token.txt
  jwt_claims "$(cat token.txt)" >claims.json
  expect_json '.sub == "demo" and .client_id == "svc"' claims.json
  # Claims from a file, sub = the client: a client token.
  printf '{"sub":"svc"}' >claims-in.json
  run_cli token --grant jwt_bearer --server "$SERVER_URL" --client-id svc --assertion-key key.pem \
    --assertion-claims @claims-in.json --scope 'system/*.read' -o json --no-cache
  expect_exit 0
  expect_json '.scope == "system/*.read"'
  # The steps show in `flow`, the assertion redacted.
  run_cli flow jwt_bearer --server "$SERVER_URL" --client-id svc --assertion-key key.pem \
    --assertion-claims '{"sub":"demo"}' --scope 'user/*.read'
  expect_exit 0
  expect_stdout 'Assertion'
  expect_stdout "$SERVER_URL/auth/token"
  expect_stdout 'Bundle'
}

test_jwt_bearer_prepared_assertion_and_hostile_cases() {
  "$OAUTHCTL" keygen --alg RS384 --out key.pem >jwks.json 2>/dev/null || fail "keygen"
  jq '{clients: [{id: "svc", grant_types: ["jwt_bearer"], jwks: .}]}' jwks.json >clients.json
  start_server --config clients.json
  local header='{"alg":"RS384"}' once
  once=$(sign_rsa key.pem "$header" "$(claims demo)")
  # From stdin, so it never shows in ps.
  STDIN=$once$'\n' run_cli token --grant jwt_bearer --server "$SERVER_URL" --client-id svc --assertion - --no-cache
  expect_exit 0
  jwt_claims "$STDOUT" >claims.json
  expect_json '.sub == "demo"' claims.json
  # Replayed.
  STDIN=$once$'\n' run_cli token --grant jwt_bearer --server "$SERVER_URL" --client-id svc --assertion - --no-cache
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_one_line_stderr
  # With curl: unknown sub, expired, wrong aud, another key, alg none, no client_id.
  http POST /auth/token --data-urlencode "grant_type=$JWT_BEARER" \
    --data-urlencode "assertion=$(sign_rsa key.pem "$header" "$(claims nobody)")"
  expect_status 400
  expect_json '.error == "invalid_grant"' "$TEST_DIR/body"
  local bad
  "$OAUTHCTL" keygen --alg RS384 --out other.pem >/dev/null 2>&1
  for bad in "$(sign_rsa key.pem "$header" "$(claims demo -100)")" \
    "$(sign_rsa key.pem "$header" "$(claims demo 120 https://elsewhere/token)")" \
    "$(sign_rsa other.pem "$header" "$(claims demo)")" \
    "$(printf '{"alg":"none"}' | b64url).$(claims demo | b64url)."; do
    http POST /auth/token --data-urlencode "grant_type=$JWT_BEARER" --data-urlencode client_id=svc \
      --data-urlencode "assertion=$bad"
    expect_status 400
    expect_json '.error == "invalid_grant"' "$TEST_DIR/body"
  done
  # Neither --assertion nor --assertion-key: a usage error before any request.
  run_cli token --grant jwt_bearer --server "$SERVER_URL" --client-id svc
  expect_exit 2
  expect_stderr '--assertion'
}

test_discovery_lists_what_is_supported() {
  start_server
  http GET /.well-known/oauth-authorization-server
  expect_status 200
  expect_json '(.token_endpoint_auth_methods_supported | index("private_key_jwt")) and
    (.token_endpoint_auth_signing_alg_values_supported | sort == ["ES256","ES384","RS256","RS384"]) and
    (.grant_types_supported | index("urn:ietf:params:oauth:grant-type:jwt-bearer"))' "$TEST_DIR/body"
  http GET /.well-known/smart-configuration
  expect_json '.capabilities | index("client-confidential-asymmetric")' "$TEST_DIR/body"
}

test_a_store_of_the_previous_schema_is_upgraded() {
  command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; return 0; }
  "$OAUTHCTL" keygen --alg RS384 --out key.pem >jwks.json 2>/dev/null || fail "keygen"
  jq '{clients: [{id: "svc", grant_types: ["client_credentials"], jwks: .}]}' jwks.json >clients.json
  # A store as the release before the state store left it (schema 3, used assertion ids in
  # assertion_ids); its fixture key is not a real one, so serve makes a new key.
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  bash "$here/../../fixtures/make-store-v3.sh" "$TEST_DIR/store.db" >/dev/null || fail "make-store-v3.sh"
  sqlite3 "$TEST_DIR/store.db" 'DELETE FROM keys' || fail "sqlite3"
  start_server --no-defaults --config clients.json --data "$TEST_DIR/store.db" --issuer https://issuer.test
  [[ $(sqlite3 "$TEST_DIR/store.db" 'SELECT version FROM schema_version') -ge 4 ]] || fail "the store was not migrated"
  local once
  once=$(sign_rsa key.pem '{"alg":"RS384"}' "$(claims svc 120 https://issuer.test)")
  post_assertion "$once"
  expect_status 200
  post_assertion "$once"
  expect_status 401
  [[ $(sqlite3 "$TEST_DIR/store.db" "SELECT count(*) FROM used_jtis WHERE issuer = 'svc'") == 1 ]] ||
    fail "the jti was not stored"
  # The old release's used assertion id came along: still refused.
  [[ $(sqlite3 "$TEST_DIR/store.db" "SELECT count(*) FROM used_jtis WHERE jti = 'used-assertion'") == 1 ]] ||
    fail "the old used assertion id was lost"
}
