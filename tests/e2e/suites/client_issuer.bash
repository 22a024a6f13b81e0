# SPDX-License-Identifier: MIT
# The client's mix-up defence (RFC 8414 §3.3, OpenID Connect Discovery §4.3, RFC 9700
# §4.4): discovered metadata must name the server it was fetched from as its issuer,
# or the one --issuer states.

test_metadata_naming_another_issuer_is_refused() {
  start_server
  local real=$SERVER_URL
  # A server whose metadata claims to be someone else, pointing at a real token endpoint.
  start_recorder 200 "{\"issuer\": \"http://evil.example\", \"token_endpoint\": \"$real/auth/token\"}"
  run_cli token --grant client_credentials --server "$RECORDER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 4
  expect_one_line_stderr
  expect_no_stdout
  expect_stderr "^oauthctl: $RECORDER_URL/\.well-known/oauth-authorization-server says its issuer is http://evil\.example, not $RECORDER_URL: refused \(RFC 8414 §3\.3, mix-up defence\); if http://evil\.example is this server's real issuer \(behind a proxy or gateway\), give --issuer http://evil\.example$"
  # The secret never went to the token endpoint the document named.
  grep -q 'POST /auth/token' "$TEST_DIR/server0.log" && fail "the client sent its credentials after a mismatch"
  run_cli discover --server "$RECORDER_URL"
  expect_exit 4
  expect_stderr 'says its issuer is http://evil\.example'
  # Stated on purpose, the same issuer is accepted.
  run_cli token --grant client_credentials --server "$RECORDER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --issuer http://evil.example
  expect_exit 0
  expect_stdout '^eyJ'
}

test_server_reached_under_another_name_needs_issuer() {
  # serve's issuer is http://127.0.0.1:PORT; reached as localhost (as through a proxy or a
  # gateway), the names differ and only --issuer says that is expected.
  start_server
  local other=${SERVER_URL/127.0.0.1/localhost}
  run_cli token --grant client_credentials --server "$other" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 4
  expect_one_line_stderr
  expect_stderr "says its issuer is $SERVER_URL, not $other"
  OAUTHCTL_ISSUER=$SERVER_URL/ run_cli token --grant client_credentials --server "$other" \
    --client-id demo-client --client-secret-file <(printf demo-secret)
  expect_exit 0
  # From a profile too; a bad value there names the key.
  run_cli config set server "$other"
  expect_exit 0
  run_cli config set issuer "$SERVER_URL"
  expect_exit 0
  run_cli token --grant client_credentials --client-id demo-client --client-secret-file <(printf demo-secret)
  expect_exit 0
  run_cli config set issuer gateway.example
  expect_exit 2
  expect_stderr 'issuer gateway\.example: not an http\(s\) URL'
}
