# SPDX-License-Identifier: MIT
# `oauthctl token --grant token_exchange` (RFC 8693) with real servers: a second
# `oauthctl serve` plays the external issuer (an EHR) whose tokens are the subject tokens.

RP_AUDIENCE=https://rp.example

# start_idp: the external issuer, with a client that may ask for tokens meant for us and a
# short-lived one for the expiry test. Sets IDP_URL.
start_idp() {
  cat >idp.json <<JSON
{"clients": [
  {"id": "ehr-app", "secret": "ehr-secret", "grant_types": ["client_credentials", "password"],
   "scope": ["system/*.read", "system/Patient.read"],
   "auth": {"client_credentials": {"audience": ["$RP_AUDIENCE"]}}},
  {"id": "ehr-short", "secret": "ehr-secret", "grant_types": ["client_credentials"],
   "auth": {"client_credentials": {"audience": ["$RP_AUDIENCE"], "access_token_expiration": 1}}}]}
JSON
  start_server --config idp.json
  IDP_URL=$SERVER_URL
}

# idp_token CLIENT [token options]: a client_credentials token from the external issuer.
idp_token() {
  local client=$1
  shift
  "$OAUTHCTL" token --no-cache --grant client_credentials --server "$IDP_URL" --client-id "$client" \
    --client-secret-file <(printf ehr-secret) "$@"
}

# start_rp KEYS_JSON: the server under test (--demo too), trusting the issuer with the
# key source given as JSON members. Sets RP_URL (and SERVER_URL).
start_rp() {
  cat >rp.json <<JSON
{"clients": [
  {"id": "exchanger", "secret": "exchanger-secret",
   "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"]},
  {"id": "backend", "secret": "backend-secret", "grant_types": ["client_credentials"]}],
 "token_introspectors": [
  {"resourceType": "TokenIntrospector", "id": "ehr", "type": "jwt", $1,
   "jwt": {"iss": "$IDP_URL"}, "audience": ["$RP_AUDIENCE"], "leeway": 0}]}
JSON
  start_server --config rp.json
  RP_URL=$SERVER_URL
}

exchange() {
  run_cli token --grant token_exchange --server "$RP_URL" --client-id exchanger \
    --client-secret-file <(printf exchanger-secret) "$@"
}

test_external_token_by_jwks_url_works_at_our_fhir() {
  start_idp
  start_rp "\"jwks_uri\": \"$IDP_URL/.well-known/jwks.json\""
  local subject
  subject=$(idp_token ehr-app --audience "$RP_AUDIENCE" --scope system/Patient.read) || fail "no IdP token"
  OAUTHCTL_SUBJECT_TOKEN=$subject exchange --subject-token-type urn:ietf:params:oauth:token-type:jwt -o json
  expect_exit 0
  expect_json '.issued_token_type == "urn:ietf:params:oauth:token-type:access_token"'
  expect_json '(.token_type | ascii_downcase) == "bearer" and .expires_in > 0 and .scope == "system/Patient.read"'
  local token
  token=$(jq -r .access_token "$TEST_DIR/stdout")
  jwt_claims "$token" >claims.json
  expect_json ".iss == \"$RP_URL\" and .sub == \"$IDP_URL#ehr-app\" and .client_id == \"exchanger\"" claims.json
  SERVER_URL=$RP_URL http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
  # The exchanged token is ours only: the IdP's token is still refused at our FHIR API.
  SERVER_URL=$RP_URL http GET /fhir/Patient -H "Authorization: Bearer $subject"
  expect_status 401
  # Short names and stdin work too.
  STDIN="$subject"$'\n' exchange --subject-token - --subject-token-type access_token
  expect_exit 0
  expect_stdout '^ey'
}

test_external_token_by_jwks_file() {
  start_idp
  mkdir -p keys
  curl -sS "$IDP_URL/.well-known/jwks.json" >keys/idp-jwks.json || fail "no IdP JWKS"
  # A relative jwks_file is read next to the config file.
  start_rp '"jwks_file": "keys/idp-jwks.json"'
  OAUTHCTL_SUBJECT_TOKEN=$(idp_token ehr-app --audience "$RP_AUDIENCE") \
    exchange --subject-token-type jwt --scope system/Patient.read -o json
  expect_exit 0
  expect_json '.scope == "system/Patient.read" and .issued_token_type == "urn:ietf:params:oauth:token-type:access_token"'
  # A JWKS file with no usable key stops the start.
  printf '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' >keys/idp-jwks.json
  run_cli serve --ephemeral --port 0 --config rp.json
  expect_exit 2
  expect_stderr 'TokenIntrospector'
}

