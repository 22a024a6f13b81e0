# SPDX-License-Identifier: MIT
# Issue 9: serve's state is in its SQLite store, written before each answer. `kill -9` in
# the middle of a refresh-token load loses nothing a client was told: every refresh token
# whose response reached the client is in the store afterwards and still works (unless the
# one request in flight at the kill had already rotated it), and the file is intact.

suite_requires() {
  command -v sqlite3 >/dev/null || { echo "sqlite3 CLI not installed"; return 1; }
  command -v sha256sum >/dev/null || { echo "sha256sum not installed"; return 1; }
}

# refresh_chain DIR: rotates one refresh family as fast as it can; after each complete
# answer, the new refresh token is written to DIR/last (atomically, by rename).
refresh_chain() {
  local dir=$1 token next
  token=$(cat "$dir/last")
  while true; do
    next=$(curl -sS --max-time 5 -X POST "$SERVER_URL/auth/token" -u demo-client:demo-secret \
      -d grant_type=refresh_token --data-urlencode "refresh_token=$token" 2>/dev/null |
      jq -r '.refresh_token // empty' 2>/dev/null) || next=
    [[ -n $next ]] || return 0
    printf '%s' "$next" >"$dir/last.tmp" && mv "$dir/last.tmp" "$dir/last"
    token=$next
  done
}

test_kill_9_during_refresh_load_loses_no_answered_token() {
  local db=$TEST_DIR/data/serve.db chains=4 i
  start_server --no-defaults --demo --data "$db"
  for ((i = 0; i < chains; i++)); do
    mkdir -p "$TEST_DIR/chain$i"
    curl -sS -X POST "$SERVER_URL/auth/token" -u demo-client:demo-secret -d grant_type=password \
      -d username=demo -d password=demo -d scope='openid offline_access' |
      jq -r .refresh_token >"$TEST_DIR/chain$i/last"
    [[ -s $TEST_DIR/chain$i/last && $(cat "$TEST_DIR/chain$i/last") != null ]] || fail "no refresh token"
  done
  local loaders=()
  for ((i = 0; i < chains; i++)); do
    refresh_chain "$TEST_DIR/chain$i" &
    loaders+=($!)
  done
  sleep 1.5
  kill -9 "$SERVER_PID"
  wait "${loaders[@]}" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null

  [[ $(sqlite3 "$db" 'PRAGMA integrity_check') == ok ]] || fail "integrity_check: $(sqlite3 "$db" 'PRAGMA integrity_check')"
  start_server --no-defaults --demo --data "$db"
  local working=0 in_flight=0 hash rotated token
  for ((i = 0; i < chains; i++)); do
    token=$(cat "$TEST_DIR/chain$i/last")
    hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
    rotated=$(sqlite3 "$db" "SELECT rotated FROM refresh_tokens WHERE token_hash = '$hash'")
    [[ -n $rotated ]] || fail "chain $i: the last answered refresh token is not in the store"
    if [[ $rotated == 1 ]]; then
      in_flight=$((in_flight + 1)) # the request in flight at the kill rotated it; its answer was lost
      continue
    fi
    http POST /auth/token -u demo-client:demo-secret -d grant_type=refresh_token \
      --data-urlencode "refresh_token=$token"
    expect_status 200
    working=$((working + 1))
  done
  echo "chains: $chains, last answered token works: $working, rotated by the request in flight: $in_flight"
  ((working > 0)) || fail "no chain's last answered token works"
}
