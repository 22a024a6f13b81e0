# SPDX-License-Identifier: MIT
# Introspection (RFC 7662), revocation (RFC 7009), Aidbox's DELETE /Session and `logout`,
# both halves: `oauthctl introspect`/`revoke` against a real `oauthctl serve`.

suite_requires() {
  command -v jq >/dev/null || { echo "jq is missing"; return 1; }
  command -v python3 >/dev/null || { echo "python3 is missing"; return 1; }
}

DEMO=(--client-id demo-client --client-secret demo-secret)

# user_tokens: the authorization code flow for demo-client through the
# scripted browser; the token response JSON on stdout (with a refresh token).
user_tokens() {
  write_browser
  "$OAUTHCTL" token --grant authorization_code --server "$SERVER_URL" "${DEMO[@]}" --no-cache \
    --scope 'openid patient/*.rs offline_access' --browser "python3 $TEST_DIR/browser.py" -o json
}

# introspect TOKEN [options...]: as demo-client. TOKEN goes after `--`: a refresh token may
# start with "-" (base64url), and would then read as an option.
introspect() {
  local token=$1
  shift
  run_cli introspect "$@" --server "$SERVER_URL" "${DEMO[@]}" -- "$token"
}

expect_inactive() {
  expect_exit 7
  [[ $(jq -c . <<<"$STDOUT") == '{"active":false}' ]] || fail "expected exactly {\"active\":false}, got $STDOUT"
}

test_discovery_names_both_endpoints() {
  start_server
  local doc
  for doc in openid-configuration oauth-authorization-server smart-configuration; do
    http GET "/.well-known/$doc"
    expect_json ".introspection_endpoint == \"$SERVER_URL/auth/introspect\" and
      .revocation_endpoint == \"$SERVER_URL/auth/revoke\" and
      (.introspection_endpoint_auth_methods_supported | index(\"client_secret_basic\")) and
      (.revocation_endpoint_auth_methods_supported | index(\"none\"))" "$TEST_DIR/body"
  done
}

test_introspect_an_active_access_token() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  introspect "$token"
  expect_exit 0
  expect_json ".active == true and .client_id == \"demo-client\" and .token_type == \"Bearer\" and
    .iss == \"$SERVER_URL\" and .sub == \"demo-client\" and .aud == \"$SERVER_URL/fhir\" and
    (.scope | test(\"system/\")) and (.exp - .iat == 3600)"
  expect_stderr 'active: client demo-client, sub demo-client, scope .*expires .*\(in (59 min|1 h)\)'
  # The token from stdin: it stays out of `ps`.
  STDIN=$token run_cli introspect - --server "$SERVER_URL" "${DEMO[@]}"
  expect_exit 0
  expect_json '.active == true'
}

test_introspect_user_tokens_with_smart_fields() {
  start_server
  local tokens access refresh
  tokens=$(user_tokens) || fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  [[ $refresh != null ]] || fail "no refresh token: $tokens"
  introspect "$access"
  expect_exit 0
  expect_json '.active and .sub == "demo" and .fhirUser == "Patient/pt-1" and .patient == "pt-1" and
    (.scope | test("offline_access"))'
  introspect "$refresh" --token-type-hint refresh_token
  expect_exit 0
  expect_json '.active and .token_type == "refresh_token" and .client_id == "demo-client" and .sub == "demo"'
}

test_introspect_anything_invalid_is_inactive() {
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "short-lived", "secret": "short-secret",
    "grant_types": ["client_credentials"], "scope": ["system/*.read"],
    "auth": {"client_credentials": {"access_token_expiration": 1}}}}]}
JSON
  start_server
  local other_url=$SERVER_URL foreign token short
  foreign=$(demo_token) || fail "no token from the other server"
  start_server --config serve.json
  token=$(demo_token) || fail "no token"
  short=$("$OAUTHCTL" token --server "$SERVER_URL" --client-id short-lived --client-secret short-secret) ||
    fail "no short-lived token"
  introspect garbage
  expect_inactive
  expect_stderr 'inactive'
  # Signed by the other server's key (its kid is unknown here).
  [[ $other_url != "$SERVER_URL" ]] || fail "expected two servers"
  introspect "$foreign"
  expect_inactive
  # One payload character changed: the signature no longer matches.
  local header payload signature
  IFS=. read -r header payload signature <<<"$token"
  introspect "$header.${payload:0:10}$([[ ${payload:10:1} == A ]] && echo B || echo A)${payload:11}.$signature"
  expect_inactive
  # alg=none with a valid payload.
  introspect "$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$payload."
  expect_inactive
  sleep 1.2
  introspect "$short"
  expect_inactive
}

test_introspection_requires_an_authenticated_client() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  http POST /auth/introspect --data-urlencode "token=$token"
  expect_status 401
  expect_json '.error == "invalid_client"' "$TEST_DIR/body"
  http POST /auth/introspect -u demo-client:wrong --data-urlencode "token=$token"
  expect_status 401
  expect_header '^www-authenticate: *Basic'
  http POST /auth/introspect --data-urlencode "token=$token" -d client_id=demo-public
  expect_status 401
  run_cli introspect --server "$SERVER_URL" --client-id demo-client --client-secret wrong -- "$token"
  expect_exit 4
  expect_no_stdout
  expect_stderr 'invalid_client'
  expect_one_line_stderr
  run_cli introspect --server "$SERVER_URL" "${DEMO[@]}" --token-type-hint id_token -- "$token"
  expect_exit 2
  run_cli introspect --server "$SERVER_URL" "${DEMO[@]}"
  expect_exit 2
  expect_stderr 'missing TOKEN'
}

