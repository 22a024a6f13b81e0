# SPDX-License-Identifier: MIT
# `serve --simulate FAULT`: each fault is caught by exactly the check(s) `--simulate list`
# maps it to, and by no other check; the loop that keeps `oauthctl check` honest.

suite_requires() {
  command -v jq >/dev/null || { echo "no jq"; return 1; }
}

test_simulate_list_and_unknown_fault() {
  run_cli serve --simulate list
  expect_exit 0
  expect_stdout 'no_state +.*\[check: authorization-code.state\]'
  run_cli serve --simulate no_state,bogus --ephemeral --port 0
  expect_exit 2
  expect_stderr 'unknown fault "bogus"'
}

# Each fault against the whole suite: the mapped checks fail, nothing else does.
test_each_fault_fails_exactly_its_checks() {
  local line fault caught expected actual
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --client-id ci >jwks.json 2>/dev/null || fail "keygen failed"
  jq '{clients: [{id: "ci", secret: "ci-secret", first_party: true, jwks: .,
        grant_types: ["client_credentials", "authorization_code", "refresh_token", "token_exchange",
                      "device_code", "jwt_bearer"],
        scope: ["system/*.rs", "system/Patient.rs", "system/Observation.rs", "openid", "profile",
                "fhirUser", "offline_access", "patient/*.rs"],
        auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], refresh_token: true}}}]}' \
    jwks.json >clients.json
  printf ci-secret >secret.txt
  "$OAUTHCTL" serve --simulate list >faults.txt || fail "--simulate list failed"
  [[ $(wc -l <faults.txt) -ge 8 ]] || fail "too few faults: $(cat faults.txt)"
  while read -r line; do
    fault=${line%% *}
    caught=$(sed -n 's/.*\[check: \(.*\)\]$/\1/p' <<<"$line")
    start_server --config clients.json --simulate "$fault"
    OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt \
      --auth-method client_secret_basic --private-key key.pem --login demo -o json
    [[ $RC == 6 ]] || fail "--simulate $fault: check exited $RC, not 6"
    expected=$(tr ',' '\n' <<<"$caught" | sort | tr '\n' ' ')
    actual=$(jq -r '.checks[] | select(.status == "FAIL") | .id' "$TEST_DIR/stdout" | sort | tr '\n' ' ')
    [[ $actual == "$expected" ]] || fail "--simulate $fault: failed [$actual], expected [$expected]"
    echo "ok: --simulate $fault -> $actual"
    stop_server "$SERVER_PID"
  done <faults.txt
}