test_hostile_subject_tokens_are_invalid_grant() {
  start_idp
  local other
  start_server # an issuer nobody trusts
  other=$(demo_token) || fail "no token from the untrusted server"
  start_rp "\"jwks_uri\": \"$IDP_URL/.well-known/jwks.json\""
  local good
  good=$(idp_token ehr-app --audience "$RP_AUDIENCE") || fail "no IdP token"

  OAUTHCTL_SUBJECT_TOKEN=$other exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_stderr 'not trusted'

  # Meant for the IdP's own FHIR server, not for us.
  OAUTHCTL_SUBJECT_TOKEN=$(idp_token ehr-app) exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_stderr 'aud'

  # The payload changed after signing (a broader scope): the signature no longer holds.
  local header payload signature forged
  IFS=. read -r header payload signature <<<"$good"
  forged=$(jwt_claims "$good" | jq -c '.scope = "system/*.*"' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  OAUTHCTL_SUBJECT_TOKEN="$header.$forged.$signature" exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_stderr 'signature'

  # alg=none, with and without a signature part.
  local none
  none=$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  OAUTHCTL_SUBJECT_TOKEN="$none.$payload." exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
  OAUTHCTL_SUBJECT_TOKEN="$none.$payload.$signature" exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'

  # Expired (the issuer's client makes 1-second tokens; the introspector allows no leeway).
  local short
  short=$(idp_token ehr-short --audience "$RP_AUDIENCE") || fail "no short-lived IdP token"
  sleep 2.1
  OAUTHCTL_SUBJECT_TOKEN=$short exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_stderr 'exp'

  # Not a JWT at all.
  OAUTHCTL_SUBJECT_TOKEN=not-a-token exchange --subject-token-type jwt
  expect_exit 4
  expect_stderr 'invalid_grant'
}

test_own_token_narrows_and_never_broadens() {
  start_server
  RP_URL=$SERVER_URL
  local own
  own=$(demo_token --scope 'system/Patient.read system/Observation.read') || fail "no token"
  OAUTHCTL_SUBJECT_TOKEN=$own run_cli token --grant token_exchange --server "$RP_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type access_token --scope system/Patient.read \
    --audience "$RP_URL" -o json
  expect_exit 0
  expect_json '.scope == "system/Patient.read"'
  local narrowed
  narrowed=$(jq -r .access_token "$TEST_DIR/stdout")
  jwt_claims "$narrowed" >narrow.json
  jwt_claims "$own" >own.json
  expect_json ".aud == \"$RP_URL\" and .sub == \"demo-client\"" narrow.json
  (($(jq .exp narrow.json) <= $(jq .exp own.json))) || fail "the exchanged token outlives its subject token"
  # The narrowed scope holds at the FHIR API.
  http GET /fhir/Observation -H "Authorization: Bearer $narrowed"
  expect_status 403
  OAUTHCTL_SUBJECT_TOKEN=$own run_cli token --grant token_exchange --server "$RP_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type access_token --scope system/Patient.read
  expect_exit 0
  http GET /fhir/Patient -H "Authorization: Bearer $STDOUT"
  expect_status 200
  http GET /fhir/Observation -H "Authorization: Bearer $STDOUT"
  expect_status 403
  # Broader than the subject token: refused.
  OAUTHCTL_SUBJECT_TOKEN=$own run_cli token --grant token_exchange --server "$RP_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type access_token --scope 'system/*.read'
  expect_exit 4
  expect_stderr 'invalid_scope'
  # An audience this client may not ask for.
  OAUTHCTL_SUBJECT_TOKEN=$own run_cli token --grant token_exchange --server "$RP_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type access_token --audience https://elsewhere.example
  expect_exit 4
  expect_stderr 'invalid_target'
}

test_actor_token_is_recorded_as_act() {
  start_server
  RP_URL=$SERVER_URL
  local subject actor
  subject=$(OAUTHCTL_PASSWORD=demo "$OAUTHCTL" token --no-cache --grant password --server "$RP_URL" \
    --client-id demo-client --client-secret-file <(printf demo-secret) --username demo --scope 'user/*.read') ||
    fail "no user token"
  actor=$(demo_token) || fail "no actor token"
  OAUTHCTL_SUBJECT_TOKEN=$subject OAUTHCTL_ACTOR_TOKEN=$actor run_cli token --grant token_exchange \
    --server "$RP_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    --subject-token-type access_token --actor-token-type access_token -o json
  expect_exit 0
  jwt_claims "$(jq -r .access_token "$TEST_DIR/stdout")" >claims.json
  expect_json '.sub == "demo" and .act.sub == "demo-client" and .scope == "user/*.read"' claims.json
  # An actor token needs its type.
  OAUTHCTL_SUBJECT_TOKEN=$subject OAUTHCTL_ACTOR_TOKEN=$actor run_cli token --grant token_exchange \
    --server "$RP_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    --subject-token-type access_token
  expect_exit 2
  expect_stderr 'actor-token-type'
}

test_client_side_usage_errors() {
  start_server
  run_cli token --grant token_exchange --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type jwt
  expect_exit 2
  expect_stderr 'missing --subject-token'
  OAUTHCTL_SUBJECT_TOKEN=x run_cli token --grant token_exchange --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --subject-token-type bogus
  expect_exit 2
  expect_stderr 'invalid --subject-token-type bogus'
  expect_one_line_stderr
}

test_server_checks_the_request() {
  start_idp
  start_rp "\"jwks_uri\": \"$IDP_URL/.well-known/jwks.json\""
  local subject
  subject=$(idp_token ehr-app --audience "$RP_AUDIENCE") || fail "no IdP token"
  # A client that does not list the grant.
  OAUTHCTL_SUBJECT_TOKEN=$subject run_cli token --grant token_exchange --server "$RP_URL" --client-id backend \
    --client-secret-file <(printf backend-secret) --subject-token-type jwt
  expect_exit 4
  expect_stderr 'unauthorized_client'
  # Raw requests: a SAML type is not exchangeable here; a requested refresh token is not issued.
  http POST /auth/token -u exchanger:exchanger-secret \
    --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$subject" \
    --data-urlencode subject_token_type=urn:ietf:params:oauth:token-type:saml2
  expect_status 400
  [[ $BODY == *invalid_request* ]] || fail "expected invalid_request: $BODY"
  http POST /auth/token -u exchanger:exchanger-secret \
    --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$subject" \
    --data-urlencode subject_token_type=urn:ietf:params:oauth:token-type:jwt \
    --data-urlencode requested_token_type=urn:ietf:params:oauth:token-type:refresh_token
  expect_status 400
  [[ $BODY == *invalid_request* ]] || fail "expected invalid_request: $BODY"
  http POST /auth/token -u exchanger:exchanger-secret \
    --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$subject" \
    --data-urlencode subject_token_type=urn:ietf:params:oauth:token-type:jwt
  expect_status 200
  expect_header '^Cache-Control: no-store'
  # Discovery lists the grant.
  http GET /.well-known/oauth-authorization-server
  [[ $(jq -c '.grant_types_supported | index("urn:ietf:params:oauth:grant-type:token-exchange") != null and index("password") != null' "$TEST_DIR/body") == true ]] ||
    fail "discovery does not list the new grants: $BODY"
}

test_hostile_introspector_config_stops_the_start() {
  local config
  for config in \
    '{"resourceType":"TokenIntrospector","id":"a","type":"jwt","jwt":{"iss":"https://x"},"jwt_secret":1}' \
    '{"resourceType":"TokenIntrospector","id":"b","type":"jwt","jwks_uri":"https://x/jwks","jwt":{"iss":"https://x","secret":"s"}}' \
    '{"resourceType":"TokenIntrospector","id":"c","type":"opaque","jwks_uri":"https://x/jwks","jwt":{"iss":"https://x"}}' \
    '{"resourceType":"TokenIntrospector","id":"d","type":"jwt","jwks_uri":"ftp://x/jwks","jwt":{"iss":"https://x"}}' \
    '{"resourceType":"TokenIntrospector","id":"e","type":"jwt","jwks_uri":"https://x/jwks","jwt":{}}'; do
    printf '[%s]' "$config" >bad.json
    run_cli serve --ephemeral --port 0 --config bad.json
    expect_exit 2
    expect_stderr 'TokenIntrospector'
  done
}
