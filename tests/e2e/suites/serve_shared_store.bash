# SPDX-License-Identifier: MIT
# Issue 9: two `oauthctl serve` on one SQLite file share all live state: a refresh token
# rotated at one is a replay at the other, a device code started at one is polled at the
# other, a token revoked at one is refused by the other within the revocation view's
# bound (1 s), and a client or user changed through one reaches the running other within
# the same bound.

# Two replicas as behind a load balancer: one store, one issuer.
start_pair() {
  local db=$TEST_DIR/data/serve.db issuer=http://127.0.0.1:9
  start_server --no-defaults --demo --data "$db" --device-interval 1 --issuer "$issuer"
  A=$SERVER_URL
  start_server --no-defaults --demo --data "$db" --device-interval 1 --issuer "$issuer"
  B=$SERVER_URL
}

test_refresh_rotated_at_one_is_a_replay_at_the_other() {
  start_pair
  local first second
  first=$(curl -sS -X POST "$A/auth/token" -u demo-client:demo-secret -d grant_type=password \
    -d username=demo -d password=demo -d scope='openid offline_access' | jq -r .refresh_token)
  [[ -n $first && $first != null ]] || fail "no refresh token from A"
  second=$(curl -sS -X POST "$B/auth/token" -u demo-client:demo-secret -d grant_type=refresh_token \
    --data-urlencode "refresh_token=$first" | jq -r .refresh_token)
  [[ -n $second && $second != null ]] || fail "B did not rotate A's refresh token"
  SERVER_URL=$A http POST /auth/token -u demo-client:demo-secret -d grant_type=refresh_token \
    --data-urlencode "refresh_token=$first"
  expect_status 400
  expect_json '.error == "invalid_grant"' "$TEST_DIR/body"
  # The replay revoked the family everywhere: B's successor is dead too.
  SERVER_URL=$B http POST /auth/token -u demo-client:demo-secret -d grant_type=refresh_token \
    --data-urlencode "refresh_token=$second"
  expect_status 400
}

test_device_code_started_at_one_is_polled_at_the_other() {
  start_pair
  SERVER_URL=$A http POST /auth/device -d client_id=demo-public -d scope=openid
  expect_status 200
  local device_code
  device_code=$(jq -r .device_code "$TEST_DIR/body")
  SERVER_URL=$B http POST /auth/token -d client_id=demo-public \
    -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d "device_code=$device_code"
  expect_status 400
  expect_json '.error == "authorization_pending"' "$TEST_DIR/body"
}

test_revocation_at_one_is_refused_by_the_other_within_a_second() {
  start_pair
  local token
  token=$(curl -sS -X POST "$A/auth/token" -u demo-client:demo-secret -d grant_type=client_credentials \
    -d scope=system/Patient.read | jq -r .access_token)
  SERVER_URL=$B http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
  SERVER_URL=$A http POST /auth/revoke -u demo-client:demo-secret --data-urlencode "token=$token"
  expect_status 200
  # The bound: no request sent to B more than 1 s after A answered the revocation may be
  # accepted (sent, not answered: on a loaded machine curl's own start-up takes a while).
  local start sent accepted_at=-1
  start=$(date +%s%N)
  while true; do
    sent=$((($(date +%s%N) - start) / 1000000))
    SERVER_URL=$B http GET /fhir/Patient -H "Authorization: Bearer $token"
    [[ $HTTP_STATUS == 401 ]] && break
    expect_status 200
    accepted_at=$sent
    ((sent <= 1000)) || fail "B accepted the revoked token in a request sent $sent ms after the revocation"
    sleep 0.02
  done
  echo "revoked at A: refused by B in a request sent after $sent ms (last accepted: sent after $accepted_at ms)"
}

# client_status BASE ID:SECRET: the status of a client_credentials request at BASE.
client_status() {
  curl -s -o /dev/null -w '%{http_code}' -X POST "$1/auth/token" -u "$2" -d grant_type=client_credentials
}

