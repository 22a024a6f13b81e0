# SPDX-License-Identifier: MIT
# The FHIR resource server of `oauthctl serve`: token verification and SMART scopes,
# through raw curl and through `oauthctl fhir`.

token_with_scope() {
  demo_token --scope "$1"
}

test_metadata_needs_no_token() {
  start_server
  http GET /fhir/metadata
  expect_status 200
  expect_json '.resourceType == "CapabilityStatement"' "$TEST_DIR/body"
  expect_header '^content-type: *application/fhir\+json'
}

test_missing_and_bad_tokens_get_401() {
  start_server
  http GET /fhir/Patient
  expect_status 401
  expect_header '^www-authenticate: *Bearer'
  local token tampered
  token=$(demo_token) || fail "no token"
  http GET /fhir/Patient -H 'Authorization: Bearer not-a-jwt'
  expect_status 401
  expect_header '^www-authenticate: *Bearer.*error="invalid_token"'
  # Flip one character of the payload: the signature no longer matches.
  local header=${token%%.*} rest=${token#*.}
  local payload=${rest%%.*} signature=${rest#*.}
  local first=${payload:0:1}
  [[ $first == e ]] && first=f || first=e
  tampered="$header.$first${payload:1}.$signature"
  http GET /fhir/Patient -H "Authorization: Bearer $tampered"
  expect_status 401
  expect_header 'error="invalid_token"'
  # alg=none with the same claims.
  local none_header
  none_header=$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  http GET /fhir/Patient -H "Authorization: Bearer $none_header.$payload."
  expect_status 401
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
}

test_token_from_another_server_is_refused() {
  start_server
  local first=$SERVER_URL token
  token=$(demo_token) || fail "no token"
  start_server
  [[ $SERVER_URL != "$first" ]] || fail "expected a second server"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 401
  expect_header 'error="invalid_token"'
}

test_expired_token_gets_401() {
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "short-lived", "secret": "s3cret-s3cret",
    "grant_types": ["client_credentials"], "scope": ["system/*.read"],
    "auth": {"client_credentials": {"access_token_expiration": 2, "token_format": "jwt"}}}}]}
JSON
  start_server --config serve.json
  local token
  token=$("$OAUTHCTL" token --grant client_credentials --server "$SERVER_URL" --client-id short-lived \
    --client-secret-file <(printf s3cret-s3cret)) || fail "no token"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
  sleep 3.2
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 401
  expect_header 'error="invalid_token"'
}

test_scopes_are_enforced() {
  start_server
  local token
  token=$(token_with_scope system/Observation.read) || fail "no token"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 403
  expect_json '.resourceType == "OperationOutcome" and .issue[0].code == "forbidden"' "$TEST_DIR/body"
  expect_header '^www-authenticate: *Bearer.*error="insufficient_scope"'
  http GET /fhir/Observation -H "Authorization: Bearer $token"
  expect_status 200
  # SMART v2: r allows read, not search.
  token=$(token_with_scope system/Patient.r) || fail "no token"
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 403
  local id
  id=$(demo_token --scope system/Patient.rs | xargs -I{} curl -s -H "Authorization: Bearer {}" "$SERVER_URL/fhir/Patient" | jq -r '.entry[0].resource.id')
  [[ -n $id && $id != null ]] || fail "no patient id from a search"
  http GET "/fhir/Patient/$id" -H "Authorization: Bearer $token"
  expect_status 200
  expect_json ".resourceType == \"Patient\" and .id == \"$id\"" "$TEST_DIR/body"
  # Wildcards.
  token=$(token_with_scope 'system/*.rs') || fail "no token"
  http GET /fhir/Observation -H "Authorization: Bearer $token"
  expect_status 200
}

test_search_and_read_through_oauthctl_fhir() {
  start_server
  local common=(--server "$SERVER_URL" --client-id demo-client)
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli fhir Patient "${common[@]}"
  expect_exit 0
  expect_json '.resourceType == "Bundle" and .type == "searchset" and .total >= 3 and (.entry | length) == .total'
  expect_json '.entry | all(. as $e | $e.resource.resourceType == "Patient" and ($e.fullUrl | endswith("/Patient/" + $e.resource.id)))'
  local id family
  id=$(jq -r '.entry[0].resource.id' "$TEST_DIR/stdout")
  family=$(jq -r '.entry[0].resource.name[0].family' "$TEST_DIR/stdout")
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli fhir "Patient/$id" "${common[@]}"
  expect_exit 0
  expect_json ".resourceType == \"Patient\" and .id == \"$id\""
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli fhir "Patient?name=${family,,}" "${common[@]}"
  expect_exit 0
  expect_json ".total >= 1 and (.entry | all(.resource.name[0].family == \"$family\"))"
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli fhir "Observation?patient=Patient/$id" "${common[@]}"
  expect_exit 0
  expect_json ".type == \"searchset\" and (.entry | all(.resource.subject.reference == \"Patient/$id\"))"
  # A FHIR error about the request (not the token): its OperationOutcome on stdout, exit 8.
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli fhir Patient/does-not-exist "${common[@]}"
  expect_exit 8
  expect_json '.resourceType == "OperationOutcome"'
  expect_one_line_stderr
}

test_fhir_with_a_given_token() {
  start_server
  local token
  token=$(demo_token --scope system/Observation.read) || fail "no token"
  OAUTHCTL_ACCESS_TOKEN=$token run_cli fhir Patient --server "$SERVER_URL"
  expect_exit 4
  expect_stderr 'insufficient_scope|forbidden'
  expect_one_line_stderr
  OAUTHCTL_ACCESS_TOKEN=$token run_cli fhir Observation --server "$SERVER_URL"
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
}

test_search_parameters_and_the_unsupported_parameter_rule() {
  start_server
  local token
  token=$(token_with_scope 'system/*.rs') || fail "no token"
  http GET '/fhir/Patient?gender=female' -H "Authorization: Bearer $token"
  expect_status 200
  expect_json ".total == 3 and ([.entry[].resource.gender] | unique) == [\"female\"]" "$TEST_DIR/body"
  expect_json ".link[0].url == \"$SERVER_URL/fhir/Patient?gender=female\"" "$TEST_DIR/body"
  http GET '/fhir/Patient?birthdate=ge1990&_count=1' -H "Authorization: Bearer $token"
  expect_json '.total == 2 and (.entry | length) == 1 and (.link | map(.relation) | index("next"))' "$TEST_DIR/body"
  http GET '/fhir/Observation?date=lt2024-01-03&_summary=count' -H "Authorization: Bearer $token"
  expect_json '.total == 2 and (has("entry") | not)' "$TEST_DIR/body"
  # An unsupported parameter: not applied, left out of the self link, reported as a warning.
  http GET '/fhir/Patient?gender=female&_sort=family' -H "Authorization: Bearer $token"
  expect_status 200
  expect_json ".link[0].url == \"$SERVER_URL/fhir/Patient?gender=female\"" "$TEST_DIR/body"
  expect_json '.entry[-1].search.mode == "outcome" and .entry[-1].resource.issue[0].severity == "warning"' "$TEST_DIR/body"
  http GET '/fhir/Patient?gender=female&_sort=family' -H "Authorization: Bearer $token" -H 'Prefer: handling=strict'
  expect_status 400
  expect_json '.resourceType == "OperationOutcome"' "$TEST_DIR/body"
}
