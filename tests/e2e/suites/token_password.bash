# SPDX-License-Identifier: MIT
# `oauthctl token --grant password` against a real `oauthctl serve`: the client's ways of
# getting the password, the server's checks, and the backoff (per username and address,
# and softer per username).

password_token() {
  run_cli token --grant password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) "$@"
}

test_password_from_env_gives_user_tokens() {
  start_server
  OAUTHCTL_PASSWORD=demo password_token --username demo --scope 'openid user/*.read' -o json
  expect_exit 0
  expect_json '.access_token and .id_token and .refresh_token and (.token_type | ascii_downcase) == "bearer"'
  expect_json '.scope == "openid user/*.read"'
  jwt_claims "$(jq -r .access_token "$TEST_DIR/stdout")" >claims.json
  expect_json ".sub == \"demo\" and .client_id == \"demo-client\" and .iss == \"$SERVER_URL\"" claims.json
  jwt_claims "$(jq -r .id_token "$TEST_DIR/stdout")" >id.json
  expect_json '.sub == "demo" and .aud == "demo-client"' id.json
  # The token works at the FHIR API.
  http GET /fhir/Patient -H "Authorization: Bearer $(jq -r .access_token "$TEST_DIR/stdout")"
  expect_status 200
}

test_password_without_scope_gets_the_clients_default_user_scopes() {
  start_server
  OAUTHCTL_PASSWORD=demo password_token --username demo -o json
  expect_exit 0
  expect_json '.scope == "user/*.read user/*.rs"'
  local token
  token=$(jq -r .access_token "$TEST_DIR/stdout")
  # FHIR accepts it, and user/ scopes show demo (fhirUser Patient/pt-1) their own record only.
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
  jq -e '.total == 1 and .entry[0].resource.id == "pt-1"' "$TEST_DIR/body" >/dev/null ||
    fail "user/ scopes should show demo their own record: $(cat "$TEST_DIR/body")"
  http GET /fhir/Patient/pt-2 -H "Authorization: Bearer $token"
  expect_status 404
}

test_password_from_stdin_after_the_secret() {
  start_server
  STDIN=$'demo\n' run_cli token --grant password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --username demo --password -
  expect_exit 0
  expect_stdout '^ey'
  # Both from stdin: the secret's line first, then the password's.
  STDIN=$'demo-secret\ndemo\n' run_cli token --grant password --server "$SERVER_URL" --client-id demo-client \
    --client-secret - --username demo --password -
  expect_exit 0
  expect_stdout '^ey'
  STDIN='' run_cli token --grant password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --username demo --password -
  expect_exit 2
  expect_stderr 'password -: no password on standard input'
}

test_password_flag_works_with_a_warning() {
  start_server
  password_token --username demo --password demo
  expect_exit 0
  expect_stdout '^ey'
  expect_stderr 'warning: --password on the command line is visible'
}

test_no_password_and_no_terminal_is_a_usage_error() {
  start_server
  password_token --username demo
  expect_exit 2
  expect_one_line_stderr
  expect_stderr 'OAUTHCTL_PASSWORD'
  expect_stderr 'password -'
  password_token --password demo
  expect_exit 2
  expect_stderr 'missing --username'
}