# file_hash DB KIND ID: the secret hash the SQLite file DB holds for client or user ID.
file_hash() {
  python3 -c 'import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(f"SELECT secret_hash FROM {sys.argv[2]}s WHERE id = ?", (sys.argv[3],)).fetchone()
print(row[0] if row else "")' "$@"
}

# A second process on the file, started with a config that adds a client and drops one:
# the first, still running, follows within a second (the added client from when the
# second stored its hash, shortly after its start; the dropped one from its start).
test_a_client_added_and_one_dropped_by_one_process_reach_the_other_within_a_second() {
  local db=$TEST_DIR/data/serve.db config=$TEST_DIR/seed.json i
  jq -n '{clients: [{id: "gone", secret: "gone-secret", grant_types: ["client_credentials"]}]}' >"$config"
  start_server --no-defaults --data "$db" --config "$config"
  B=$SERVER_URL
  [[ $(client_status "$B" gone:gone-secret) == 200 ]] || fail "B refuses gone before the change"
  [[ $(client_status "$B" fresh:fresh-secret) == 401 ]] || fail "B knows fresh before the change"
  jq -n '{clients: [{id: "fresh", secret: "fresh-secret", grant_types: ["client_credentials"]}]}' \
    >"$TEST_DIR/seed_a.json"
  start_server --no-defaults --data "$db" --config "$TEST_DIR/seed_a.json"
  local dropped added
  dropped=$(ms_until 401 client_status "$B" gone:gone-secret) || fail "B still accepts the dropped client"
  for ((i = 0; i < 500; i++)); do
    [[ $(file_hash "$db" client fresh) == '$scrypt$'* ]] && break
    sleep 0.02
  done
  ((i < 500)) || fail "A did not store the new client's hash within 10 s"
  added=$(ms_until 200 client_status "$B" fresh:fresh-secret) || fail "B refuses the added client"
  ((dropped < 1000 && added < 1000)) || fail "B took longer than 1 s: dropped $dropped ms, added $added ms"
  echo "B saw (ms): client dropped $dropped after A was ready, client added $added after A stored its hash"
}

# `serve keys rotate` on the file both use: each signs with the new key within a second,
# and both JWKS keep the old key, so a token signed before still works at either.
test_serve_keys_rotate_on_the_file_reaches_both_servers() {
  start_pair
  local db=$TEST_DIR/data/serve.db before old_kid new_kid
  before=$(curl -sS -X POST "$A/auth/token" -u demo-client:demo-secret -d grant_type=client_credentials \
    -d scope=system/Patient.read | jq -r .access_token)
  old_kid=$(jwt_kid "$before")
  [[ -n $old_kid ]] || fail "A's token has no kid: $before"
  run_cli serve keys rotate --data "$db"
  expect_exit 0
  new_kid=$STDOUT
  [[ $new_kid =~ ^[A-Za-z0-9_-]+$ && $new_kid != "$old_kid" ]] || fail "rotate printed '$new_kid' (old: $old_kid)"
  expect_stderr "signing key $new_kid \(RS256\) is now active"
  local server start sent token
  for server in "$A" "$B"; do
    # The bound: no token request sent more than 1 s after the rotation returned may be
    # signed with the old key.
    start=$(date +%s%N)
    while true; do
      sent=$((($(date +%s%N) - start) / 1000000))
      token=$(curl -sS -X POST "$server/auth/token" -u demo-client:demo-secret -d grant_type=client_credentials \
        -d scope=system/Patient.read | jq -r .access_token)
      [[ $(jwt_kid "$token") == "$new_kid" ]] && break
      [[ $(jwt_kid "$token") == "$old_kid" ]] || fail "$server signed with neither key: $token"
      ((sent <= 1000)) || fail "$server still signed with the old key $sent ms after the rotation"
      sleep 0.05
    done
    echo "$server: new key in a request sent after $sent ms"
    SERVER_URL=$server http GET /.well-known/jwks.json
    expect_status 200
    expect_json "[.keys[].kid] | index(\"$new_kid\") != null and index(\"$old_kid\") != null" "$TEST_DIR/body"
    for token in "$before" "$token"; do
      SERVER_URL=$server http GET /fhir/Patient -H "Authorization: Bearer $token"
      expect_status 200
    done
  done
  run_cli serve keys list --data "$db"
  expect_exit 0
  [[ $(head -n 1 "$TEST_DIR/stdout") =~ ^KID\ +ALG\ +STATE\ +CREATED\ +IN\ JWKS\ UNTIL$ ]] || fail "header: $STDOUT"
  grep -qE "^$old_kid +RS256 +retired +[0-9T:-]+Z +[0-9T:-]+Z$" "$TEST_DIR/stdout" || fail "old key: $STDOUT"
  grep -qE "^$new_kid +RS256 +active +[0-9T:-]+Z +-$" "$TEST_DIR/stdout" || fail "new key: $STDOUT"
  [[ $(wc -l <"$TEST_DIR/stdout") == 3 ]] || fail "list: $STDOUT"
  ! grep -q 'PRIVATE' "$TEST_DIR/stdout" || fail "list printed a private key"
}

