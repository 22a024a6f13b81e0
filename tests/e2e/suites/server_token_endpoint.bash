# SPDX-License-Identifier: MIT
# The token endpoint, JWKS and discovery of `oauthctl serve`, spoken to with raw curl,
# including hostile requests: the server answers RFC 6749 error JSON and keeps serving.

basic() { printf '%s' "$1" | base64 -w0; }

test_basic_auth_and_cache_headers() {
  start_server
  http POST /auth/token -H "Authorization: Basic $(basic demo-client:demo-secret)" -d grant_type=client_credentials
  expect_status 200
  expect_json '.access_token and .token_type == "Bearer" and .expires_in > 0' "$TEST_DIR/body"
  expect_header '^cache-control: *no-store'
  expect_header '^content-type: *application/json'
}

test_json_body_as_aidbox() {
  start_server
  http POST /auth/token -H 'Content-Type: application/json' \
    -d '{"grant_type":"client_credentials","client_id":"demo-client","client_secret":"demo-secret"}'
  expect_status 200
  expect_json '.access_token' "$TEST_DIR/body"
}

test_wrong_secret_basic_gets_401_with_challenge() {
  start_server
  http POST /auth/token -H "Authorization: Basic $(basic demo-client:wrong)" -d grant_type=client_credentials
  expect_status 401
  expect_json '.error == "invalid_client"' "$TEST_DIR/body"
  expect_header '^www-authenticate: *Basic'
  http POST /auth/token -d grant_type=client_credentials -d client_id=demo-client -d client_secret=wrong
  expect_status 401
  expect_json '.error == "invalid_client"' "$TEST_DIR/body"
}

test_error_codes() {
  start_server
  local auth="Authorization: Basic $(basic demo-client:demo-secret)"
  http POST /auth/token -H "$auth" -d grant_type=urn:example:nope
  expect_status 400
  expect_json '.error == "unsupported_grant_type"' "$TEST_DIR/body"
  http POST /auth/token -H "$auth" -d scope=system/Patient.read
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  http POST /auth/token -H "$auth" -d grant_type=client_credentials -d grant_type=client_credentials
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  # Two authentication methods at once (RFC 6749 §2.3).
  http POST /auth/token -H "$auth" -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
}

test_hostile_bodies_and_headers_keep_the_server_up() {
  start_server
  http POST /auth/token -H 'Content-Type: application/json' -d '{"grant_type": "client_cred'
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  http POST /auth/token -H 'Content-Type: application/json' -d '[1,2,3]'
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  http POST /auth/token -H 'Content-Type: application/json' -d '{"grant_type":["client_credentials"],"client_id":{"a":1}}'
  expect_status 400
  expect_json '.error' "$TEST_DIR/body"
  http POST /auth/token -H 'Content-Type: text/plain' -d 'grant_type=client_credentials'
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  http POST /auth/token -d 'grant_type=%zz&client_id=%'
  expect_status 400
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  head -c 200000 /dev/zero | tr '\0' a >big.txt
  http POST /auth/token --data-binary "grant_type=client_credentials&x=@big.txt" --data-binary @big.txt
  [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 413 ]] || fail "oversized body got HTTP $HTTP_STATUS"
  expect_json '.error' "$TEST_DIR/body"
  local header
  for header in 'Authorization: Basic !!!!' 'Authorization: Basic Zm9v' 'Authorization: Bearer' 'Authorization: Basic' \
    "Authorization: Basic $(basic ':')" "Authorization: Basic $(printf '\xff\xfe:%%' | base64)"; do
    http POST /auth/token -H "$header" -d grant_type=client_credentials
    [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 401 ]] || fail "$header got HTTP $HTTP_STATUS"
    expect_json '.error == "invalid_request" or .error == "invalid_client"' "$TEST_DIR/body"
  done
  http GET /auth/token
  [[ $HTTP_STATUS == 404 || $HTTP_STATUS == 405 || $HTTP_STATUS == 400 ]] || fail "GET /auth/token got $HTTP_STATUS"
  # Still serving, and still issuing tokens.
  http POST /auth/token -H "Authorization: Basic $(basic demo-client:demo-secret)" -d grant_type=client_credentials
  expect_status 200
  kill -0 "$SERVER_PID" || fail "server died"
}

test_jwks_publishes_only_public_keys() {
  start_server
  local path
  for path in /.well-known/jwks.json /auth/jwks; do
    http GET "$path"
    expect_status 200
    expect_json '.keys | length >= 1' "$TEST_DIR/body"
    expect_json '.keys | all(.kty == "RSA" and (.kid | length) > 0 and .n and .e and (has("d") | not) and (has("p") | not))' "$TEST_DIR/body"
  done
  # The token's kid is one of them.
  http POST /auth/token -H "Authorization: Basic $(basic demo-client:demo-secret)" -d grant_type=client_credentials
  local kid
  kid=$(jq -r .access_token "$TEST_DIR/body" | cut -d. -f1 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r .kid)
  http GET /.well-known/jwks.json
  expect_json ".keys | map(.kid) | index(\"$kid\") != null" "$TEST_DIR/body"
}

test_discovery_documents() {
  start_server
  http GET /.well-known/oauth-authorization-server
  expect_status 200
  expect_json ".issuer == \"$SERVER_URL\" and .token_endpoint == \"$SERVER_URL/auth/token\" and .jwks_uri" "$TEST_DIR/body"
  expect_json '.grant_types_supported | index("client_credentials") != null' "$TEST_DIR/body"
  expect_json '.token_endpoint_auth_methods_supported | index("client_secret_basic") != null' "$TEST_DIR/body"
  http GET /.well-known/openid-configuration
  expect_status 200
  expect_json ".issuer == \"$SERVER_URL\" and .jwks_uri" "$TEST_DIR/body"
  http GET /.well-known/smart-configuration
  expect_status 200
  expect_json '.token_endpoint and (.capabilities | type) == "array"' "$TEST_DIR/body"
  expect_json '(.code_challenge_methods_supported // ["S256"]) == ["S256"]' "$TEST_DIR/body"
}
