# SPDX-License-Identifier: MIT
# Helpers for binary-level suites: start a real `oauthctl serve`, run the real client,
# and assert what a user would check (exit code, stdout, stderr, JSON via jq).

SERVER_PIDS=()
cleanup_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  return 0
}

fail() {
  echo "FAILED: $*" >&2
  if [[ -n ${RC:-} ]]; then
    echo "  last command: ${LAST_CMD:-}" >&2
    echo "  exit: $RC" >&2
    echo "  stdout: $(head -c 2000 "$TEST_DIR/stdout" 2>/dev/null)" >&2
    echo "  stderr: $(head -c 2000 "$TEST_DIR/stderr" 2>/dev/null)" >&2
  fi
  exit 1
}

# write_browser: $TEST_DIR/browser.py, the scripted browser (scripted_browser.py) for
# `--browser "python3 $TEST_DIR/browser.py"`; add --stuck-ok before the URL to exit 0 on an error page.
write_browser() {
  cp "$(dirname "${BASH_SOURCE[0]}")/scripted_browser.py" "$TEST_DIR/browser.py"
}

# start_server [serve options...]: starts `oauthctl serve --port 0` (plus the options;
# --ephemeral --demo unless the caller passes --no-defaults first), waits for its
# "listening on URL" line and sets SERVER_URL and SERVER_PID. Log: $TEST_DIR/server.log.
start_server() {
  local defaults=(--ephemeral --demo)
  if [[ ${1:-} == --no-defaults ]]; then
    defaults=()
    shift
  fi
  local n=${#SERVER_PIDS[@]}
  local out=$TEST_DIR/server$n.out log=$TEST_DIR/server$n.log
  "$OAUTHCTL" serve --host 127.0.0.1 --port 0 "${defaults[@]}" "$@" >"$out" 2>"$log" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  local i
  for ((i = 0; i < 200; i++)); do
    if [[ -s $out ]] && SERVER_URL=$(head -n 1 "$out" | sed -n 's/^listening on \(http[^ ]*\)$/\1/p') && [[ -n $SERVER_URL ]]; then
      export SERVER_URL
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "oauthctl serve exited early: $(cat "$log")"
    sleep 0.05
  done
  fail "oauthctl serve did not print its listening line within 10 s"
}

# ms_until STATUS COMMAND...: runs COMMAND (which prints an HTTP status) every 20 ms until
# it prints STATUS (for at most 5 s); prints the ms from the call to the sending of the
# first request so answered (sent, not answered: curl's own start-up on a loaded machine
# is not counted).
ms_until() {
  local want=$1 start sent status
  shift
  start=$(date +%s%N)
  while true; do
    sent=$(date +%s%N)
    status=$("$@")
    [[ $status == "$want" ]] && break
    (((sent - start) / 1000000 < 5000)) || { echo "still $status after 5 s, not $want" >&2; return 1; }
    sleep 0.02
  done
  echo $(((sent - start) / 1000000))
}

# stop_server PID: SIGTERM, and fail unless it exits 0 within 5 s.
stop_server() {
  local pid=$1 i
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$pid" 2>/dev/null && fail "server $pid did not stop on SIGTERM"
  wait "$pid"
}

# run_cli ARGS...: runs oauthctl with ARGS and stdin from /dev/null (or $STDIN when set);
# sets RC and leaves $TEST_DIR/stdout and $TEST_DIR/stderr.
run_cli() {
  LAST_CMD="oauthctl $*"
  if [[ -n ${STDIN+x} ]]; then
    printf '%s' "$STDIN" | "$OAUTHCTL" "$@" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr"
  else
    "$OAUTHCTL" "$@" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" </dev/null
  fi
  RC=$?
  STDOUT=$(cat "$TEST_DIR/stdout")
  STDERR=$(cat "$TEST_DIR/stderr")
}

# demo_token [extra token options]: a client_credentials token from the demo client.
demo_token() {
  "$OAUTHCTL" token --grant client_credentials --server "$SERVER_URL" \
    --client-id demo-client --client-secret-file <(printf demo-secret) "$@"
}

expect_exit() {
  [[ $RC == "$1" ]] || fail "expected exit $1, got $RC"
}

expect_stdout() {
  [[ $STDOUT =~ $1 ]] || fail "stdout does not match /$1/"
}

expect_no_stdout() {
  [[ -z $STDOUT ]] || fail "expected empty stdout"
}

expect_stderr() {
  [[ $STDERR =~ $1 ]] || fail "stderr does not match /$1/"
}

# expect_one_line_stderr: errors are one clear line, never a stack trace.
expect_one_line_stderr() {
  local lines
  lines=$(grep -vc '^oauthctl: warning' "$TEST_DIR/stderr")
  [[ $lines == 1 ]] || fail "expected one line on stderr, got $lines"
}

# expect_json JQ_EXPR [FILE]: the jq expression must be true on stdout (or FILE).
expect_json() {
  local file=${2:-$TEST_DIR/stdout}
  jq -e "$1" "$file" >/dev/null 2>&1 || fail "JSON check failed: $1 on $(head -c 600 "$file")"
}

# http METHOD PATH [curl args...]: a raw request to the server with curl; sets HTTP_STATUS,
# leaves the body in $TEST_DIR/body and headers in $TEST_DIR/headers.
http() {
  local method=$1 path=$2
  shift 2
  HTTP_STATUS=$(curl -sS -o "$TEST_DIR/body" -D "$TEST_DIR/headers" -w '%{http_code}' \
    -X "$method" "$SERVER_URL$path" "$@") || fail "curl $method $path failed"
  BODY=$(cat "$TEST_DIR/body")
}

expect_status() {
  [[ $HTTP_STATUS == "$1" ]] || fail "expected HTTP $1, got $HTTP_STATUS: $BODY"
}

# expect_header REGEX: some response header line matches (case-insensitive).
expect_header() {
  grep -qiE "$1" "$TEST_DIR/headers" || fail "no header matches /$1/ in: $(cat "$TEST_DIR/headers")"
}

# jwt_claims TOKEN: prints the decoded payload JSON of a JWT.
jwt_claims() {
  local payload
  payload=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  while ((${#payload} % 4)); do payload+="="; done
  base64 -d <<<"$payload"
}

# jwt_kid TOKEN: the kid of a JWT's header (empty when it has none).
jwt_kid() {
  local header
  header=$(cut -d. -f1 <<<"$1" | tr '_-' '/+')
  while ((${#header} % 4)); do header+="="; done
  base64 -d <<<"$header" | jq -r '.kid // empty'
}

# start_recorder [STATUS [BODY [CONTENT_TYPE]]]: a second server on loopback (recorder.py)
# that answers every request alike and records it; sets RECORDER_URL and RECORDER_LOG
# (one JSON line per request).
start_recorder() {
  local n=${#SERVER_PIDS[@]}
  local out=$TEST_DIR/recorder$n.out
  RECORDER_LOG=$TEST_DIR/recorder$n.jsonl
  : >"$RECORDER_LOG"
  python3 "$(dirname "${BASH_SOURCE[0]}")/recorder.py" "$RECORDER_LOG" "$@" >"$out" 2>"$TEST_DIR/recorder$n.log" &
  SERVER_PIDS+=("$!")
  local i
  for ((i = 0; i < 200; i++)); do
    RECORDER_URL=$(head -n 1 "$out" 2>/dev/null | sed -n 's/^listening on \(http[^ ]*\)$/\1/p')
    [[ -n $RECORDER_URL ]] && return 0
    sleep 0.05
  done
  fail "recorder.py did not start: $(cat "$TEST_DIR/recorder$n.log")"
}

# two_rotations_at_once STORE_OPTIONS...: five rounds of two `serve keys rotate` started at
# the same moment on that store; after each, `serve keys list` must show exactly one
# active key (issue 9: without the convergence in rotate_signing_key, both new keys stayed
# active).
two_rotations_at_once() {
  local round p1 p2 active
  for round in 1 2 3 4 5; do
    "$OAUTHCTL" serve keys rotate "$@" >"$TEST_DIR/rotate1.out" 2>"$TEST_DIR/rotate1.err" &
    p1=$!
    "$OAUTHCTL" serve keys rotate "$@" >"$TEST_DIR/rotate2.out" 2>"$TEST_DIR/rotate2.err" &
    p2=$!
    wait "$p1" || fail "round $round: a rotate failed: $(cat "$TEST_DIR/rotate1.err")"
    wait "$p2" || fail "round $round: a rotate failed: $(cat "$TEST_DIR/rotate2.err")"
    run_cli serve keys list "$@"
    expect_exit 0
    active=$(grep -cE '^[^ ]+ +[A-Z0-9]+ +active ' "$TEST_DIR/stdout" || true)
    [[ $active == 1 ]] || fail "round $round: $active active keys: $(cat "$TEST_DIR/stdout")"
    # The key both rotations agree on is one of the two they made.
    grep -qE "^($(cat "$TEST_DIR/rotate1.out")|$(cat "$TEST_DIR/rotate2.out")) +[A-Z0-9]+ +active " \
      "$TEST_DIR/stdout" || fail "round $round: the active key is neither new one: $(cat "$TEST_DIR/stdout")"
  done
}

# non_2xx_reads SECONDS BASE TOKEN [CONNECTIONS]: reads /fhir/Patient/pt-1 at BASE with TOKEN
# for SECONDS (wrk, 2 threads, 4 connections unless told) and prints how many answers were
# not 2xx ("0" when all were).
non_2xx_reads() {
  local seconds=$1 base=$2 token=$3 connections=${4:-4}
  wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" "$base/fhir/Patient/pt-1" \
    >"$TEST_DIR/wrk_reads.txt" 2>&1 || fail "wrk failed: $(cat "$TEST_DIR/wrk_reads.txt")"
  grep -q '^Requests/sec:' "$TEST_DIR/wrk_reads.txt" || fail "wrk measured nothing: $(cat "$TEST_DIR/wrk_reads.txt")"
  awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}' "$TEST_DIR/wrk_reads.txt"
}

# refused_within_bound REVOKE_AT READ_AT TOKEN: revokes TOKEN at REVOKE_AT, then reads with
# it at READ_AT every 20 ms until refused (401). Fails when a read sent more than 1 s (the
# revocation view's bound) after the revocation was answered was still accepted: sent, not
# answered, so curl's own start-up on a loaded machine is not counted. Prints the ms.
refused_within_bound() {
  local revoke_at=$1 read_at=$2 token=$3 start sent status
  SERVER_URL=$revoke_at http POST /auth/revoke -u demo-client:demo-secret --data-urlencode "token=$token"
  expect_status 200
  start=$(date +%s%N)
  while true; do
    sent=$((($(date +%s%N) - start) / 1000000))
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$read_at/fhir/Patient/pt-1")
    [[ $status == 401 ]] && break
    [[ $status == 200 ]] || fail "a read with the revoked token answered $status (sent after $sent ms)"
    ((sent <= 1000)) || fail "the revoked token was accepted in a read sent $sent ms after the revocation"
    sleep 0.02
  done
  echo "$sent"
}