test_revoke_an_access_token() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
  run_cli revoke --server "$SERVER_URL" "${DEMO[@]}" -- "$token"
  expect_exit 0
  expect_no_stdout
  expect_stderr "revoked at $SERVER_URL/auth/revoke"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 401
  expect_header 'error="invalid_token"'
  introspect "$token"
  expect_inactive
  # Again, and a token the server never issued: 200 all the same (RFC 7009 §2.2).
  STDIN=$token run_cli revoke - --server "$SERVER_URL" "${DEMO[@]}" --token-type-hint access_token
  expect_exit 0
  run_cli revoke never-issued --server "$SERVER_URL" "${DEMO[@]}"
  expect_exit 0
  # Unauthenticated revocation is refused.
  http POST /auth/revoke --data-urlencode "token=$token"
  expect_status 401
  run_cli revoke --server "$SERVER_URL" "${DEMO[@]}"
  expect_exit 2
  expect_stderr 'logout'
}

test_revoke_a_refresh_token_ends_its_access_tokens() {
  start_server
  local tokens access refresh
  tokens=$(user_tokens) || fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  http GET /fhir/Patient -H "Authorization: Bearer $access"
  expect_status 200
  run_cli revoke --token-type-hint refresh_token --server "$SERVER_URL" "${DEMO[@]}" -- "$refresh"
  expect_exit 0
  introspect "$refresh"
  expect_inactive
  introspect "$access"
  expect_inactive
  http GET /fhir/Patient -H "Authorization: Bearer $access"
  expect_status 401
  STDIN=$refresh run_cli token --grant refresh_token --refresh-token - --server "$SERVER_URL" "${DEMO[@]}" --no-cache
  expect_exit 4
  expect_stderr 'invalid_grant'
}

test_another_clients_tokens() {
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "resource-server", "secret": "rs-secret",
    "grant_types": ["client_credentials"]}}]}
JSON
  start_server --config serve.json
  local tokens access refresh rs=(--server "$SERVER_URL" --client-id resource-server --client-secret rs-secret)
  tokens=$(user_tokens) || fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  # Any authenticated client may introspect access tokens (a resource server's job) ...
  run_cli introspect "${rs[@]}" -- "$access"
  expect_exit 0
  expect_json '.active and .client_id == "demo-client"'
  # ... but not another client's refresh token.
  run_cli introspect "${rs[@]}" -- "$refresh"
  expect_inactive
  # Revoking another client's token is refused (RFC 7009 §2.1) and changes nothing.
  run_cli revoke "${rs[@]}" -- "$access"
  expect_exit 4
  expect_stderr 'invalid_grant'
  run_cli revoke "${rs[@]}" -- "$refresh"
  expect_exit 4
  introspect "$access"
  expect_exit 0
  introspect "$refresh"
  expect_exit 0
}

test_delete_session_ends_the_token_and_its_family() {
  start_server
  local tokens access refresh
  tokens=$(user_tokens) || fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  http DELETE /Session
  expect_status 401
  expect_header '^www-authenticate: *Bearer'
  http DELETE /Session -H "Authorization: Bearer not-a-token"
  expect_status 401
  http DELETE /Session -H "Authorization: Bearer $access"
  expect_status 204
  http GET /fhir/Patient -H "Authorization: Bearer $access"
  expect_status 401
  introspect "$refresh"
  expect_inactive
  http DELETE /Session -H "Authorization: Bearer $access"
  expect_status 401
}

test_logout_really_revokes() {
  start_server
  write_browser
  local tokens access refresh
  # Through the cache this time: logout revokes what the cache holds.
  tokens=$("$OAUTHCTL" token --grant authorization_code --server "$SERVER_URL" "${DEMO[@]}" \
    --scope 'openid patient/*.rs offline_access' --browser "python3 $TEST_DIR/browser.py" -o json) ||
    fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  introspect "$access"
  expect_exit 0
  run_cli logout --server "$SERVER_URL" "${DEMO[@]}"
  expect_exit 0
  expect_stderr 'revoked 2 tokens'
  introspect "$access"
  expect_inactive
  introspect "$refresh"
  expect_inactive
}

test_revocations_survive_a_restart() {
  start_server --no-defaults --demo --data "$TEST_DIR/data"
  local token tokens access refresh
  token=$(demo_token) || fail "no token"
  run_cli revoke --server "$SERVER_URL" "${DEMO[@]}" -- "$token"
  expect_exit 0
  tokens=$(user_tokens) || fail "no user tokens"
  access=$(jq -r .access_token <<<"$tokens")
  refresh=$(jq -r .refresh_token <<<"$tokens")
  run_cli revoke --server "$SERVER_URL" "${DEMO[@]}" -- "$refresh"
  expect_exit 0
  stop_server "$SERVER_PID"
  start_server --no-defaults --demo --data "$TEST_DIR/data"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 401
  introspect "$token"
  expect_inactive
  http GET /fhir/Patient -H "Authorization: Bearer $access"
  expect_status 401
  introspect "$refresh"
  expect_inactive
  STDIN=$refresh run_cli token --grant refresh_token --refresh-token - --server "$SERVER_URL" "${DEMO[@]}" --no-cache
  expect_exit 4
  token=$(demo_token) || fail "no new token"
  introspect "$token"
  expect_exit 0
}
