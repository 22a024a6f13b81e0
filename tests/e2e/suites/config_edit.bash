# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # backquotes in expected messages are literal
# `oauthctl config`: set validates with the flags' rules and names the profile key, unset
# and delete-profile edit in place, a bad optional key breaks only the grants that read it,
# and typos get "did you mean".

suite_setup() {
  unset OAUTHCTL_PROFILE OAUTHCTL_CONFIG OAUTHCTL_SERVER OAUTHCTL_CLIENT_ID OAUTHCTL_SCOPE
  CONFIG=$XDG_CONFIG_HOME/oauthctl/config.toml
}

test_set_validates_values() {
  suite_setup
  run_cli config set server localhost:8080
  expect_exit 2
  expect_one_line_stderr
  expect_stderr '^oauthctl: profile default: server localhost:8080: not an http\(s\) URL \(write http://localhost:8080\)$'
  [[ ! -e $CONFIG ]] || fail "an invalid value was written: $(cat "$CONFIG")"
  run_cli config set auth_method basic --profile ci
  expect_exit 2
  expect_stderr 'profile ci: auth_method basic: valid: client_secret_basic, client_secret_post'
  run_cli config set timeout soon
  expect_exit 2
  run_cli config set scop openid
  expect_exit 2
  expect_stderr 'unknown key scop; did you mean `scope`\?'
  run_cli config set server http://127.0.0.1:8080
  expect_exit 0
  run_cli config get server
  expect_stdout '^http://127.0.0.1:8080$'
}

test_unset_and_delete_profile() {
  suite_setup
  run_cli config unset scope
  expect_exit 2
  expect_stderr 'profile default does not set scope'
  "$OAUTHCTL" config set scope openid || fail "set scope"
  "$OAUTHCTL" config set server http://127.0.0.1:1 --profile other || fail "set other"
  run_cli config unset scope
  expect_exit 0
  run_cli config get scope
  expect_exit 2
  run_cli config delete-profile other
  expect_exit 0
  run_cli config profiles
  expect_stdout '^default$'
  run_cli config delete-profile other
  expect_exit 2
  expect_stderr 'no profile other'
}

test_profile_errors_name_the_key() {
  suite_setup
  mkdir -p "$(dirname "$CONFIG")"
  # Written by hand (config set would refuse it): the error names the key, not --server.
  printf '[profile.default]\nserver = "localhost:8080"\nclient_id = "c"\n' >"$CONFIG"
  run_cli token --client-secret s
  expect_exit 2
  expect_stderr 'profile default: server localhost:8080: not an http\(s\) URL'
}

test_bad_optional_key_breaks_only_its_grants() {
  suite_setup
  start_server
  mkdir -p "$(dirname "$CONFIG")"
  cat >"$CONFIG" <<EOF2
[profile.default]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_file = "secret"
redirect_timeout = "soon"
EOF2
  printf 'demo-secret\n' >"$XDG_CONFIG_HOME/oauthctl/secret"
  run_cli token --no-cache
  expect_exit 0
  expect_stdout '^ey'
  run_cli token --no-cache --grant authorization_code --browser none
  expect_exit 2
  expect_stderr 'profile default: redirect_timeout soon: expected seconds'
}

test_comma_separated_scopes() {
  suite_setup
  start_server
  run_cli token --no-cache --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --scope 'system/*.read,system/*.rs' -o json
  expect_exit 0
  expect_stderr 'scopes are space-separated \(RFC 6749 §3.3\): requesting "system/\*.read system/\*.rs"'
  expect_json '.scope | split(" ") | index("system/*.rs") != null'
}

test_typos_suggest_the_nearest_word() {
  run_cli tokn
  expect_exit 2
  expect_one_line_stderr
  expect_stderr '^oauthctl: unknown command tokn; did you mean `token`\?$'
  run_cli --verison
  expect_exit 2
  expect_stderr 'did you mean `--version`\?'
  run_cli token --scopes openid
  expect_exit 2
  expect_one_line_stderr
  expect_stderr '^oauthctl: unknown option --scopes for token; did you mean `--scope`\?$'
  run_cli config unsett scope
  expect_exit 2
  expect_stderr 'did you mean `unset`\?'
}