test_wrong_password_and_unknown_user_look_the_same() {
  start_server
  OAUTHCTL_PASSWORD='Wr0ng-Pa55word' password_token --username demo
  expect_exit 4
  expect_no_stdout
  expect_one_line_stderr
  expect_stderr 'invalid_grant'
  local wrong_password=$STDERR
  [[ $STDERR != *Wr0ng-Pa55word* ]] || fail "the password shows on stderr"
  OAUTHCTL_PASSWORD='Wr0ng-Pa55word' password_token --username nobody-here
  expect_exit 4
  [[ ${STDERR//nobody-here/demo} == "$wrong_password" ]] ||
    fail "unknown user and wrong password differ: '$STDERR' vs '$wrong_password'"
}

test_verbose_trace_redacts_the_password() {
  start_server
  # A wrong password: the trace of the refused request is where a leak would hurt most.
  OAUTHCTL_PASSWORD='Secret-Pa55word-xyz' password_token --username demo -v
  expect_exit 4
  expect_stderr 'grant_type=password'
  expect_stderr 'username=demo'
  [[ $STDERR != *Secret-Pa55word-xyz* ]] || fail "the -v trace shows the password"
}

test_client_without_the_grant_is_refused() {
  cat >seed.json <<'JSON'
{"clients": [{"id": "backend", "secret": "backend-secret", "grant_types": ["client_credentials"]}],
 "users": [{"id": "alice", "password": "alice-pw"}]}
JSON
  start_server --config seed.json
  OAUTHCTL_PASSWORD=alice-pw run_cli token --grant password --server "$SERVER_URL" --client-id backend \
    --client-secret-file <(printf backend-secret) --username alice
  expect_exit 4
  expect_stderr 'unauthorized_client'
  # A confidential client must authenticate.
  OAUTHCTL_PASSWORD=alice-pw run_cli token --grant password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf wrong) --username alice
  expect_exit 4
  expect_stderr 'invalid_client'
  # The demo's public client lists only authorization_code and refresh_token.
  OAUTHCTL_PASSWORD=demo run_cli token --grant password --server "$SERVER_URL" --client-id demo-public \
    --username demo
  expect_exit 4
  expect_stderr 'unauthorized_client'
}

test_system_scopes_are_not_for_users() {
  start_server
  OAUTHCTL_PASSWORD=demo password_token --username demo --scope 'system/*.read'
  expect_exit 4
  expect_stderr 'invalid_scope'
}

# The raw request, to see the status and the Retry-After header.
raw_password() {
  http POST /auth/token -u demo-client:demo-secret --data-urlencode grant_type=password \
    --data-urlencode "username=$1" --data-urlencode "password=$2"
}

test_backoff_slows_down_repeated_failures() {
  cat >seed.json <<'JSON'
{"users": [{"id": "alice", "password": "alice-pw"}, {"id": "bob", "password": "bob-pw"}]}
JSON
  # After 2 failures in a row, 4 s without checking the password, doubling per failure.
  start_server --config seed.json --login-backoff 2:4
  OAUTHCTL_PASSWORD=wrong password_token --username alice
  expect_exit 4
  OAUTHCTL_PASSWORD=wrong password_token --username alice
  expect_exit 4
  expect_stderr 'wrong username or password'
  # Now even the right password is refused, with a hint to retry later.
  OAUTHCTL_PASSWORD=alice-pw password_token --username alice
  expect_exit 4
  expect_stderr 'invalid_grant'
  expect_stderr 'too many failed attempts for this user; retry in [1-4] second'
  raw_password alice alice-pw
  expect_status 400
  expect_header '^Retry-After: [1-4]'
  # Other users are not slowed down by alice's failures.
  OAUTHCTL_PASSWORD=bob-pw password_token --username bob
  expect_exit 0
  # Once the wait is over, the password is checked again; one more failure doubles it.
  sleep 4.2
  raw_password alice wrong
  expect_status 400
  [[ $BODY == *'wrong username or password'* ]] || fail "expected a password check: $BODY"
  raw_password alice alice-pw
  expect_status 400
  expect_header '^Retry-After: ([5-8])'
  # A success resets the count: bob fails, succeeds, fails, and is still let in.
  OAUTHCTL_PASSWORD=wrong password_token --username bob
  expect_exit 4
  OAUTHCTL_PASSWORD=bob-pw password_token --username bob
  expect_exit 0
  OAUTHCTL_PASSWORD=wrong password_token --username bob
  expect_exit 4
  OAUTHCTL_PASSWORD=bob-pw password_token --username bob
  expect_exit 0
}

# raw_password_from ADDRESS USERNAME PASSWORD: the password grant sent from ADDRESS, a
# loopback address (127.0.0.0/8 all reaches the server), as another machine would.
raw_password_from() {
  http POST /auth/token --interface "$1" -u demo-client:demo-secret --data-urlencode grant_type=password \
    --data-urlencode "username=$2" --data-urlencode "password=$3"
}

test_an_attacker_elsewhere_cannot_keep_the_user_waiting() {
  # After 2 failures, 30 s without checking the password, for that username and address.
  start_server --login-backoff 2:30
  raw_password_from 127.0.0.2 demo guess-1
  expect_status 400
  raw_password_from 127.0.0.2 demo guess-2
  expect_status 400
  [[ $BODY == *'wrong username or password'* ]] || fail "expected a password check: $BODY"
  # The attacker's address now waits, even with the right password.
  raw_password_from 127.0.0.2 demo demo
  expect_status 400
  expect_header '^Retry-After: (2[0-9]|30)'
  # The user, from her own address, gets in at once.
  raw_password_from 127.0.0.1 demo demo
  expect_status 200
  expect_json '.access_token | length > 20' "$TEST_DIR/body"
  OAUTHCTL_PASSWORD=demo password_token --username demo
  expect_exit 0
}

test_guessing_from_many_addresses_meets_the_softer_per_username_limit() {
  # One free failure per address; per username from anywhere ten, then 30 s (at most 120 s).
  start_server --login-backoff 1:30
  local a
  for ((a = 2; a < 12; a++)); do
    raw_password_from "127.0.0.$a" demo "guess-$a"
    expect_status 400
    [[ $BODY == *'wrong username or password'* ]] || fail "guess from 127.0.0.$a not checked: $BODY"
  done
  # The eleventh address is held back although it never failed: its guess is not checked.
  raw_password_from 127.0.0.12 demo demo
  expect_status 400
  expect_header '^Retry-After: (2[0-9]|30)'
  # Another user is not.
  raw_password_from 127.0.0.12 nobody guess
  [[ $BODY == *'wrong username or password'* ]] || fail "another username was held back: $BODY"
}

test_bad_login_backoff_option() {
  run_cli serve --ephemeral --port 0 --login-backoff 0:1
  expect_exit 2
  expect_stderr 'invalid --login-backoff'
}

test_flow_password_shows_its_steps() {
  start_server
  OAUTHCTL_PASSWORD='demo' run_cli flow password --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --username demo --scope 'user/*.read'
  expect_exit 0
  local all="$STDOUT$STDERR"
  [[ $all == *'Resource owner password'* ]] || fail "no password step in: $all"
  [[ $all == *'grant_type=password'* ]] || fail "no token request in: $all"
  [[ $all == *'FHIR request'* ]] || fail "no FHIR step in: $all"
  [[ $all != *'password=demo'* ]] || fail "flow shows the password"
}

test_terminal_prompt_without_echo_and_ctrl_c() {
  command -v python3 >/dev/null || fail "python3 is needed to drive a pseudo-terminal"
  start_server
  local helper
  helper="$(dirname "${BASH_SOURCE[0]}")/../tty_password.py"
  local token
  token=$(python3 "$helper" answer demo -- "$OAUTHCTL" token --grant password --no-cache --server "$SERVER_URL" \
    --client-id demo-client --client-secret-file <(printf demo-secret) --username demo) ||
    fail "the terminal prompt did not work"
  [[ $token =~ ^ey[A-Za-z0-9_.-]+$ ]] || fail "no token after the prompt: $token"
  python3 "$helper" ctrl-c -- "$OAUTHCTL" token --grant password --no-cache --server "$SERVER_URL" \
    --client-id demo-client --client-secret-file <(printf demo-secret) --username demo ||
    fail "Ctrl-C at the prompt left the terminal without echo or did not interrupt"
}
