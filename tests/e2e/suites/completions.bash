# SPDX-License-Identifier: MIT
# completions/: each script loaded into its own shell, asked for a completion, checked.
# The scripts call `oauthctl` (zsh, fish) or COMP_WORDS[0] (bash): a PATH entry points
# `oauthctl` at $OAUTHCTL. zsh and fish are skipped per test (not per suite) when missing;
# CI installs them (Debian packages zsh, fish; bash-completion is not needed).

COMPLETIONS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/completions

setup_shell_env() {
  export XDG_CONFIG_HOME=$TEST_DIR/config XDG_CACHE_HOME=$TEST_DIR/cache HOME=$TEST_DIR
  unset OAUTHCTL_CONFIG OAUTHCTL_PROFILE
  mkdir -p "$TEST_DIR/bin" "$XDG_CONFIG_HOME/oauthctl"
  ln -sf "$OAUTHCTL" "$TEST_DIR/bin/oauthctl"
  export PATH=$TEST_DIR/bin:$PATH
  printf '[profile.staging]\nserver = "http://127.0.0.1:1"\n\n[profile.prod]\nserver = "http://127.0.0.1:2"\n' \
    >"$XDG_CONFIG_HOME/oauthctl/config.toml"
}

# hide_oauthctl: the binary only at $TEST_DIR/hidden/oauthctl, off PATH; sets HIDDEN.
hide_oauthctl() {
  mkdir -p "$TEST_DIR/hidden"
  ln -sf "$OAUTHCTL" "$TEST_DIR/hidden/oauthctl"
  rm -f "$TEST_DIR/bin/oauthctl"
  HIDDEN=$TEST_DIR/hidden/oauthctl
  ! command -v oauthctl >/dev/null || fail "oauthctl is still on PATH: $(command -v oauthctl)"
}

