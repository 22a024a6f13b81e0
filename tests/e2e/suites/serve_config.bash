# SPDX-License-Identifier: MIT
# `serve --config`: JSON and YAML seeds, checked at load. A bad file never starts the
# server: exit 2, one line naming the file, the line, the resource and the field.

# refused FILE REGEX: `serve --config FILE` exits 2 with one stderr line matching REGEX.
refused() {
  run_cli serve --ephemeral --port 0 --config "$1"
  expect_exit 2
  expect_one_line_stderr
  expect_stderr "$2"
}

test_yaml_seed_serves_its_client_and_user() {
  cat >serve.yaml <<'YAML'
# Aidbox keeps these in YAML; one resource per document.
resourceType: Client
id: billing-service
secret: b1ll1ng-secret
meta: {lastUpdated: '2024-01-01T00:00:00Z'}
grant_types: [client_credentials, password]
scope: [system/Patient.read, user/*.rs]
auth:
  client_credentials:
    access_token_expiration: 600
---
resourceType: User
id: alice
password: "alice pass"
fhirUser: Patient/pt-2
YAML
  start_server --no-defaults --ephemeral --config serve.yaml
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id billing-service \
    --client-secret-file <(printf b1ll1ng-secret) -o json
  expect_exit 0
  expect_json '.expires_in <= 600 and .expires_in > 590'
  OAUTHCTL_PASSWORD="alice pass" run_cli token --grant password --server "$SERVER_URL" \
    --client-id billing-service --client-secret-file <(printf b1ll1ng-secret) --username alice \
    --scope 'user/*.rs' -o json
  expect_exit 0
  expect_json '.access_token | length > 20'
}

# Issue 13: serve says at start which store it uses and what it took from the file, and a
# YAML config's `store:` is used as a JSON one's is.
test_yaml_store_member_is_used_and_start_up_names_store_and_seed() {
  cat >serve.yaml <<YAML
store: sqlite:$TEST_DIR/from-yaml.db
clients:
  - id: billing-service
    secret: b1ll1ng-secret
    grant_types: [client_credentials]
  - id: lab-app
    grant_types: [authorization_code]
    auth: {authorization_code: {redirect_uri: 'http://127.0.0.1/callback'}}
users:
  - id: alice
    password: alice-pass
YAML
  start_server --no-defaults --config serve.yaml
  local log=$TEST_DIR/server0.log
  [[ -s $TEST_DIR/from-yaml.db ]] || fail "the YAML store member was not used: no $TEST_DIR/from-yaml.db"
  grep -qxF "store: SQLite file $TEST_DIR/from-yaml.db" "$log" || fail "no store line: $(cat "$log")"
  grep -qxF "seeded from serve.yaml: 2 clients (billing-service, lab-app), 1 user (alice)" "$log" ||
    fail "no seed line: $(cat "$log")"
  grep -q "b1ll1ng-secret\|alice-pass" "$log" && fail "a seeded secret is in the log"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id billing-service \
    --client-secret-file <(printf b1ll1ng-secret) -o json
  expect_exit 0
  stop_server "$SERVER_PID" || fail "serve did not exit 0 on SIGTERM"
}

test_unknown_member_names_file_line_resource_and_field() {
  cat >serve.json <<'JSON'
{"clients": [
  {"id": "billing-service",
   "secret": "s",
   "grant_type": ["client_credentials"]}
]}
JSON
  refused serve.json '^oauthctl: serve\.json:4: Client billing-service: `grant_type`: unknown member; did you mean `grant_types`\?$'
  cat >serve.yaml <<'YAML'
users:
  - id: alice
    passwd: x
YAML
  refused serve.yaml '^oauthctl: serve\.yaml:3: User alice: `passwd`: unknown member'
}

test_unknown_grant_type_and_client_without_secret() {
  cat >serve.yaml <<'YAML'
clients:
  - id: billing-service
    secret: s
    grant_types:
      - client_credential
YAML
  refused serve.yaml 'serve\.yaml:5: Client billing-service: `grant_types\[0\]`: unknown grant type "client_credential"; did you mean `client_credentials`\?'
  cat >serve.yaml <<'YAML'
clients:
  - id: svc
    grant_types: [client_credentials]
YAML
  refused serve.yaml 'serve\.yaml:2: Client svc: the client_credentials grant needs a confidential client'
}

test_trailing_comma_duplicate_id_bad_redirect_uri() {
  printf '{"clients": [\n  {"id": "a", "secret": "s"},\n]}\n' >comma.json
  refused comma.json 'comma\.json: not valid JSON: parse error at line 3'
  printf -- '- resourceType: User\n  id: u\n- resourceType: User\n  id: u\n' >dup.yaml
  refused dup.yaml 'dup\.yaml:4: User u: `id`: duplicate id \(first on line 2\)'
  cat >redirect.json <<'JSON'
[{"resourceType": "Client", "id": "web", "grant_types": ["authorization_code"],
  "auth": {"authorization_code": {"redirect_uri": "https://app.example/cb#done"}}}]
JSON
  refused redirect.json 'redirect\.json:2: Client web: `auth\.authorization_code\.redirect_uri`: a redirect URI must not have a fragment'
  # A JSON file named .yaml (or anything else) is read by what it holds.
  printf '{"clients": [{"id": "a", "scopes": []}]}' >conf
  refused conf 'conf:1: Client a: `scopes`: unknown member; did you mean `scope`\?'
}
