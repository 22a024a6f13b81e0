# SPDX-License-Identifier: MIT
# `serve --simulate FAULT`: each fault is caught by exactly the check(s) `--simulate list`
# maps it to, and by no other check (the loop that keeps `oauthctl check` honest); per-client
# faults; and what our own client does under the faults a client meets.

suite_requires() {
  command -v jq >/dev/null || { echo "no jq"; return 1; }
  command -v python3 >/dev/null || { echo "no python3"; return 1; }
}

# ci_clients EXTRA [FAULT|ID=FAULT...]: keygen into key.pem, and clients.json with Client ci
# (a secret, the key, every grant), for each FAULT a copy of ci named ID or f-NAME (NAME: the
# fault without its argument) that carries FAULT in its simulate field, and the EXTRA Client
# JSON objects (comma-separated).
ci_clients() {
  local extra=${1:-}
  shift || true
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --client-id ci >jwks.json 2>/dev/null || fail "keygen failed"
  printf '%s\n' "$@" | jq -R . | jq -s . >faults.json
  jq --argjson extra "[$extra]" --slurpfile faults faults.json '
    {id: "ci", secret: "ci-secret", first_party: true, jwks: .,
     grant_types: ["client_credentials", "authorization_code", "refresh_token", "token_exchange",
                   "device_code", "jwt_bearer"],
     scope: ["system/*.rs", "system/Patient.rs", "system/Observation.rs", "openid", "profile",
             "fhirUser", "offline_access", "patient/*.rs"],
     auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], refresh_token: true}}} as $ci
    | {clients: ([$ci]
                 + [$faults[0][] | select(. != "")
                    | (if test("=") then split("=") else ["f-" + split(":")[0], .] end) as [$id, $f]
                    | $ci + {id: $id, simulate: $f}]
                 + $extra)}' jwks.json >clients.json || fail "clients.json not written"
  printf ci-secret >secret.txt
}

# public_client ID FAULT: a Client JSON object like the demo's public client (PKCE, no
# secret, consent asked) that carries FAULT.
public_client() {
  jq -n --arg id "$1" --arg fault "$2" '{id: $id, grant_types: ["authorization_code", "refresh_token"],
    scope: ["patient/*.rs", "openid", "profile", "fhirUser", "offline_access"], simulate: $fault,
    auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], pkce: true,
                                secret_required: false, refresh_token: true}}}'
}

# check_as CLIENT ARGS...: the check suite as CLIENT (ci or one of its copies), JSON out.
check_as() {
  local client=$1
  shift
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id "$client" --client-secret-file secret.txt \
    --auth-method client_secret_basic --private-key key.pem --login demo --unauthorized-grant password -o json "$@"
}

check_ci() {
  check_as ci "$@"
}

failed_checks() {
  jq -r '.checks[] | select(.status == "FAIL") | .id' "$TEST_DIR/stdout" | sort | tr '\n' ' '
}

test_simulate_list_and_usage_errors() {
  run_cli serve --simulate list
  expect_exit 0
  expect_stdout 'no_state +.*\[check: authorization-code.state\]'
  expect_stdout 'auth_invalid_scope +.*\[check: authorization-code.happy-path\+\]'
  expect_stdout 'slow:DURATION +.*\(e\.g\. slow:100ms\)  \[check: none fails\]'
  run_cli serve --simulate no_state,bogus --ephemeral --port 0
  expect_exit 2
  expect_stderr 'unknown fault "bogus"'
  expect_one_line_stderr
  run_cli serve --simulate slow:soon --ephemeral --port 0
  expect_exit 2
  expect_stderr 'slow:DURATION needs a DURATION'
  run_cli serve --simulate http:200 --ephemeral --port 0
  expect_exit 2
  run_cli serve --simulate no_state:1 --ephemeral --port 0
  expect_exit 2
  expect_stderr 'takes no argument'
  # A Client's simulate field takes only the faults of one client's requests.
  printf '%s' '{"clients": [{"id": "x", "secret": "s", "simulate": ["clock_skew:5s"]}]}' >bad.json
  run_cli serve --config bad.json --ephemeral --port 0
  expect_exit 2
  expect_stderr 'Client x.*clock_skew.*applies to the whole server'
  expect_one_line_stderr
}

