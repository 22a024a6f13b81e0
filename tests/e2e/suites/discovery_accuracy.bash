# SPDX-License-Identifier: MIT
# The discovery documents of `oauthctl serve` list exactly what it serves: every listed
# grant is answered by the token endpoint, every other one is unsupported_grant_type,
# every listed auth method authenticates, and every endpoint URL in them answers.

# Every grant_type value a client might send: the RFC values and the CLI names.
ALL_GRANTS=(authorization_code implicit refresh_token client_credentials password
  token_exchange device_code jwt_bearer
  urn:ietf:params:oauth:grant-type:token-exchange urn:ietf:params:oauth:grant-type:device_code
  urn:ietf:params:oauth:grant-type:jwt-bearer urn:ietf:params:oauth:grant-type:saml2-bearer
  urn:openid:params:grant-type:ciba)

# token_request GRANT: POST /auth/token as the demo client (client_secret_post).
token_request() {
  http POST /auth/token --data-urlencode "grant_type=$1" -d client_id=demo-client -d client_secret=demo-secret
}

test_listed_grants_are_served_and_others_are_not() {
  start_server
  http GET /.well-known/oauth-authorization-server
  expect_status 200
  cp "$TEST_DIR/body" metadata.json
  local grants
  grants=$(jq -r '.grant_types_supported[]' metadata.json)
  [[ -n $grants ]] || fail "grant_types_supported is empty"
  local grant
  for grant in $grants; do
    if [[ $grant == implicit ]]; then
      # implicit is response_type=token at the authorize endpoint, never a token request.
      expect_json '.response_types_supported | index("token") != null' metadata.json
      http GET "/auth/authorize?response_type=token&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&state=s"
      [[ $HTTP_STATUS != 404 ]] || fail "implicit is listed but /auth/authorize is missing"
      grep -q unsupported_response_type "$TEST_DIR/headers" "$TEST_DIR/body" &&
        fail "implicit is listed but response_type=token is unsupported"
      continue
    fi
    token_request "$grant"
    [[ $HTTP_STATUS != 404 ]] || fail "token endpoint missing"
    jq -e '.error != "unsupported_grant_type"' "$TEST_DIR/body" >/dev/null ||
      fail "grant $grant is listed in grant_types_supported but answered: $BODY"
  done
  for grant in "${ALL_GRANTS[@]}"; do
    grep -qxF -- "$grant" <<<"$grants" && continue
    token_request "$grant"
    expect_status 400
    jq -e '.error == "unsupported_grant_type"' "$TEST_DIR/body" >/dev/null ||
      fail "grant $grant is not listed in grant_types_supported but answered: $BODY"
  done
  # A listed grant really issues tokens, end to end.
  token_request client_credentials
  expect_status 200
}

test_documents_agree() {
  start_server
  local doc
  for doc in oauth-authorization-server openid-configuration smart-configuration; do
    http GET "/.well-known/$doc"
    expect_status 200
    jq -S '{grant_types_supported, token_endpoint_auth_methods_supported, token_endpoint}' "$TEST_DIR/body" >"$doc.lists"
  done
  cmp -s oauth-authorization-server.lists openid-configuration.lists || fail "openid-configuration disagrees"
  cmp -s oauth-authorization-server.lists smart-configuration.lists || fail "smart-configuration disagrees"
}

test_listed_auth_methods_authenticate() {
  start_server
  http GET /.well-known/oauth-authorization-server
  local methods method
  methods=$(jq -r '.token_endpoint_auth_methods_supported[]' "$TEST_DIR/body")
  for method in $methods; do
    case $method in
      client_secret_basic)
        http POST /auth/token -u demo-client:demo-secret -d grant_type=client_credentials
        expect_status 200
        ;;
      client_secret_post)
        token_request client_credentials
        expect_status 200
        ;;
      none)
        # A public client names itself only: refused as a client it is not, never for lack
        # of a secret.
        http POST /auth/token -d grant_type=authorization_code -d client_id=demo-public -d code=nope \
          -d redirect_uri=http://127.0.0.1/callback -d code_verifier=0123456789012345678901234567890123456789abc
        expect_status 400
        jq -e '.error == "invalid_grant"' "$TEST_DIR/body" >/dev/null || fail "public client refused: $BODY"
        ;;
      *) ;; # checked by the suites of the method (private_key_jwt: its own suite)
    esac
  done
  # SMART capabilities follow the methods.
  http GET /.well-known/smart-configuration
  local pair method_name capability listed_method listed_capability
  for pair in none:client-public client_secret_basic:client-confidential-symmetric \
    private_key_jwt:client-confidential-asymmetric; do
    method_name=${pair%%:*} capability=${pair#*:}
    listed_method=$(jq --arg m "$method_name" '.token_endpoint_auth_methods_supported | index($m) != null' "$TEST_DIR/body")
    listed_capability=$(jq --arg c "$capability" '.capabilities | index($c) != null' "$TEST_DIR/body")
    [[ $listed_method == "$listed_capability" ]] ||
      fail "$method_name listed: $listed_method, but $capability listed: $listed_capability"
  done
  expect_json '.capabilities | (index("launch-ehr") == null and index("authorize-post") == null)' "$TEST_DIR/body"
  http POST /auth/authorize -d response_type=code
  expect_status 405
}

test_every_endpoint_answers() {
  start_server
  local doc key url
  for doc in /.well-known/oauth-authorization-server /.well-known/openid-configuration \
    /.well-known/smart-configuration /fhir/.well-known/smart-configuration; do
    http GET "$doc"
    expect_status 200
    cp "$TEST_DIR/body" doc.json
    while IFS=$'\t' read -r key url; do
      [[ $url == "$SERVER_URL"/* ]] || fail "$doc: $key is not on this server: $url"
      http GET "${url#"$SERVER_URL"}"
      [[ $HTTP_STATUS != 404 ]] || fail "$doc: $key (GET $url) answers 404"
      http POST "${url#"$SERVER_URL"}" --data ''
      [[ $HTTP_STATUS != 404 ]] || fail "$doc: $key (POST $url) answers 404"
    done < <(jq -r 'to_entries[] | select((.key | test("_(endpoint|uri)$")) and (.value | type) == "string")
                      | [.key, .value] | @tsv' doc.json)
  done
}