test_serve_keys_refuses_a_store_in_memory_and_a_bad_store() {
  run_cli serve keys rotate --ephemeral
  expect_exit 2
  expect_one_line_stderr
  expect_stderr 'store in memory'
  run_cli serve keys list --store nosuch://thing
  expect_exit 2
  expect_one_line_stderr
  # A file that holds no store is a typo: refused, and not created.
  run_cli serve keys rotate --data "$TEST_DIR/typo.db"
  expect_exit 2
  expect_one_line_stderr
  expect_stderr 'no store at'
  [[ ! -e $TEST_DIR/typo.db ]] || fail "serve keys created $TEST_DIR/typo.db"
  run_cli serve keys
  expect_exit 2
}

# Two `serve keys rotate` at the same moment on one SQLite file: one active key after each.
test_two_rotations_at_once_leave_one_active_key() {
  local db=$TEST_DIR/data/serve.db
  start_server --no-defaults --demo --data "$db"
  two_rotations_at_once --data "$db"
}

# A late state poll (serve --simulate late_state_poll: the maintenance thread's ticks 3 s
# apart, as when a loaded machine gives it no CPU): between ticks B's revocation view goes
# past its 1 s bound, and the read that finds it so refreshes it itself, on a worker. So FHIR
# reads keep answering 200 (before, every read answered 503 until the next tick), and a token
# revoked at A is still refused by B within the bound (SQLite sends no notification: B learns
# of it only by such a refresh).
test_a_late_state_poll_keeps_reads_answering_and_revocations_within_the_bound() {
  local db=$TEST_DIR/data/serve.db issuer=http://127.0.0.1:9
  start_server --no-defaults --demo --data "$db" --issuer "$issuer"
  A=$SERVER_URL
  start_server --no-defaults --demo --data "$db" --issuer "$issuer" --simulate late_state_poll:3s
  B=$SERVER_URL
  local token failed delay
  token=$(curl -sS -X POST "$A/auth/token" -u demo-client:demo-secret -d grant_type=client_credentials \
    -d scope=system/Patient.read | jq -r .access_token)
  failed=$(non_2xx_reads 4 "$B" "$token")
  [[ $failed == 0 ]] || fail "$failed FHIR reads at B were not 2xx during a late state poll: $(cat "$TEST_DIR/wrk_reads.txt")"
  grep -q 'warning: state maintenance tick started [0-9]* ms late' "$TEST_DIR/server1.log" ||
    fail "B did not log its late ticks: $(cat "$TEST_DIR/server1.log")"
  delay=$(refused_within_bound "$A" "$B" "$token")
  echo "late state poll: revoked at A, refused by B in a read sent after $delay ms"
}