# expect_caught FAULT CAUGHT: the check run just made failed as `--simulate list` maps FAULT
# (CAUGHT): exactly those ids; "IDS+": at least those (what needs them may fail too);
# "none fails": nothing.
expect_caught() {
  local fault=$1 caught=$2 actual expected id
  actual=$(failed_checks)
  if [[ $caught == "none fails" ]]; then
    [[ $RC == 0 ]] || fail "--simulate $fault: check exited $RC, not 0 (failed: $actual)"
  else
    [[ $RC == 6 ]] || fail "--simulate $fault: check exited $RC, not 6"
    expected=$(tr ',' '\n' <<<"${caught%+}" | sort | tr '\n' ' ')
    if [[ $caught == *+ ]]; then
      for id in $expected; do
        [[ " $actual " == *" $id "* ]] || fail "--simulate $fault: $id did not fail (failed: $actual)"
      done
    else
      [[ $actual == "$expected" ]] || fail "--simulate $fault: failed [$actual], expected [$expected]"
    fi
  fi
  echo "ok: --simulate $fault -> ${actual:-nothing fails}"
}

# The checks that each cost the server a scrypt hash of a wrong secret (seconds on a loaded
# machine). No fault is mapped to them; the clean runs include them.
k_hashing_checks=(token.wrong-secret token.unknown-client)

