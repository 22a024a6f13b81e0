# SPDX-License-Identifier: MIT
# Profiles in $XDG_CONFIG_HOME/oauthctl/config.toml: precedence flag > env > profile > default,
# secrets by reference, `oauthctl config`, and hostile config files.

suite_setup() {
  export XDG_CONFIG_HOME=$TEST_DIR/config XDG_CACHE_HOME=$TEST_DIR/cache
  unset OAUTHCTL_PROFILE OAUTHCTL_CONFIG OAUTHCTL_SERVER OAUTHCTL_CLIENT_ID OAUTHCTL_CLIENT_SECRET \
    OAUTHCTL_CLIENT_SECRET_FILE OAUTHCTL_SCOPE
  CONFIG=$XDG_CONFIG_HOME/oauthctl/config.toml
  mkdir -p "$(dirname "$CONFIG")"
}

write_config() {
  cat >"$CONFIG"
}

scope_of() { jwt_claims "$1" | jq -r .scope; }

test_default_profile_and_secret_env() {
  suite_setup
  start_server
  write_config <<EOF2
# the profile used when none is named
[profile.default]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_env = "DEMO_SECRET"
EOF2
  DEMO_SECRET=demo-secret run_cli token --no-cache
  expect_exit 0
  expect_stdout '^ey'
  # The referenced variable unset: a config error naming it.
  run_cli token --no-cache
  expect_exit 2
  expect_stderr 'client_secret_env names DEMO_SECRET'
}

test_secret_file_and_command() {
  suite_setup
  start_server
  printf 'demo-secret\n' >"$XDG_CONFIG_HOME/oauthctl/secret"
  write_config <<EOF2
[profile.file]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_file = "secret"

[profile.cmd]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_command = "printf '%s\\n' demo-secret"

[profile.failing]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_command = "false"
EOF2
  run_cli token --no-cache --profile file
  expect_exit 0
  OAUTHCTL_PROFILE=cmd run_cli token --no-cache
  expect_exit 0
  expect_stdout '^ey'
  run_cli token --no-cache --profile failing
  expect_exit 2
  expect_stderr 'client_secret_command false failed'
  expect_no_stdout
}

test_precedence_flag_env_profile() {
  suite_setup
  start_server
  write_config <<EOF2
[profile.default]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_env = "DEMO_SECRET"
scope = "system/Patient.read"
EOF2
  export DEMO_SECRET=demo-secret
  run_cli token --no-cache
  expect_exit 0
  [[ $(scope_of "$STDOUT") == system/Patient.read ]] || fail "profile scope not used: $(scope_of "$STDOUT")"
  OAUTHCTL_SCOPE=system/Observation.read run_cli token --no-cache
  expect_exit 0
  [[ $(scope_of "$STDOUT") == system/Observation.read ]] || fail "env did not beat the profile"
  OAUTHCTL_SCOPE=system/Observation.read run_cli token --no-cache --scope system/Patient.rs
  expect_exit 0
  [[ $(scope_of "$STDOUT") == system/Patient.rs ]] || fail "the flag did not beat env and profile"
  # A secret from the environment beats the profile's reference; a wrong one proves it is used.
  OAUTHCTL_CLIENT_SECRET=wrong run_cli token --no-cache
  expect_exit 4
  expect_stderr 'invalid_client'
}

test_named_profile_and_config_file_override() {
  suite_setup
  start_server
  write_config <<EOF2
[profile.staging]
server = "$SERVER_URL"
client_id = "demo-client"
client_secret_env = "DEMO_SECRET"
EOF2
  export DEMO_SECRET=demo-secret
  # No default profile: nothing applies.
  run_cli token --no-cache
  expect_exit 2
  expect_stderr 'missing --server'
  run_cli token --no-cache --profile nope
  expect_exit 2
  expect_stderr 'no profile nope .*profiles: staging'
  cp "$CONFIG" "$TEST_DIR/other.toml"
  rm "$CONFIG"
  OAUTHCTL_CONFIG=$TEST_DIR/other.toml run_cli token --no-cache --profile staging
  expect_exit 0
  run_cli token --no-cache --profile staging --config-file "$TEST_DIR/missing.toml"
  expect_exit 2
  expect_stderr 'missing.toml does not exist'
}

test_hostile_config_files() {
  suite_setup
  local -A cases=(
    ['[profile.a]\nclient_secret = "s3cret"\n']='config.toml:2: inline client_secret is not allowed'
    ['[profile.a]\nsever = "x"\n']='config.toml:2: unknown key sever'
    ['[profile.a]\nserver = "x\n']='config.toml:2: unterminated string'
    ['server = "x"\n']='config.toml:1: key server outside a \[profile.NAME\] table'
    ['[profile.a]\nserver = "x"\nserver = "y"\n']='config.toml:3: key server is set twice'
    ['[profile.a\n']="config.toml:1: table header without '\]'"
    ['[servers]\n']='config.toml:1: unknown table \[servers\]'
    ['[profile.a]\nserver = x\n']='config.toml:2: value of server must be a quoted string'
    ['\n\n[profile.a]\nserver == "x"\n']='config.toml:4: '
  )
  local text
  for text in "${!cases[@]}"; do
    # shellcheck disable=SC2059 # the keys are printf formats on purpose: \n in the table
    printf "$text" >"$CONFIG"
    run_cli token --profile a --client-id x
    expect_exit 2
    expect_stderr "${cases[$text]}"
    expect_one_line_stderr
  done
}

test_config_commands() {
  suite_setup
  run_cli config path
  expect_exit 0
  [[ $STDOUT == "$CONFIG" ]] || fail "config path: $STDOUT"
  write_config <<'EOF2'
# team settings: keep this comment
[profile.default]
server = "http://127.0.0.1:1"   # local
EOF2
  run_cli config set client_id demo-client
  expect_exit 0
  run_cli config set server http://127.0.0.1:2 --profile staging
  expect_exit 0
  grep -q '^# team settings: keep this comment$' "$CONFIG" || fail "comment lost: $(cat "$CONFIG")"
  [[ $(stat -c %a "$CONFIG") == 600 ]] || fail "config mode $(stat -c %a "$CONFIG")"
  run_cli config get client_id
  expect_exit 0
  [[ $STDOUT == demo-client ]] || fail "get: $STDOUT"
  run_cli config get server --profile staging
  [[ $STDOUT == http://127.0.0.1:2 ]] || fail "get staging: $STDOUT"
  run_cli config set server http://127.0.0.1:3
  run_cli config get server
  [[ $STDOUT == http://127.0.0.1:3 ]] || fail "set did not replace: $STDOUT"
  run_cli config profiles
  [[ $STDOUT == $'default\nstaging' ]] || fail "profiles: $STDOUT"
  run_cli config list --profile staging
  expect_stdout '^\[profile.staging\]'
  run_cli config set client_secret hunter2
  expect_exit 2
  expect_stderr 'client_secret_env'
  run_cli config set nope x
  expect_exit 2
  run_cli config get scope
  expect_exit 2
  # A new file gets a 0700 directory and a 0600 file.
  rm -rf "$XDG_CONFIG_HOME"
  run_cli config set server http://127.0.0.1:4 --profile x
  expect_exit 0
  [[ $(stat -c %a "$XDG_CONFIG_HOME/oauthctl") == 700 ]] || fail "dir mode"
  [[ $(stat -c %a "$CONFIG") == 600 ]] || fail "file mode"
}
