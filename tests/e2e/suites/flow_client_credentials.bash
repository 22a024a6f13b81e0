# SPDX-License-Identifier: MIT
# `oauthctl flow client_credentials`: the sequence-diagram view of the grant.

test_flow_shows_each_step_redacted() {
  start_server
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --auth-method client_secret_post
  expect_exit 0
  expect_stdout 'POST'
  expect_stdout "$SERVER_URL/auth/token"
  expect_stdout '200'
  expect_stdout 'demo-client'
  expect_stdout '/fhir/Patient'
  expect_stdout 'Bundle'
  expect_stdout '[Ss]ignature'
  [[ $STDOUT == *demo-secret* ]] && fail "flow shows the secret without --show-secrets"
  # Piped stdout: no colour escapes.
  [[ $STDOUT == *$'\e['* ]] && fail "colour escapes on a pipe"
  return 0
}

test_flow_show_secrets() {
  start_server
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --auth-method client_secret_post --show-secrets
  expect_exit 0
  expect_stdout 'demo-secret'
}

test_flow_failure_exit_code() {
  start_server
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf wrong)
  expect_exit 4
  expect_stderr 'invalid_client'
}

test_flow_brief_keeps_the_decisive_lines() {
  start_server
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --brief
  expect_exit 0
  expect_stdout "POST $SERVER_URL/auth/token"
  expect_stdout 'HTTP 200'
  expect_stdout 'Bundle'
  [[ $STDOUT != *Content-Type* ]] || fail "--brief printed headers"
  [[ $STDOUT != *'"token_endpoint"'* ]] || fail "--brief printed the metadata body"
  local brief full
  brief=$(wc -l <"$TEST_DIR/stdout")
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  full=$(wc -l <"$TEST_DIR/stdout")
  ((brief * 2 < full)) || fail "--brief is $brief lines, the full flow $full"
}

test_flow_folds_metadata_and_jwks_on_a_terminal() {
  start_server
  # Through a pseudo-terminal: stdout is a TTY, as for a user.
  NO_COLOR=1 python3 -c 'import pty, sys; pty.spawn(sys.argv[1:])' "$OAUTHCTL" flow client_credentials \
    --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    >"$TEST_DIR/tty.out" 2>&1 </dev/null
  grep -q 'line.* of metadata: collapsed; --full shows it' "$TEST_DIR/tty.out" ||
    fail "metadata not folded: $(head -c 1500 "$TEST_DIR/tty.out")"
  grep -q 'of JWK Set: collapsed' "$TEST_DIR/tty.out" || fail "JWKS not folded"
  ! grep -q '"token_endpoint"' "$TEST_DIR/tty.out" || fail "the metadata body is shown on a terminal"
}

test_flow_password_checks_inputs_first_and_claims_no_nonce() {
  start_recorder
  run_cli flow password --server "$RECORDER_URL" --client-id demo-client --client-secret x
  expect_exit 2
  expect_stderr 'missing --username'
  [[ ! -s $RECORDER_LOG ]] || fail "a request was made before the inputs were checked: $(cat "$RECORDER_LOG")"
  start_server
  OAUTHCTL_PASSWORD=demo run_cli flow password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --username demo --scope 'openid user/*.read'
  expect_exit 0
  expect_stdout 'ID token claims'
  [[ $(grep -A1 'ID token claims' "$TEST_DIR/stdout") != *nonce* ]] || fail "flow claims a nonce check for password"
}