# Every fault of --simulate list, with its example argument, against the whole check suite:
# its checks fail and no other does. The faults a Client can carry run on one server, each
# on its own copy of Client ci (that is what per-client faults are for: one server start
# instead of thirty); each whole-server fault gets a server. The clean client ci passes
# everything, with zero skips, on the same server.
test_each_fault_fails_exactly_its_checks() {
  local line fault example caught
  local -a client_faults=() client_caught=() server_faults=() server_caught=()
  "$OAUTHCTL" serve --simulate list >faults.txt || fail "--simulate list failed"
  [[ $(wc -l <faults.txt) -ge 35 ]] || fail "too few faults: $(cat faults.txt)"
  while read -r line; do
    fault=${line%% *}
    example=$(sed -n 's/.*(e\.g\. \([^)]*\)).*/\1/p' <<<"$line")
    [[ $fault == *:* ]] && fault=$example
    caught=$(sed -n 's/.*\[check: \(.*\)\]$/\1/p' <<<"$line")
    [[ -n $fault && -n $caught ]] || fail "unparsable line: $line"
    if [[ $line == *" (whole server)  [check: "* ]]; then
      server_faults+=("$fault")
      server_caught+=("$caught")
    else
      client_faults+=("$fault")
      client_caught+=("$caught")
    fi
  done <faults.txt
  [[ ${#server_faults[@]} -ge 3 && ${#client_faults[@]} -ge 25 ]] ||
    fail "whole-server faults [${server_faults[*]}], per-client [${client_faults[*]}]"
  # refresh_not_rotated passes for a confidential client; a public client's refresh tokens
  # must rotate (RFC 9700 §4.14.2), and refresh.rotation says so.
  ci_clients "$(public_client public-unrotated refresh_not_rotated)" "${client_faults[@]}"
  start_server --config clients.json
  check_ci
  expect_exit 0
  [[ $(jq '.summary.skipped' "$TEST_DIR/stdout") == 0 ]] ||
    fail "skipped against our own server: $(jq -c '[.checks[] | select(.status == "SKIP") | .id]' "$TEST_DIR/stdout")"
  local i
  for i in "${!client_faults[@]}"; do
    fault=${client_faults[i]}
    check_as "f-${fault%%:*}" --skip "${k_hashing_checks[@]}"
    expect_caught "$fault (client f-${fault%%:*})" "${client_caught[i]}"
  done
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id public-unrotated --login demo \
    --only refresh.rotation
  expect_exit 6
  expect_stdout "refresh\.rotation +FAIL .*public client's refresh token is not rotated"
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id demo-public --login demo \
    --only refresh.rotation
  expect_exit 0
  expect_stdout 'refresh\.rotation +PASS .*rotated'
  stop_server "$SERVER_PID"
  for i in "${!server_faults[@]}"; do
    start_server --config clients.json --simulate "${server_faults[i]}"
    check_ci --skip "${k_hashing_checks[@]}"
    expect_caught "${server_faults[i]}" "${server_caught[i]}"
    stop_server "$SERVER_PID"
  done
}

# A Client's simulate field: only that client's requests misbehave.
test_per_client_faults() {
  ci_clients '{"id": "flaky", "secret": "flaky-secret", "grant_types": ["client_credentials"],
               "scope": ["system/*.rs"], "simulate": "token_invalid_scope,no_cache_control"},
              {"id": "stale", "secret": "stale-secret", "grant_types": ["client_credentials"],
               "scope": ["system/*.rs"], "simulate": ["request_expired_token"]}'
  start_server --config clients.json
  run_cli token --server "$SERVER_URL" --client-id flaky --client-secret-file <(printf flaky-secret)
  expect_exit 4
  expect_stderr 'invalid_scope'
  expect_one_line_stderr
  run_cli token --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt --no-cache
  expect_exit 0
  run_cli fhir Patient --server "$SERVER_URL" --client-id stale --client-secret-file <(printf stale-secret)
  expect_exit 4
  expect_stderr 'expired'
  run_cli fhir Patient --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt
  expect_exit 0
  check_ci --only token
  expect_exit 0
}

# The browser flows print where to go and that they wait; the error is one last line.
expect_last_error_line() {
  [[ $(tail -n 1 "$TEST_DIR/stderr") == "oauthctl: "* ]] || fail "last stderr line: $(tail -n 1 "$TEST_DIR/stderr")"
}

# code_token CLIENT ARGS...: the authorization code flow through browser.py.
code_token() {
  local client=$1
  shift
  run_cli token --grant authorization_code --server "$SERVER_URL" --client-id "$client" \
    --browser "python3 $TEST_DIR/browser.py --stuck-ok" --scope "openid fhirUser patient/*.rs" --no-cache "$@"
}

# Our own client under the faults a client meets, each on its own Client of one server: one
# line on stderr (the last one in the browser flows, which print where to go first) and the
# documented exit code (4: an OAuth error or a malformed answer; 3: the network; 5: no
# redirect came).
test_client_under_faults() {
  local fault client
  write_browser
  ci_clients "$(public_client p-scope auth_invalid_scope),$(public_client p-nonce id_token_wrong_nonce),
              $(public_client p-sub id_token_missing_sub),$(public_client p-state no_state),
              $(public_client p-client auth_invalid_client_id)" \
    t-secret=auth_invalid_client_secret t-scope=token_invalid_scope t-500=http:500 t-429=http:429 \
    t-json=malformed_json t-slow=slow:3s r-invalid=request_invalid_token r-expired=request_expired_token
  start_server --config clients.json
  local before
  for client in t-secret t-scope t-500 t-429 t-json; do
    before=$(grep -c 'POST /auth/token' "$TEST_DIR/server0.log")
    run_cli token --server "$SERVER_URL" --client-id "$client" --client-secret-file secret.txt
    expect_exit 4
    expect_one_line_stderr
    case $client in
      t-secret) expect_stderr 'invalid_client' ;;
      t-scope) expect_stderr 'invalid_scope' ;;
      t-500) expect_stderr '500' ;;
      # Retry-After: 1 on the 429: one more try after a second, not more (the 500 gets none).
      t-429) expect_stderr '429|temporarily_unavailable' ;;
      t-json) expect_stderr 'JSON|malformed' ;;
    esac
    local tries=$(($(grep -c 'POST /auth/token' "$TEST_DIR/server0.log") - before))
    [[ $tries == "$([[ $client == t-429 ]] && echo 2 || echo 1)" ]] || fail "token as $client: $tries token requests"
    echo "ok: token as $client ($tries token requests): $(cat "$TEST_DIR/stderr")"
  done
  run_cli token --server "$SERVER_URL" --client-id t-slow --client-secret-file secret.txt --timeout 1
  expect_exit 3
  expect_one_line_stderr
  expect_stderr 'time'
  for client in r-invalid r-expired; do
    run_cli fhir Patient --server "$SERVER_URL" --client-id "$client" --client-secret-file secret.txt
    expect_exit 4
    expect_one_line_stderr
    expect_stderr 'invalid_token|expired|not valid'
  done
  code_token p-scope
  expect_exit 4
  expect_last_error_line
  expect_stderr 'invalid_scope'
  code_token p-nonce
  expect_exit 4
  expect_last_error_line
  expect_stderr 'nonce'
  code_token p-sub
  expect_exit 4
  expect_stderr 'sub'
  code_token p-state
  expect_exit 4
  expect_last_error_line
  expect_stderr 'state'
  # An error page instead of a redirect: nothing comes back, the wait times out.
  code_token p-client --redirect-timeout 2
  expect_exit 5
  expect_last_error_line
  # The same flow for the demo's public client on the same server works.
  code_token demo-public
  expect_exit 0
}

# A key rotated after the first JWKS fetch: the client fetches the keys it needs.
test_code_flow_after_a_key_rotation() {
  write_browser
  start_server --simulate jwks_rotated
  http GET /.well-known/jwks.json
  code_token demo-public
  expect_exit 0
}

# docs/simulate.md's fault table is what scripts/simulate-table.sh prints from the binary.
test_docs_table_matches_the_binary() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  bash "$root/scripts/simulate-table.sh" "$OAUTHCTL" >generated.md || fail "simulate-table.sh failed"
  sed -n '/^<!-- fault-table/,/^<!-- end fault-table/p' "$root/docs/simulate.md" | sed '1d;$d' >documented.md
  diff -u documented.md generated.md >table.diff ||
    fail "docs/simulate.md differs from the binary; run scripts/simulate-table.sh: $(cat table.diff)"
}
