# SPDX-License-Identifier: MIT
# `-o curl`: each HTTP request printed as a replayable curl command, secrets as
# $OAUTHCTL_... references, and the commands re-run by hand against `oauthctl serve --demo`.

# replay FILE: runs the curl commands of FILE with the secret given through the environment.
replay() {
  OAUTHCTL_CLIENT_SECRET=demo-secret bash "$1"
}

test_token_curl_replays_client_credentials() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o curl
  expect_exit 0
  cp "$TEST_DIR/stdout" "$TEST_DIR/commands.sh"
  [[ -s $TEST_DIR/commands.sh ]] || fail "no curl commands on stdout"
  # Every stdout line is a curl command, and the secret is never in it.
  if grep -qv '^curl -sS ' "$TEST_DIR/commands.sh"; then
    fail "stdout has a line that is not a curl command: $(grep -v '^curl -sS ' "$TEST_DIR/commands.sh" | head -n 1)"
  fi
  if grep -q demo-secret "$TEST_DIR/commands.sh" "$TEST_DIR/stderr"; then
    fail "the client secret appears in the output"
  fi
  grep -q '\$OAUTHCTL_CLIENT_SECRET' "$TEST_DIR/commands.sh" || fail "no \$OAUTHCTL_CLIENT_SECRET reference"
  grep -q '/token' "$TEST_DIR/commands.sh" || fail "no token request: $(cat "$TEST_DIR/commands.sh")"
  grep -q "grant_type=client_credentials" "$TEST_DIR/commands.sh" || fail "no grant_type field"

  # The whole replay runs; the token request (the last) answers 200 with a token.
  replay "$TEST_DIR/commands.sh" >"$TEST_DIR/replay.out" 2>"$TEST_DIR/replay.err" ||
    fail "replaying the commands failed: $(cat "$TEST_DIR/replay.err")"
  tail -n 1 "$TEST_DIR/commands.sh" >"$TEST_DIR/last.sh"
  printf ' -o %q -w %q\n' "$TEST_DIR/token.json" '%{http_code}' >>"$TEST_DIR/last.sh"
  # Joined onto the last line: the options extend that curl command.
  tr -d '\n' <"$TEST_DIR/last.sh" >"$TEST_DIR/last1.sh"
  local status
  status=$(replay "$TEST_DIR/last1.sh") || fail "replaying the token request failed"
  [[ $status == 200 ]] || fail "token request answered $status: $(cat "$TEST_DIR/token.json")"
  expect_json '.access_token | type == "string" and length > 0' "$TEST_DIR/token.json"
}

test_token_curl_client_secret_post() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --auth-method client_secret_post -o curl
  expect_exit 0
  if grep -q demo-secret "$TEST_DIR/stdout"; then
    fail "the client secret appears in the output"
  fi
  grep -q "client_secret='\"\$OAUTHCTL_CLIENT_SECRET\"" "$TEST_DIR/stdout" || fail "no client_secret reference: $STDOUT"
  tail -n 1 "$TEST_DIR/stdout" | tr -d '\n' >"$TEST_DIR/last.sh"
  printf ' -w %q' '\n%{http_code}' >>"$TEST_DIR/last.sh"
  local out
  out=$(replay "$TEST_DIR/last.sh") || fail "replay failed"
  [[ ${out##*$'\n'} == 200 ]] || fail "token request answered: $out"
  [[ $out == *'"access_token"'* ]] || fail "no access_token in $out"
}

test_token_curl_is_not_cached() {
  start_server
  demo_token >/dev/null || fail "a first token failed"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o curl
  expect_exit 0
  expect_stdout '^curl '
}

test_flow_curl_keeps_stdout_for_commands() {
  start_server
  run_cli flow client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o curl
  expect_exit 0
  if grep -qv '^curl -sS ' "$TEST_DIR/stdout"; then
    fail "stdout has a line that is not a curl command"
  fi
  if grep -q demo-secret "$TEST_DIR/stdout" "$TEST_DIR/stderr"; then
    fail "the client secret appears in the output"
  fi
  grep -q '\$OAUTHCTL_ACCESS_TOKEN' "$TEST_DIR/stdout" || fail "the FHIR request has no token reference"
  expect_stderr 'Token request'
}

test_invalid_output() {
  run_cli flow client_credentials -o json --token-url http://127.0.0.1:1/token --client-id x
  expect_exit 2
}
