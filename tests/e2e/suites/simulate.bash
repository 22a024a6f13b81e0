# SPDX-License-Identifier: MIT
# `serve --simulate FAULT`: each fault is caught by exactly the check(s) `--simulate list`
# maps it to, and by no other check (the loop that keeps `oauthctl check` honest); per-client
# faults; and what our own client does under the faults a client meets.

suite_requires() {
  command -v jq >/dev/null || { echo "no jq"; return 1; }
  command -v python3 >/dev/null || { echo "no python3"; return 1; }
}

# ci_clients: keygen into key.pem, clients.json with Client ci (a secret, the key, every
# grant) plus the given extra Client JSON objects.
ci_clients() {
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --client-id ci >jwks.json 2>/dev/null || fail "keygen failed"
  jq --argjson extra "[${1:-}]" '{clients: ([{id: "ci", secret: "ci-secret", first_party: true, jwks: .,
        grant_types: ["client_credentials", "authorization_code", "refresh_token", "token_exchange",
                      "device_code", "jwt_bearer"],
        scope: ["system/*.rs", "system/Patient.rs", "system/Observation.rs", "openid", "profile",
                "fhirUser", "offline_access", "patient/*.rs"],
        auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], refresh_token: true}}}] + $extra)}' \
    jwks.json >clients.json
  printf ci-secret >secret.txt
}

check_ci() {
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt \
    --auth-method client_secret_basic --private-key key.pem --login demo -o json "$@"
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

# Each fault (with its example argument) against the whole suite: its checks fail, and no
# other does; "IDS+" faults fail IDS and may fail what needs them; "none fails" passes.
test_each_fault_fails_exactly_its_checks() {
  local line fault example caught expected actual
  ci_clients
  "$OAUTHCTL" serve --simulate list >faults.txt || fail "--simulate list failed"
  [[ $(wc -l <faults.txt) -ge 30 ]] || fail "too few faults: $(cat faults.txt)"
  while read -r line; do
    fault=${line%% *}
    example=$(sed -n 's/.*(e\.g\. \([^)]*\)).*/\1/p' <<<"$line")
    [[ $fault == *:* ]] && fault=$example
    caught=$(sed -n 's/.*\[check: \(.*\)\]$/\1/p' <<<"$line")
    [[ -n $fault && -n $caught ]] || fail "unparsable line: $line"
    start_server --config clients.json --simulate "$fault"
    check_ci
    actual=$(failed_checks)
    if [[ $caught == "none fails" ]]; then
      [[ $RC == 0 ]] || fail "--simulate $fault: check exited $RC, not 0 (failed: $actual)"
    else
      [[ $RC == 6 ]] || fail "--simulate $fault: check exited $RC, not 6"
      expected=$(tr ',' '\n' <<<"${caught%+}" | sort | tr '\n' ' ')
      if [[ $caught == *+ ]]; then
        local id
        for id in $expected; do
          [[ " $actual " == *" $id "* ]] || fail "--simulate $fault: $id did not fail (failed: $actual)"
        done
      else
        [[ $actual == "$expected" ]] || fail "--simulate $fault: failed [$actual], expected [$expected]"
      fi
    fi
    echo "ok: --simulate $fault -> ${actual:-nothing fails}"
    stop_server "$SERVER_PID"
  done <faults.txt
}

# refresh_not_rotated passes for the confidential client above; a public client's refresh
# tokens must rotate (RFC 9700 §4.14.2), and refresh.rotation says so.
test_refresh_not_rotated_fails_for_a_public_client() {
  start_server --simulate refresh_not_rotated
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id demo-public --login demo \
    --only refresh.rotation
  expect_exit 6
  expect_stdout "refresh\.rotation +FAIL .*public client's refresh token is not rotated"
  start_server
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id demo-public --login demo \
    --only refresh.rotation
  expect_exit 0
  expect_stdout 'refresh\.rotation +PASS .*rotated'
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

# Our own client under the faults a client meets: one line on stderr and the documented
# exit code (4: an OAuth error or a malformed answer; 3: the network; 5: no redirect came).
test_token_under_token_endpoint_faults() {
  local fault
  for fault in auth_invalid_client_secret token_invalid_scope http:500 http:429 malformed_json; do
    start_server --simulate "$fault"
    run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret)
    expect_exit 4
    expect_one_line_stderr
    case $fault in
      auth_invalid_client_secret) expect_stderr 'invalid_client' ;;
      token_invalid_scope) expect_stderr 'invalid_scope' ;;
      http:500) expect_stderr '500' ;;
      http:429) expect_stderr '429|temporarily_unavailable' ;;
      malformed_json) expect_stderr 'JSON|malformed' ;;
    esac
    echo "ok: token under $fault: $(cat "$TEST_DIR/stderr")"
    stop_server "$SERVER_PID"
  done
  start_server --simulate slow:3s
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) --timeout 1
  expect_exit 3
  expect_one_line_stderr
  expect_stderr 'time'
}

