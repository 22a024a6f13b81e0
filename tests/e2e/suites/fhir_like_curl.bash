# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # backquotes in expected messages are literal
# `oauthctl fhir` like curl: a full URL, -X and -d (checked against a recording server),
# query values encoded, -o curl, and a FHIR error's OperationOutcome on stdout with exit 8.

suite_setup() {
  unset OAUTHCTL_SERVER OAUTHCTL_FHIR_URL OAUTHCTL_CLIENT_ID OAUTHCTL_CLIENT_SECRET OAUTHCTL_ACCESS_TOKEN \
    OAUTHCTL_OUTPUT
}

creds() {
  printf '%s\n' --client-id demo-client --client-secret-file "$TEST_DIR/secret"
}

test_full_url() {
  suite_setup
  start_server
  printf demo-secret >"$TEST_DIR/secret"
  mapfile -t c < <(creds)
  run_cli fhir "$SERVER_URL/fhir/Patient" "${c[@]}"
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
  # With --server the URL must be under its FHIR base: the token never goes elsewhere.
  run_cli fhir "http://127.0.0.1:9/fhir/Patient" --server "$SERVER_URL" "${c[@]}"
  expect_exit 2
  expect_one_line_stderr
  expect_stderr "is not under the FHIR base $SERVER_URL/fhir"
  # Query values are encoded by oauthctl, not rejected.
  run_cli fhir 'Patient?name=José Smith' --server "$SERVER_URL" "${c[@]}" -v
  expect_exit 0
  expect_stderr 'GET .*/fhir/Patient\?name=Jos%C3%A9%20Smith'
}

test_operation_outcome_on_stdout_with_exit_8() {
  suite_setup
  start_server
  printf demo-secret >"$TEST_DIR/secret"
  mapfile -t c < <(creds)
  run_cli fhir Patient/no-such-patient --server "$SERVER_URL" "${c[@]}"
  expect_exit 8
  expect_json '.resourceType == "OperationOutcome"'
  expect_stderr "FHIR server answered HTTP 404 for GET $SERVER_URL/fhir/Patient/no-such-patient"
  # A token the server refuses stays an OAuth error (exit 4), nothing on stdout.
  run_cli fhir Patient --server "$SERVER_URL" --access-token not-a-token
  expect_exit 4
  expect_no_stdout
}

test_post_and_put_with_data() {
  suite_setup
  start_recorder 201 '{"resourceType":"Patient","id":"new"}' application/fhir+json
  printf '{"resourceType":"Patient","name":[{"family":"Smith"}]}' >"$TEST_DIR/patient.json"
  run_cli fhir Patient -d @"$TEST_DIR/patient.json" --fhir-url "$RECORDER_URL/fhir" --access-token tok
  expect_exit 0
  expect_json '.id == "new"'
  expect_json 'select(.path == "/fhir/Patient") | .method == "POST" and
    .headers["Content-Type"] == "application/fhir+json" and .headers.Authorization == "Bearer tok" and
    (.body | fromjson | .name[0].family == "Smith")' "$RECORDER_LOG"
  STDIN='{"resourceType":"Patient","id":"p1"}' run_cli fhir Patient/p1 -X PUT -d - \
    --fhir-url "$RECORDER_URL/fhir" --access-token tok
  expect_exit 0
  [[ $(tail -n 1 "$RECORDER_LOG" | jq -r '.method + " " + .path + " " + (.body | fromjson | .id)') == "PUT /fhir/Patient/p1 p1" ]] ||
    fail "PUT not recorded: $(tail -n 1 "$RECORDER_LOG")"
  run_cli fhir "$RECORDER_URL/fhir/Patient/p1" -X DELETE --access-token tok
  expect_exit 0
  [[ $(tail -n 1 "$RECORDER_LOG" | jq -r '.method + " " + .path') == "DELETE /fhir/Patient/p1" ]] ||
    fail "DELETE not recorded"
  run_cli fhir Patient -d 'not json' --fhir-url "$RECORDER_URL/fhir" --access-token tok
  expect_exit 2
  expect_stderr 'not JSON'
}

test_output_curl() {
  suite_setup
  start_server
  printf demo-secret >"$TEST_DIR/secret"
  mapfile -t c < <(creds)
  run_cli fhir Patient -X POST -d '{"resourceType":"Patient"}' --server "$SERVER_URL" "${c[@]}" -o curl
  expect_stdout "curl .*-X '?POST'? .*$SERVER_URL/fhir/Patient"
  expect_stdout 'Bearer \$OAUTHCTL_ACCESS_TOKEN'
  [[ $STDOUT != *demo-secret* ]] || fail "the secret is in the curl output"
}
