# SPDX-License-Identifier: MIT
# man/oauthctl.1 and --help in sync: every subcommand (and sub-subcommand) and every long
# option that `--help` shows must appear in the man page; `oauthctl help TOPIC` works.
# The man page is found relative to this file: tests/e2e/suites -> ../../../man/oauthctl.1.

MAN_PAGE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/man/oauthctl.1

# The man page as plain text for grep: roff's \- is a hyphen, font escapes dropped.
man_text() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(sc/§/g' "$MAN_PAGE"
}

# subcommands_of HELP_TEXT: the names under "Subcommands:".
subcommands_of() {
  sed -n '/^Subcommands:/,/^$/p' <<<"$1" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# long_options_of HELP_TEXT: the long options of the option lines ("  -v,--verbose ...").
long_options_of() {
  sed -n '/^Options:/,/^$/p' <<<"$1" | grep -oE '^ +(-[A-Za-z],)?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*'
}

# all_help: "PATH<TAB>OPTION" for every command path and option, walking subcommands.
walk() {
  local path=("$@") help sub opt
  help=$("$OAUTHCTL" "${path[@]}" --help) || fail "oauthctl ${path[*]} --help failed"
  for opt in $(long_options_of "$help"); do
    printf 'option\t%s\t%s\n' "${path[*]}" "$opt"
  done
  for sub in $(subcommands_of "$help"); do
    printf 'command\t%s\t%s\n' "${path[*]}" "$sub"
    walk "${path[@]}" "$sub"
  done
}

test_man_page_is_valid_roff() {
  [[ -f $MAN_PAGE ]] || fail "no man page at $MAN_PAGE"
  if command -v groff >/dev/null; then
    local warnings
    warnings=$(groff -man -ww -z "$MAN_PAGE" 2>&1)
    [[ -z $warnings ]] || fail "groff warnings: $warnings"
  fi
  grep -q '^\.SH EXIT STATUS' "$MAN_PAGE" || fail "no EXIT STATUS section"
  for section in ENVIRONMENT FILES EXAMPLES; do
    grep -q "^\.SH $section" "$MAN_PAGE" || fail "no $section section"
  done
  local code
  for code in 0 1 2 3 4 5 6 130; do
    sed -n '/^\.SH EXIT STATUS/,/^\.SH/p' "$MAN_PAGE" | grep -qx "\.B $code" || fail "exit status $code undocumented"
  done
}

# check_man_page INVENTORY: fails naming every command or option of INVENTORY (from walk)
# that $MAN_PAGE does not mention.
check_man_page() {
  local text kind path name missing=()
  text=$(man_text)
  while IFS=$'\t' read -r kind path name; do
    if [[ $kind == command ]]; then
      # A command is documented where it is described: as a bold word at a line start.
      grep -qE "^\.(B|TP|BR|SS) ?.*\b$name\b" <<<"$text" || missing+=("command '${path:+$path }$name'")
    else
      grep -qE -- "(^|[^a-z-])$name([^a-z0-9-]|$)" <<<"$text" || missing+=("option $name of '${path:-oauthctl}'")
    fi
  done <"$1"
  ((${#missing[@]} == 0)) || fail "missing from $MAN_PAGE: ${missing[*]}"
}

test_every_command_and_option_is_in_the_man_page() {
  walk >inventory.tsv
  [[ $(grep -c '^command' inventory.tsv) -ge 5 ]] || fail "found too few subcommands: $(cat inventory.tsv)"
  [[ $(grep -c '^option' inventory.tsv) -ge 20 ]] || fail "found too few options: $(cat inventory.tsv)"
  grep -qP '^option\ttoken\t--no-cache$' inventory.tsv || fail "the walk missed token --no-cache"
  grep -qP '^command\tconfig\tset$' inventory.tsv || fail "the walk missed config set"
  check_man_page inventory.tsv
}

test_the_check_fails_for_a_missing_option() {
  # The check itself must bite: drop one option from a copy and expect it to be noticed.
  walk >inventory.tsv
  grep -v -- '\\-\\-no\\-cache' "$MAN_PAGE" >copy.1
  if (MAN_PAGE=$TEST_DIR/copy.1 check_man_page inventory.tsv) 2>check.err; then
    fail "check_man_page passed a man page without --no-cache"
  fi
  grep -q -- 'option --no-cache' check.err || fail "the failure does not name --no-cache: $(cat check.err)"
}

test_help_topics() {
  run_cli help
  expect_exit 0
  expect_stdout 'grants'
  run_cli help grants
  expect_exit 0
  expect_stdout 'client_credentials'
  expect_stdout 'authorization_code'
  run_cli help exit-codes
  expect_exit 0
  local code
  for code in 0 1 2 3 4 5 6 130; do
    grep -qE "^ +$code +" "$TEST_DIR/stdout" || fail "help exit-codes lacks $code"
  done
  run_cli help config
  expect_exit 0
  expect_stdout 'client_secret_command'
  expect_stdout 'flag > environment > profile > default'
  run_cli help environment
  expect_exit 0
  expect_stdout 'OAUTHCTL_PROFILE'
  run_cli help no-such-topic
  expect_exit 2
  expect_one_line_stderr
}

test_version_lists_libraries() {
  run_cli --version
  expect_exit 0
  [[ $(head -n 1 "$TEST_DIR/stdout") == "oauthctl 0.1.0" ]] || fail "first line: $(head -n 1 "$TEST_DIR/stdout")"
  local lib
  for lib in libcurl OpenSSL SQLite cpp-httplib nlohmann/json fmt CLI11; do
    grep -q "$lib" "$TEST_DIR/stdout" || fail "--version does not name $lib: $STDOUT"
  done
}

test_help_environment_lists_every_variable() {
  # Every [env: NAME] of every command's --help is in `help environment` and in the man
  # page's ENVIRONMENT section.
  local names=() name help_env man_env missing=()
  local cmd
  for cmd in token fhir flow serve discover config cache logout introspect revoke decode keygen; do
    mapfile -t -O "${#names[@]}" names < <("$OAUTHCTL" $cmd --help | grep -oE 'OAUTHCTL_[A-Z_]+')
  done
  ((${#names[@]} > 20)) || fail "found too few variables: ${names[*]}"
  help_env=$("$OAUTHCTL" help environment)
  man_env=$(man_text | sed -n '/^\.SH ENVIRONMENT/,/^\.SH FILES/p')
  for name in $(printf '%s\n' "${names[@]}" | sort -u); do
    grep -qw -- "$name" <<<"$help_env" || missing+=("help environment: $name")
    grep -qw -- "$name" <<<"$man_env" || missing+=("man ENVIRONMENT: $name")
  done
  ((${#missing[@]} == 0)) || fail "not listed: ${missing[*]}"
  grep -q 'OAUTHCTL_ACCESS_TOKEN' <<<"$help_env" || fail "help environment omits OAUTHCTL_ACCESS_TOKEN"
}
