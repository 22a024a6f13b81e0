# SPDX-License-Identifier: MIT
# Credentials are bound to their server: the default profile's secret never reaches a
# server the profile does not name (a recording server on loopback checks what it got),
# --no-profile and --auth-method none need no profile secret, -v says where each
# credential came from, and explicit credentials win over an ambient OAUTHCTL_ACCESS_TOKEN.

suite_setup() {
  unset OAUTHCTL_PROFILE OAUTHCTL_CONFIG OAUTHCTL_SERVER OAUTHCTL_CLIENT_ID OAUTHCTL_CLIENT_SECRET \
    OAUTHCTL_CLIENT_SECRET_FILE OAUTHCTL_SCOPE OAUTHCTL_ACCESS_TOKEN OAUTHCTL_NO_PROFILE
  CONFIG=$XDG_CONFIG_HOME/oauthctl/config.toml
  mkdir -p "$(dirname "$CONFIG")"
  start_server
  # The server URL written differently (trailing slash, explicit host case) still binds.
  cat >"$CONFIG" <<EOF2
[profile.default]
server = "$SERVER_URL/"
client_id = "demo-client"
client_secret_env = "DEMO_SECRET"
EOF2
  export DEMO_SECRET=demo-secret
}

# expect_recorder_never_saw TEXT: no request the recorder got holds TEXT anywhere (headers,
# body, decoded Basic credentials).
expect_recorder_never_saw() {
  [[ -s $RECORDER_LOG ]] || fail "the recorder got no request at all"
  if grep -qF -- "$1" "$RECORDER_LOG"; then
    fail "the recorder received '$1': $(cat "$RECORDER_LOG")"
  fi
}

test_default_profile_secret_stays_with_its_server() {
  suite_setup
  start_recorder
  # No secret of its own: refused before any request (the profile's is not borrowed).
  run_cli token --no-cache --server "$RECORDER_URL" --token-url "$RECORDER_URL/token" \
    --client-id billing-service -v
  expect_exit 2
  expect_stderr 'needs a client secret'
  expect_stderr "profile default not used: its server $SERVER_URL/ is not $RECORDER_URL"
  [[ ! -s $RECORDER_LOG ]] || fail "a request was sent: $(cat "$RECORDER_LOG")"
  # With a secret of its own, that one goes to the other server, and only that one.
  run_cli token --no-cache --server "$RECORDER_URL" --token-url "$RECORDER_URL/token" \
    --client-id billing-service --client-secret-file <(printf own-secret)
  expect_exit 4
  expect_recorder_never_saw demo-secret
  jq -e 'select(.path == "/token") | .basic == "billing-service:own-secret"' "$RECORDER_LOG" >/dev/null ||
    fail "unexpected request: $(cat "$RECORDER_LOG")"
  # A token URL alone on another server does not bind the profile either.
  run_cli token --no-cache --token-url "$RECORDER_URL/token" --client-id demo-client --client-secret x
  expect_exit 4
  expect_recorder_never_saw demo-secret
  # The profile's own server: the profile applies, and -v names each origin.
  run_cli token --no-cache --server "$SERVER_URL" -v
  expect_exit 0
  expect_stderr "server $SERVER_URL from --server"
  expect_stderr 'client_id demo-client from profile default'
  expect_stderr 'client secret from profile default'
}

test_profile_secret_only_for_its_client_id() {
  suite_setup
  start_recorder
  # Same server (named by the profile): another client id never gets the profile's secret.
  cat >"$CONFIG" <<EOF2
[profile.default]
server = "$RECORDER_URL"
client_id = "demo-client"
client_secret_env = "DEMO_SECRET"
EOF2
  run_cli token --no-cache --token-url "$RECORDER_URL/token" --client-id other -v \
    --client-secret-file <(printf other-secret)
  expect_exit 4
  expect_recorder_never_saw demo-secret
  jq -e 'select(.path == "/token") | .basic == "other:other-secret"' "$RECORDER_LOG" >/dev/null ||
    fail "the client's own secret was not sent: $(cat "$RECORDER_LOG")"
  run_cli token --no-cache --token-url "$RECORDER_URL/token" --client-id other -v
  expect_exit 2
  expect_stderr 'client secret of profile default not used: it is for client demo-client'
}

test_named_profile_applies() {
  suite_setup
  run_cli token --no-cache --profile default --server "$SERVER_URL/" -v
  expect_exit 0
  expect_stdout '^ey'
  OAUTHCTL_SERVER=$SERVER_URL run_cli token --no-cache -v
  expect_exit 0
  expect_stderr "server $SERVER_URL from OAUTHCTL_SERVER"
}

test_no_profile_and_auth_method_none() {
  suite_setup
  unset DEMO_SECRET
  # The profile's secret variable is unset: only commands that use the profile fail.
  run_cli token --no-cache
  expect_exit 2
  expect_stderr 'client_secret_env names DEMO_SECRET'
  run_cli token --no-cache --no-profile --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  expect_stderr 'no profile \(--no-profile\)'
  run_cli token --no-cache --profile '' --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  run_cli token --no-cache --no-profile --profile default
  expect_exit 2
  expect_stderr 'give --profile or --no-profile, not both'
  # --auth-method none reads no secret (the profile's unset variable is no obstacle): the
  # demo server refuses the confidential client, which proves the request was made.
  run_cli introspect --server "$SERVER_URL" --auth-method none -- some-token
  expect_exit 4
  [[ $STDERR != *client_secret_env* ]] || fail "--auth-method none still wants the profile's secret"
}

test_explicit_credentials_win_over_ambient_token() {
  suite_setup
  export OAUTHCTL_ACCESS_TOKEN=stale-token-from-another-server
  # Without credentials on the command line the ambient token is used, and -v says so.
  run_cli fhir Patient -v --no-profile --server "$SERVER_URL"
  expect_stderr 'access token from OAUTHCTL_ACCESS_TOKEN'
  [[ $RC != 0 ]] || fail "a stale ambient token was accepted"
  # Explicit credentials win: a fresh token is obtained and the read succeeds.
  run_cli fhir Patient -v --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 0
  expect_stderr 'OAUTHCTL_ACCESS_TOKEN ignored: --client-id given'
  expect_json '.resourceType == "Bundle"'
}
