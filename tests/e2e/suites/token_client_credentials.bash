# SPDX-License-Identifier: MIT
# `oauthctl token --grant client_credentials` against a real `oauthctl serve --demo`.

test_prints_a_verifiable_jwt() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  [[ $STDOUT =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "stdout is not a bare JWT: $STDOUT"
  jwt_claims "$STDOUT" >claims.json
  expect_json ".iss == \"$SERVER_URL\" and .sub == \"demo-client\" and .client_id == \"demo-client\"" claims.json
  expect_json "(.aud | if type == \"array\" then . else [.] end) | index(\"$SERVER_URL/fhir\") != null" claims.json
  expect_json '(.exp - .iat) > 0 and (.jti | length) > 8' claims.json
  # client_credentials tokens carry only system/ scopes (Aidbox).
  expect_json '.scope | split(" ") | length > 0 and all(startswith("system/"))' claims.json
}

test_client_secret_post() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --auth-method client_secret_post
  expect_exit 0
  expect_stdout '^ey'
}

test_output_json() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o json
  expect_exit 0
  expect_json '.access_token and (.token_type | ascii_downcase) == "bearer" and (.expires_in | type) == "number" and (.scope | type) == "string"'
}

test_output_header_and_env() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o header
  expect_exit 0
  expect_stdout '^Authorization: Bearer ey[A-Za-z0-9_.-]+$'
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -o env
  expect_exit 0
  expect_stdout '^export OAUTHCTL_ACCESS_TOKEN='
  # What a script does with it: eval, then use the variable.
  local token
  token=$(eval "$STDOUT" && printf '%s' "$OAUTHCTL_ACCESS_TOKEN")
  [[ $token =~ ^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "eval of -o env gave '$token'"
}

test_secret_from_env_and_stdin() {
  start_server
  OAUTHCTL_CLIENT_SECRET=demo-secret run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client
  expect_exit 0
  STDIN=$'demo-secret\n' run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client --client-secret -
  expect_exit 0
  expect_stdout '^ey'
  # Settings from the environment, flags override them.
  OAUTHCTL_SERVER=$SERVER_URL OAUTHCTL_CLIENT_ID=demo-client OAUTHCTL_CLIENT_SECRET=wrong \
    run_cli token --grant client_credentials --client-secret-file <(printf demo-secret)
  expect_exit 0
}

test_scope_narrowing_and_invalid_scope() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --scope system/Patient.read -o json
  expect_exit 0
  expect_json '.scope == "system/Patient.read"'
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --scope 'patient/*.read'
  expect_exit 4
  expect_stderr 'invalid_scope'
  expect_no_stdout
}

test_audience() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --audience "$SERVER_URL/fhir"
  expect_exit 0
  jwt_claims "$STDOUT" >claims.json
  expect_json "(.aud | if type == \"array\" then . else [.] end) | index(\"$SERVER_URL/fhir\") != null" claims.json
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --audience https://elsewhere.example/fhir
  expect_exit 4
  expect_one_line_stderr
}

test_wrong_secret_is_one_line_exit_4() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf nope)
  expect_exit 4
  expect_no_stdout
  expect_one_line_stderr
  expect_stderr '^oauthctl: invalid_client'
  expect_stderr 'HTTP 401'
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id no-such-client --client-secret-file <(printf x)
  expect_exit 4
  expect_stderr 'invalid_client'
}

test_unreachable_server_exit_3() {
  run_cli token --grant client_credentials --server http://127.0.0.1:9 --client-id a --client-secret-file <(printf b)
  expect_exit 3
  expect_no_stdout
  expect_one_line_stderr
}

test_usage_errors_exit_2() {
  run_cli token --grant client_credentials --server http://127.0.0.1:9
  expect_exit 2
  expect_stderr 'client-id|client_id'
  run_cli token --no-such-flag
  expect_exit 2
  run_cli token --grant not_a_grant --server http://127.0.0.1:9 --client-id a
  expect_exit 2
  expect_stderr 'client_credentials'
  run_cli token --grant client_credentials --server http://127.0.0.1:9 --client-id a --client-secret-file /nonexistent/file
  expect_exit 2
}

test_token_url_override_without_discovery() {
  start_server
  run_cli token --grant client_credentials --token-url "$SERVER_URL/auth/token" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  [[ $STDERR == *"/.well-known/"* ]] && fail "--token-url should skip discovery"
  return 0
}

test_verbose_trace_redacts_secrets() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --auth-method client_secret_post -v
  expect_exit 0
  expect_stderr 'POST'
  expect_stderr '/auth/token'
  [[ $STDERR == *demo-secret* ]] && fail "-v trace shows the client secret"
  [[ $STDERR == *"$STDOUT"* ]] && fail "-v trace shows the whole access token"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  # Basic credentials are base64 of the secret: the header must be redacted too.
  [[ $STDERR == *"$(printf demo-client:demo-secret | base64)"* ]] && fail "-v trace shows the Basic credentials"
  return 0
}

test_quiet_prints_no_warnings() {
  start_server
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --insecure --quiet
  expect_exit 0
  expect_stdout '^ey'
  [[ -z $STDERR ]] || fail "--quiet printed on stderr: $STDERR"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf wrong) --no-cache -q
  [[ $RC != 0 ]] || fail "a wrong secret succeeded"
  expect_one_line_stderr
}

# A 429 whose Retry-After is an HTTP-date (RFC 9110 §10.2.3) a few seconds ahead: one more
# try once that time has come, not before.
test_retry_after_as_an_http_date_is_waited_for_once() {
  RECORDER_RETRY_AFTER_IN=3 start_recorder 429 '{"error":"temporarily_unavailable"}'
  run_cli token --no-cache --token-url "$RECORDER_URL/token" --client-id demo-client --client-secret-file <(printf x) -v
  expect_exit 4
  expect_stderr 'Retry-After [23] s: trying once more'
  [[ $(wc -l <"$RECORDER_LOG") == 2 ]] || fail "want 2 token requests: $(cat "$RECORDER_LOG")"
  jq -s 'if .[1].time - .[0].time >= 1.9 then empty else error("retried after \(.[1].time - .[0].time) s") end' \
    "$RECORDER_LOG" || fail "the retry did not wait for the date"
}

# A Retry-After beyond what a CLI run waits for (5 s) is not honoured: no retry, and the
# error says how long the server asked for, with the endpoint.
test_a_long_retry_after_is_named_in_the_error_not_waited_for() {
  RECORDER_RETRY_AFTER_IN=3600 start_recorder 503 '{"error":"temporarily_unavailable"}'
  run_cli token --no-cache --token-url "$RECORDER_URL/token" --client-id demo-client --client-secret-file <(printf x)
  expect_exit 4
  expect_one_line_stderr
  expect_stderr "temporarily_unavailable.*$RECORDER_URL/token \\(Retry-After: 3[56][0-9][0-9] s\\)"
  [[ $(wc -l <"$RECORDER_LOG") == 1 ]] || fail "retried a 1-hour Retry-After: $(cat "$RECORDER_LOG")"
}
