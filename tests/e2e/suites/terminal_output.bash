# SPDX-License-Identifier: MIT
# JSON results for people and for pipes: on a terminal (a real pseudo-terminal, tty_run.py)
# fhir, introspect, decode -o json, discover -o json and token -o json indent their JSON and
# colour keys and strings unless NO_COLOR is set; through a pipe they print compact JSON
# with no escape codes; --pretty and --compact force either. `fhir -o table` summarises a
# Bundle, one row per entry.

TTY_RUN=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tty_run.py
ESC=$'\e'

suite_requires() {
  command -v python3 >/dev/null || { echo "no python3"; return 1; }
  python3 -c 'import pty' 2>/dev/null || { echo "python3 has no pty module"; return 1; }
}

# on_tty ARGS...: oauthctl ARGS with stdout on a pseudo-terminal, NO_COLOR unset (or set to
# $TTY_NO_COLOR when given); sets RC and leaves what the terminal showed in $TEST_DIR/stdout
# (stderr goes to the terminal too).
on_tty() {
  LAST_CMD="(on a terminal) oauthctl $*"
  local colour=(-u NO_COLOR)
  [[ -n ${TTY_NO_COLOR:-} ]] && colour=("NO_COLOR=$TTY_NO_COLOR")
  env "${colour[@]}" python3 "$TTY_RUN" "$OAUTHCTL" "$@" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" </dev/null
  RC=$?
  STDOUT=$(cat "$TEST_DIR/stdout")
  STDERR=$(cat "$TEST_DIR/stderr")
}

# piped ARGS...: oauthctl ARGS with stdout into a pipe, as in `oauthctl ... | jq`.
piped() {
  LAST_CMD="oauthctl $* | cat"
  env -u NO_COLOR "$OAUTHCTL" "$@" 2>"$TEST_DIR/stderr" </dev/null | cat >"$TEST_DIR/stdout"
  RC=${PIPESTATUS[0]}
  STDOUT=$(cat "$TEST_DIR/stdout")
  STDERR=$(cat "$TEST_DIR/stderr")
}

# The terminal's text with the ANSI colour sequences removed.
plain() { sed "s/$ESC\[[0-9;]*m//g" "$TEST_DIR/stdout"; }

expect_indented() {
  (($(wc -l <"$TEST_DIR/stdout") > 3)) || fail "expected indented JSON over several lines"
  grep -qE '^  "' <(plain) || fail "expected two-space indented keys"
}

expect_compact_plain_json() {
  [[ $(wc -l <"$TEST_DIR/stdout") == 1 ]] || fail "expected one line of JSON, got $(wc -l <"$TEST_DIR/stdout")"
  [[ $STDOUT != *"$ESC"* ]] || fail "escape codes in piped output"
  jq -e . "$TEST_DIR/stdout" >/dev/null || fail "piped output is not JSON"
}

expect_coloured_key() {
  # jq's colours: keys bold blue, strings green.
  [[ $STDOUT == *"${ESC}[34;1m\"$1\"${ESC}[0m"* ]] || fail "key $1 is not coloured"
  [[ $STDOUT == *"${ESC}[32m\""* ]] || fail "no string is coloured"
}

expect_no_escape() {
  [[ $STDOUT != *"$ESC"* ]] || fail "escape codes although NO_COLOR is set"
}

fhir_options() { echo --server "$SERVER_URL" --client-id demo-client; }

test_fhir_is_indented_and_coloured_on_a_terminal() {
  start_server
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret on_tty fhir Patient $(fhir_options)
  expect_exit 0
  expect_indented
  expect_coloured_key resourceType
  plain | jq -e '.resourceType == "Bundle" and (.entry | length) >= 5' >/dev/null || fail "not the Bundle"
  # The server's key order is kept: a FHIR resource starts with resourceType.
  [[ $(plain | sed -n 2p) == '  "resourceType": "Bundle",' ]] || fail "the first member is $(plain | sed -n 2p)"
}