test_fhir_under_request_faults() {
  local fault
  for fault in request_invalid_token request_expired_token; do
    start_server --simulate "$fault"
    run_cli fhir Patient --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret)
    expect_exit 4
    expect_one_line_stderr
    expect_stderr 'invalid_token|expired|not valid'
    stop_server "$SERVER_PID"
  done
}

# write_browser: browser.py for --browser: follows the authorize URL, signs in as demo/demo,
# allows consent if asked, delivers the redirect to oauthctl's listener; exits 1 when stuck.
write_browser() {
  cat >browser.py <<'PY'
import re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Stop)
def go(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data else None
    try:
        r = opener.open(urllib.request.Request(url, data=body))
        return r.headers.get("Location"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.headers.get("Location"), e.read().decode()
url, data = sys.argv[-1], None
for _ in range(10):
    location, page = go(url, data)
    data = None
    if location:
        url = urllib.parse.urljoin(url, location)
        if "/callback" in url:
            go(url)
            sys.exit(0)
        continue
    fields = dict(re.findall(r'name="(request|csrf_token)" value="([^"]*)"', page))
    if 'name="password"' in page:
        url, data = urllib.parse.urljoin(url, "/auth/login"), {**fields, "username": "demo", "password": "demo"}
    elif 'name="decision"' in page:
        url, data = urllib.parse.urljoin(url, "/auth/grant"), {**fields, "decision": "allow"}
    else:
        sys.exit(0)  # an error page: the user is stuck, as a person would be
sys.exit("browser.py: too many steps")
PY
}

# The browser flows print where to go and that they wait; the error is one last line.
expect_last_error_line() {
  [[ $(tail -n 1 "$TEST_DIR/stderr") == "oauthctl: "* ]] || fail "last stderr line: $(tail -n 1 "$TEST_DIR/stderr")"
}

code_token() {
  run_cli token --grant authorization_code --server "$SERVER_URL" --client-id demo-public \
    --browser "python3 $TEST_DIR/browser.py" --scope "openid fhirUser patient/*.rs" --no-cache "$@"
}

test_code_flow_under_authorization_faults() {
  write_browser
  start_server --simulate auth_invalid_scope
  code_token
  expect_exit 4
  expect_last_error_line
  expect_stderr 'invalid_scope'
  stop_server "$SERVER_PID"
  start_server --simulate id_token_wrong_nonce
  code_token
  expect_exit 4
  expect_last_error_line
  expect_stderr 'nonce'
  stop_server "$SERVER_PID"
  start_server --simulate id_token_missing_sub
  code_token
  expect_exit 4
  expect_stderr 'sub'
  stop_server "$SERVER_PID"
  start_server --simulate no_state
  code_token
  expect_exit 4
  expect_last_error_line
  expect_stderr 'state'
  stop_server "$SERVER_PID"
  # An error page instead of a redirect: nothing comes back, the wait times out.
  start_server --simulate auth_invalid_client_id
  code_token --redirect-timeout 2
  expect_exit 5
  expect_last_error_line
  stop_server "$SERVER_PID"
  # A key rotated after the first JWKS fetch: the client fetches the keys it needs.
  start_server --simulate jwks_rotated
  http GET /.well-known/jwks.json
  code_token
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