# bash_complete LINE [ALIAS_DEFINITION]: COMPREPLY for the last word of LINE (a trailing
# space starts a new word); the first word of LINE is the command as typed.
bash_complete() {
  (
    # shellcheck disable=SC1091
    source "$COMPLETIONS/oauthctl.bash"
    # shellcheck disable=SC2139
    [[ -n ${2:-} ]] && alias "$2"
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *' ' ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$1
    COMP_POINT=${#1}
    _oauthctl
    printf '%s\n' "${COMPREPLY[@]}"
  )
}

expect_candidates() {
  local got=$1 want
  shift
  for want in "$@"; do
    grep -qx -- "$want" <<<"$got" || fail "missing candidate '$want' in: $(tr '\n' ' ' <<<"$got")"
  done
}

test_bash() {
  setup_shell_env
  expect_candidates "$(bash_complete 'oauthctl to')" token
  expect_candidates "$(bash_complete 'oauthctl ')" token fhir flow serve discover config cache logout help
  expect_candidates "$(bash_complete 'oauthctl token --grant ')" client_credentials authorization_code device_code
  expect_candidates "$(bash_complete 'oauthctl token --auth-method client_secret_')" client_secret_basic client_secret_post
  expect_candidates "$(bash_complete 'oauthctl token -o ')" token json header env
  expect_candidates "$(bash_complete 'oauthctl token --profile ')" staging prod
  expect_candidates "$(bash_complete 'oauthctl token --no')" --no-cache
  expect_candidates "$(bash_complete 'oauthctl token --server http://x --cli')" --client-id --client-secret --client-secret-file
  expect_candidates "$(bash_complete 'oauthctl flow ')" client_credentials implicit
  expect_candidates "$(bash_complete 'oauthctl config ')" list get set path profiles
  expect_candidates "$(bash_complete 'oauthctl config set client_secret_')" client_secret_env client_secret_file client_secret_command
  expect_candidates "$(bash_complete 'oauthctl help ')" grants exit-codes config
  expect_candidates "$(bash_complete 'oauthctl ')" introspect revoke decode
  expect_candidates "$(bash_complete 'oauthctl revoke --token-type-hint ')" access_token refresh_token
  expect_candidates "$(bash_complete 'oauthctl introspect --token-')" --token-type-hint
  expect_candidates "$(bash_complete 'oauthctl decode -o ')" text json
  expect_candidates "$(bash_complete 'oauthctl fhir -o ')" json table
  expect_candidates "$(bash_complete 'oauthctl fhir Patient --p')" --pretty
  expect_candidates "$(bash_complete 'oauthctl decode --jw')" --jwks
  touch "$TEST_DIR/secret.txt"
  expect_candidates "$(cd "$TEST_DIR" && bash_complete 'oauthctl token --client-secret-file sec')" secret.txt
  # The completion must be loadable by bash-completion's loader too (complete -F registered).
  bash -c "source '$COMPLETIONS/oauthctl.bash' && complete -p oauthctl" | grep -q -- '-F _oauthctl' ||
    fail "complete -F _oauthctl not registered"
  expect_candidates "$(bash_complete 'oauthctl config ')" unset delete-profile
  expect_candidates "$(bash_complete 'oauthctl fhir -X ')" POST PUT DELETE
  expect_candidates "$(bash_complete 'oauthctl serve ')" keys
  expect_candidates "$(bash_complete 'oauthctl serve keys ')" list rotate
  expect_candidates "$(bash_complete 'oauthctl serve --store sqlite:x keys ')" list rotate
}

test_bash_alias_and_binary_off_path() {
  setup_shell_env
  hide_oauthctl
  # An alias to a binary that is not on PATH: options and profiles come from that binary.
  expect_candidates "$(bash_complete 'oc token --no' "oc=$HIDDEN --verbose")" --no-cache --no-profile
  expect_candidates "$(bash_complete 'oc token --profile ' "oc=$HIDDEN")" staging prod
  # The binary by its path.
  expect_candidates "$(bash_complete "$HIDDEN token --no")" --no-cache
  expect_candidates "$(bash_complete "$HIDDEN config delete-profile ")" staging prod
}

test_fish_alias_and_binary_off_path() {
  command -v fish >/dev/null || { echo "SKIP: fish not installed"; return 0; }
  setup_shell_env
  hide_oauthctl
  local got
  got=$(fish --no-config -c "source '$COMPLETIONS/oauthctl.fish'; alias oc '$HIDDEN'; complete -C 'oc token --profile '" | cut -f1)
  expect_candidates "$got" staging prod
}

test_zsh_alias_and_binary_off_path() {
  command -v zsh >/dev/null || { echo "SKIP: zsh not installed"; return 0; }
  setup_shell_env
  hide_oauthctl
  local got
  got=$(ZSH_SETUP="alias oc=$HIDDEN" zsh_complete 'oc token --profile sta')
  [[ $got == 'oc token --profile staging'* ]] || fail "zsh alias profile completion: '$got'"
  got=$(ZSH_SETUP="alias oc=$HIDDEN" zsh_complete 'oc token --no-c')
  [[ $got == 'oc token --no-cache'* ]] || fail "zsh alias option completion: '$got'"
}

# fish_complete LINE: fish's candidates for LINE (complete -C), names only.
fish_complete() {
  fish --no-config -c "source '$COMPLETIONS/oauthctl.fish'; complete -C '$1'" | cut -f1
}

test_fish() {
  command -v fish >/dev/null || { echo "SKIP: fish not installed"; return 0; }
  setup_shell_env
  fish -n "$COMPLETIONS/oauthctl.fish" || fail "oauthctl.fish does not parse"
  expect_candidates "$(fish_complete 'oauthctl tok')" token
  expect_candidates "$(fish_complete 'oauthctl token --grant ')" client_credentials authorization_code
  expect_candidates "$(fish_complete 'oauthctl token --auth-method ')" client_secret_basic none
  expect_candidates "$(fish_complete 'oauthctl token --profile ')" staging prod
  expect_candidates "$(fish_complete 'oauthctl token --no-')" --no-cache
  expect_candidates "$(fish_complete 'oauthctl config ')" list get set path profiles
  expect_candidates "$(fish_complete 'oauthctl discover -o ')" table json
  expect_candidates "$(fish_complete 'oauthctl ')" introspect revoke decode
  expect_candidates "$(fish_complete 'oauthctl introspect --token-type-hint ')" access_token refresh_token
  expect_candidates "$(fish_complete 'oauthctl decode -o ')" text json
  expect_candidates "$(fish_complete 'oauthctl fhir -o ')" json table
  expect_candidates "$(fish_complete 'oauthctl decode --jw')" --jwks
  expect_candidates "$(fish_complete 'oauthctl serve ')" keys
  expect_candidates "$(fish_complete 'oauthctl serve keys ')" list rotate
}

# zsh_complete LINE: the command line after zsh completed LINE with TAB (run in a zpty;
# the completed line is echoed back by prefixing it with `print -r --` and running it).
zsh_complete() {
  local script=$TEST_DIR/zsh-complete.zsh
  cat >"$script" <<ZSH
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z 'PS1="" PROMPT="" RPROMPT=""; unsetopt zle_bracketed_paste 2>/dev/null'
zpty -w z 'fpath=($COMPLETIONS \$fpath); autoload -U compinit; compinit -u -d $TEST_DIR/zcompdump'
zpty -w z 'zstyle ":completion:*" menu no; setopt no_list_beep no_auto_menu'
zpty -w z '${ZSH_SETUP:-:}'
# A loaded machine can take seconds for compinit: wait for the shell, not a fixed time.
zpty -w z 'print -r -- SETUP""DONE'
local out= line i
for ((i = 0; i < 600; i++)); do
  zpty -r -t z line && out+=\$line
  [[ \$out == *SETUPDONE* ]] && break
  sleep 0.05
done
zpty -w -n z '$1'$'\t'
sleep 0.5
zpty -w -n z $'\x01print -r -- "<<<" \x05 ">>>"\n'
out=
for ((i = 0; i < 600; i++)); do
  zpty -r -t z line && out+=\$line
  [[ \$out == *'<<< '*' >>>'* ]] && break
  sleep 0.05
done
print -r -- \$out
zpty -d z
ZSH
  zsh -f "$script" 2>&1 | tr -d '\r' | grep -a -o '^<<< .* >>>$' | tail -n 1 | sed 's/^<<< \(.*\) >>>$/\1/'
}

test_zsh() {
  command -v zsh >/dev/null || { echo "SKIP: zsh not installed"; return 0; }
  setup_shell_env
  zsh -n "$COMPLETIONS/_oauthctl" || fail "_oauthctl does not parse"
  local got
  got=$(zsh_complete 'oauthctl tok')
  [[ $got == 'oauthctl token'* ]] || fail "zsh completed 'oauthctl tok' to '$got'"
  got=$(zsh_complete 'oauthctl token --grant client_cr')
  [[ $got == 'oauthctl token --grant client_credentials'* ]] || fail "zsh grant completion: '$got'"
  got=$(zsh_complete 'oauthctl token --profile sta')
  [[ $got == 'oauthctl token --profile staging'* ]] || fail "zsh profile completion: '$got'"
  got=$(zsh_complete 'oauthctl token --no-c')
  [[ $got == 'oauthctl token --no-cache'* ]] || fail "zsh option completion: '$got'"
  got=$(zsh_complete 'oauthctl revoke --token-type-hint ref')
  [[ $got == 'oauthctl revoke --token-type-hint refresh_token'* ]] || fail "zsh hint completion: '$got'"
  got=$(zsh_complete 'oauthctl intro')
  [[ $got == 'oauthctl introspect'* ]] || fail "zsh completed 'oauthctl intro' to '$got'"
  got=$(zsh_complete 'oauthctl serve keys ro')
  [[ $got == 'oauthctl serve keys rotate'* ]] || fail "zsh completed 'oauthctl serve keys ro' to '$got'"
}

# `oauthctl fhir <TAB>` offers the types the server's CapabilityStatement lists (serve has
# Patient and Observation, not the fallback list's Encounter), cached for a while.
test_fhir_types_from_the_capability_statement() {
  setup_shell_env
  start_server
  run_cli fhir --list-types --server "$SERVER_URL"
  expect_exit 0
  [[ $STDOUT == $'Observation\nPatient' ]] || fail "--list-types printed: $STDOUT"
  local got
  got=$(bash_complete "oauthctl fhir --server $SERVER_URL ")
  expect_candidates "$got" Patient Observation metadata
  grep -qx Encounter <<<"$got" && fail "bash offered the fallback list: $(tr '\n' ' ' <<<"$got")"
  # Without a server to ask, the common types.
  expect_candidates "$(bash_complete 'oauthctl fhir --server http://127.0.0.1:1 ')" Patient Encounter
  if command -v zsh >/dev/null; then
    got=$(zsh_complete "oauthctl fhir --server $SERVER_URL Obs")
    [[ $got == "oauthctl fhir --server $SERVER_URL Observation"* ]] || fail "zsh fhir type completion: '$got'"
  fi
  if command -v fish >/dev/null; then
    got=$(fish_complete "oauthctl fhir --server $SERVER_URL ")
    expect_candidates "$got" Patient Observation
    grep -qx Encounter <<<"$got" && fail "fish offered the fallback list"
  fi
  [[ -s $XDG_CACHE_HOME/oauthctl/fhir-types.json ]] || fail "no types cache"
  # Cached: the server gone, the list stays (for 5 minutes).
  stop_server "$SERVER_PID"
  got=$(bash_complete "oauthctl fhir --server $SERVER_URL ")
  expect_candidates "$got" Patient Observation
  grep -qx Encounter <<<"$got" && fail "the cached list was not used"
  # Through an alias to a binary off PATH.
  hide_oauthctl
  expect_candidates "$(bash_complete "oc fhir --server $SERVER_URL " "oc=$HIDDEN")" Observation
}
