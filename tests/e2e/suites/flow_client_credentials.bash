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