test_no_color_keeps_the_indentation_and_drops_the_colour() {
  start_server
  # shellcheck disable=SC2046
  TTY_NO_COLOR=1 OAUTHCTL_CLIENT_SECRET=demo-secret on_tty fhir Patient $(fhir_options)
  expect_exit 0
  expect_indented
  expect_no_escape
}

test_fhir_in_a_pipe_is_compact_without_escapes() {
  start_server
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret piped fhir Patient $(fhir_options)
  expect_exit 0
  expect_compact_plain_json
  expect_json '.resourceType == "Bundle"'
}

test_pretty_and_compact_force_the_layout() {
  start_server
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret piped fhir Patient $(fhir_options) --pretty
  expect_exit 0
  expect_indented
  expect_no_escape
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret on_tty fhir Patient $(fhir_options) --compact
  expect_exit 0
  [[ $(wc -l <"$TEST_DIR/stdout") == 1 ]] || fail "--compact on a terminal printed $(wc -l <"$TEST_DIR/stdout") lines"
  # shellcheck disable=SC2046
  piped fhir Patient $(fhir_options) --pretty --compact
  expect_exit 2
  expect_one_line_stderr
}

test_fhir_table_summarises_a_bundle() {
  start_server
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret piped fhir Patient $(fhir_options) -o table
  expect_exit 0
  expect_no_escape
  [[ $(head -n 1 "$TEST_DIR/stdout") =~ ^TYPE\ +ID\ +LABEL$ ]] || fail "header row: $(head -n 1 "$TEST_DIR/stdout")"
  (($(grep -c '^Patient ' "$TEST_DIR/stdout") >= 5)) || fail "expected a row per patient"
  grep -qE '^Patient +[^ ]+ +John Smith$' "$TEST_DIR/stdout" || fail "no row labelled John Smith"
  # Observations are labelled by their code.
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret piped fhir Observation $(fhir_options) -o table
  expect_exit 0
  grep -qE '^Observation +[^ ]+ +Body weight$' "$TEST_DIR/stdout" || fail "no Body weight observation row"
  # One resource is one row; on a terminal the header is bold.
  local id
  # shellcheck disable=SC2046
  id=$(awk '/John Smith/ {print $2}' <(OAUTHCTL_CLIENT_SECRET=demo-secret "$OAUTHCTL" fhir Patient $(fhir_options) -o table))
  # shellcheck disable=SC2046
  OAUTHCTL_CLIENT_SECRET=demo-secret on_tty fhir "Patient/$id" $(fhir_options) -o table
  expect_exit 0
  [[ $STDOUT == "${ESC}[1m"* ]] || fail "the header row is not bold on a terminal"
  [[ $(plain | wc -l) == 2 ]] || fail "expected header and one row: $(plain)"
  # shellcheck disable=SC2046
  piped fhir Patient $(fhir_options) -o yaml
  expect_exit 2
}

test_token_introspect_decode_discover_follow_the_terminal() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  local common=(--server "$SERVER_URL" --client-id demo-client)
  OAUTHCTL_CLIENT_SECRET=demo-secret on_tty token "${common[@]}" --no-cache -o json
  expect_exit 0
  expect_indented
  expect_coloured_key access_token
  OAUTHCTL_CLIENT_SECRET=demo-secret piped token "${common[@]}" --no-cache -o json
  expect_exit 0
  expect_compact_plain_json

  OAUTHCTL_CLIENT_SECRET=demo-secret on_tty introspect "${common[@]}" -- "$token"
  expect_exit 0
  expect_indented
  expect_coloured_key active
  OAUTHCTL_CLIENT_SECRET=demo-secret piped introspect "${common[@]}" -- "$token"
  expect_exit 0
  expect_compact_plain_json
  expect_json '.active == true'

  on_tty decode -o json -- "$token"
  expect_exit 0
  expect_indented
  expect_coloured_key claims
  piped decode -o json -- "$token"
  expect_exit 0
  expect_compact_plain_json

  on_tty discover --server "$SERVER_URL" -o json
  expect_exit 0
  expect_indented
  expect_coloured_key issuer
  piped discover --server "$SERVER_URL" -o json
  expect_exit 0
  expect_compact_plain_json
  expect_json 'has("token_endpoint")'
}
