# SPDX-License-Identifier: MIT
# SMART habit: --server (or --fhir-url alone) given the FHIR base discovers the
# authorization server from <base>/.well-known/smart-configuration, and HTTP errors name
# the URL that answered.

suite_setup() {
  unset OAUTHCTL_SERVER OAUTHCTL_FHIR_URL OAUTHCTL_TOKEN_URL OAUTHCTL_CLIENT_ID OAUTHCTL_CLIENT_SECRET
  start_server
}

test_token_from_fhir_base() {
  suite_setup
  run_cli token --no-cache --server "$SERVER_URL/fhir" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  expect_stdout '^ey'
  expect_stderr "GET $SERVER_URL/fhir/.well-known/smart-configuration"
  expect_stderr "POST $SERVER_URL/auth/token"
  [[ $STDERR != *"/fhir/auth/token"* ]] || fail "posted under the FHIR base"
}

test_fhir_url_alone() {
  suite_setup
  run_cli token --no-cache --fhir-url "$SERVER_URL/fhir" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  expect_stdout '^ey'
  run_cli fhir Patient --fhir-url "$SERVER_URL/fhir" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
  # --server given the FHIR base: the FHIR requests go there too, not to <base>/fhir.
  run_cli fhir Patient --server "$SERVER_URL/fhir/" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
}

test_discover_from_fhir_base() {
  suite_setup
  run_cli discover --server "$SERVER_URL/fhir" -o json
  expect_exit 0
  expect_json ".token_endpoint == \"$SERVER_URL/auth/token\""
  run_cli discover --server "$SERVER_URL/fhir"
  expect_exit 0
  expect_stdout "# $SERVER_URL/fhir/.well-known/smart-configuration"
}

test_http_errors_name_the_url() {
  suite_setup
  start_recorder 401 '<html>login</html>' text/html
  run_cli token --no-cache --server "$RECORDER_URL/fhir" --client-id c --client-secret s
  expect_exit 4
  expect_one_line_stderr
  expect_stderr "without an OAuth error .* from $RECORDER_URL/fhir/auth/token"
  run_cli fhir Patient --fhir-url "$RECORDER_URL/fhir" --client-id c --client-secret s
  expect_exit 4
  expect_stderr "$RECORDER_URL/fhir has no .well-known/smart-configuration"
  # An OAuth error names the endpoint too.
  run_cli token --no-cache --server "$SERVER_URL" --client-id demo-client --client-secret wrong
  expect_exit 4
  expect_stderr "invalid_client: .*at $SERVER_URL/auth/token"
}
