# SPDX-License-Identifier: MIT
# Waiting for the browser: the plain wait line off a TTY, and Ctrl-C ending the wait cleanly.

start_waiting_client() {
  "$OAUTHCTL" token --grant authorization_code --server "$SERVER_URL" --client-id demo-public \
    --auth-method none --browser none --redirect-timeout 30 >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" &
  CLIENT_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q 'waiting' "$TEST_DIR/stderr" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no wait line on stderr: $(cat "$TEST_DIR/stderr")"
}

test_plain_wait_line_names_the_redirect_uri() {
  start_server
  start_waiting_client
  local uri
  uri=$(sed -n 's/.*\(http:\/\/127\.0\.0\.1:[0-9]*\/callback\).*/\1/p' "$TEST_DIR/stderr" | head -n 1)
  [[ -n $uri ]] || fail "the wait line does not name the redirect URI: $(cat "$TEST_DIR/stderr")"
  grep -q $'\r' "$TEST_DIR/stderr" && fail "spinner redraws on a non-TTY stderr"
  kill -INT "$CLIENT_PID"
  wait "$CLIENT_PID" || true
}

test_ctrl_c_exits_130_and_closes_the_listener() {
  start_server
  start_waiting_client
  local uri
  uri=$(grep -o 'redirect_uri=[^& ]*' "$TEST_DIR/stderr" | head -n 1 | cut -d= -f2 | sed 's/%3A/:/g; s/%2F/\//g')
  [[ $uri == http://127.0.0.1:* ]] || fail "no redirect_uri in the authorize URL: $(cat "$TEST_DIR/stderr")"
  curl -s -o /dev/null "${uri%%/callback*}/favicon.ico" || fail "listener not up before Ctrl-C"
  kill -INT "$CLIENT_PID"
  RC=0
  wait "$CLIENT_PID" || RC=$?
  STDOUT=$(cat "$TEST_DIR/stdout")
  STDERR=$(cat "$TEST_DIR/stderr")
  expect_exit 130
  expect_no_stdout
  expect_stderr 'interrupted'
  curl -s -o /dev/null --max-time 2 "$uri" && fail "the listener still answers after Ctrl-C"
  return 0
}
