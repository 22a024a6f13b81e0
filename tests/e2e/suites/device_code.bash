# SPDX-License-Identifier: MIT
# Device authorization (RFC 8628): the raw server behaviour with curl, and
# `oauthctl token --grant device_code` against it, approved through the verification page
# by curl acting as the user's browser.

DEVICE_GRANT=urn:ietf:params:oauth:grant-type:device_code

# device_authorize [curl args...]: POST /auth/device; the answer is in $BODY.
device_authorize() {
  http POST /auth/device "$@"
}

# poll DEVICE_CODE [curl args...]: one token request of the device grant.
poll() {
  local code=$1
  shift
  http POST /auth/token --data-urlencode "grant_type=$DEVICE_GRANT" --data-urlencode "device_code=$code" "$@"
}

expect_error() {
  [[ $(jq -r .error <<<"$BODY") == "$1" ]] || fail "expected error $1, got HTTP $HTTP_STATUS: $BODY"
}

# hidden NAME: the value of hidden field NAME in the last page.
hidden() {
  sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$TEST_DIR/body" | head -n 1
}

# answer_as_user USER_CODE allow|deny: signs in as demo on the verification page, enters
# the code and decides, as a browser would (cookie jar, CSRF tokens).
answer_as_user() {
  local code=$1 decision=$2 jar=$TEST_DIR/cookies.$RANDOM
  http GET "/auth/device/verify" -c "$jar" -b "$jar"
  expect_status 200
  http POST /auth/device/verify -c "$jar" -b "$jar" --data-urlencode step=login \
    --data-urlencode "csrf_token=$(hidden csrf_token)" -d username=demo -d password=demo
  expect_status 200
  http POST /auth/device/verify -c "$jar" -b "$jar" --data-urlencode step=code \
    --data-urlencode "csrf_token=$(hidden csrf_token)" --data-urlencode "user_code=$code"
  expect_status 200
  grep -q 'id="client"' "$TEST_DIR/body" || fail "no confirmation page: $BODY"
  http POST /auth/device/verify -c "$jar" -b "$jar" --data-urlencode step=decide \
    --data-urlencode "csrf_token=$(hidden csrf_token)" --data-urlencode "user_code=$(hidden user_code)" \
    -d "decision=$decision"
  expect_status 200
}

test_device_authorization_response() {
  start_server
  device_authorize -u demo-client:demo-secret -d 'scope=openid patient/*.rs'
  expect_status 200
  expect_header '^cache-control: no-store'
  jq -e --arg base "$SERVER_URL" '
    (.device_code | length) >= 43 and (.user_code | test("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$"))
    and .verification_uri == $base + "/auth/device/verify"
    and .verification_uri_complete == $base + "/auth/device/verify?user_code=" + .user_code
    and .expires_in == 600 and .interval == 5' <<<"$BODY" >/dev/null || fail "bad answer: $BODY"
  # Discovery says where it is.
  http GET /.well-known/oauth-authorization-server
  jq -e --arg base "$SERVER_URL" '.device_authorization_endpoint == $base + "/auth/device"
    and (.grant_types_supported | index("urn:ietf:params:oauth:grant-type:device_code"))' <<<"$BODY" >/dev/null ||
    fail "discovery lacks the device endpoint: $BODY"
  # A public device client sends its client_id alone.
  device_authorize -d client_id=demo-public -d scope=openid
  expect_status 200
  # Refusals: no client, wrong secret, system scopes, a client without the grant.
  device_authorize -d scope=openid
  expect_status 401
  expect_error invalid_client
  device_authorize -u demo-client:wrong -d scope=openid
  expect_status 401
  expect_error invalid_client
  device_authorize -u demo-client:demo-secret -d 'scope=system/*.read'
  expect_status 400
  expect_error invalid_scope
  http GET /auth/device
  expect_status 405
}

test_client_without_the_grant_is_refused() {
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "backend", "secret": "s3cret-s3cret",
    "grant_types": ["client_credentials"]}},
  {"resource": {"resourceType": "Client", "id": "tv", "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"],
    "scope": ["openid", "patient/*.rs"]}}]}
JSON
  start_server --config serve.json
  device_authorize -u backend:s3cret-s3cret -d scope=
  expect_status 400
  expect_error unauthorized_client
  # The URN in grant_types works as the short name does.
  device_authorize -d client_id=tv -d scope=openid
  expect_status 200
  local code
  code=$(jq -r .device_code <<<"$BODY")
  # A device code polled with a grant the client lacks.
  poll "$code" -u backend:s3cret-s3cret
  expect_status 400
  expect_error unauthorized_client
}

test_pending_slow_down_unknown_and_other_client() {
  start_server --device-interval 2
  device_authorize -u demo-client:demo-secret -d scope=openid
  local code
  code=$(jq -r .device_code <<<"$BODY")
  [[ $(jq -r .interval <<<"$BODY") == 2 ]] || fail "--device-interval not applied: $BODY"
  poll "$code" -u demo-client:demo-secret
  expect_status 400
  expect_error authorization_pending
  expect_header '^cache-control: no-store'
  # Polling again at once is too fast (RFC 8628 §3.5).
  poll "$code" -u demo-client:demo-secret
  expect_status 400
  expect_error slow_down
  # The interval is now 2 + 5 s: 3 s later is still too soon.
  sleep 3
  poll "$code" -u demo-client:demo-secret
  expect_error slow_down
  poll "made-up-device-code" -u demo-client:demo-secret
  expect_status 400
  expect_error invalid_grant
  # Another client cannot redeem this client's device code.
  poll "$code" -d client_id=demo-public
  expect_status 400
  expect_error invalid_grant
}

test_approved_once_then_invalid() {
  start_server --device-interval 1
  device_authorize -u demo-client:demo-secret -d 'scope=openid patient/*.rs'
  local code user_code
  code=$(jq -r .device_code <<<"$BODY")
  user_code=$(jq -r .user_code <<<"$BODY")
  answer_as_user "$(tr 'A-Z' 'a-z' <<<"${user_code/-/}")" allow
  poll "$code" -u demo-client:demo-secret
  expect_status 200
  jq -e '.access_token and .id_token and .token_type == "Bearer" and .scope == "openid patient/*.rs"' <<<"$BODY" \
    >/dev/null || fail "no tokens: $BODY"
  local token
  token=$(jq -r .access_token <<<"$BODY")
  [[ $(jwt_claims "$token" | jq -r .sub) == demo ]] || fail "the token is not the user's"
  sleep 1.1
  poll "$code" -u demo-client:demo-secret
  expect_status 400
  expect_error invalid_grant
  http GET /fhir/Patient -H "Authorization: Bearer $token"
  expect_status 200
}

test_denied() {
  start_server --device-interval 1
  device_authorize -u demo-client:demo-secret -d scope=
  local code
  code=$(jq -r .device_code <<<"$BODY")
  answer_as_user "$(jq -r .user_code <<<"$BODY")" deny
  poll "$code" -u demo-client:demo-secret
  expect_status 400
  expect_error access_denied
}

test_expired() {
  start_server --device-interval 1 --device-lifetime 1
  device_authorize -u demo-client:demo-secret -d scope=
  local code
  code=$(jq -r .device_code <<<"$BODY")
  sleep 1.2
  poll "$code" -u demo-client:demo-secret
  expect_status 400
  expect_error expired_token
}

test_serve_rejects_bad_device_options() {
  run_cli serve --ephemeral --port 0 --device-interval 0
  expect_exit 2
  expect_stderr 'device-interval'
  run_cli serve --ephemeral --port 0 --device-lifetime soon
  expect_exit 2
  expect_stderr 'device-lifetime'
}

# start_device_client [token options...]: `oauthctl token --grant device_code` in the
# background as demo-client; waits until it shows the user code, sets USER_CODE.
start_device_client() {
  "$OAUTHCTL" token --grant device_code --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) "$@" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" &
  CLIENT_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    USER_CODE=$(sed -n 's/.*enter the code \([A-Z-]*\).*/\1/p' "$TEST_DIR/stderr" | head -n 1)
    [[ -n $USER_CODE ]] && return 0
    sleep 0.05
  done
  fail "no user code on stderr: $(cat "$TEST_DIR/stderr")"
}

wait_client() {
  RC=0
  wait "$CLIENT_PID" || RC=$?
  STDOUT=$(cat "$TEST_DIR/stdout")
  STDERR=$(cat "$TEST_DIR/stderr")
}

test_client_gets_a_token_the_user_approved() {
  start_server --device-interval 1
  start_device_client --scope 'openid patient/*.rs'
  expect_stderr_file() { grep -qE "$1" "$TEST_DIR/stderr" || fail "stderr lacks /$1/: $(cat "$TEST_DIR/stderr")"; }
  expect_stderr_file "Open $SERVER_URL/auth/device/verify and enter the code $USER_CODE"
  expect_stderr_file "or open $SERVER_URL/auth/device/verify\\?user_code=$USER_CODE"
  # Off a TTY, one plain wait line, no spinner.
  sleep 0.5
  expect_stderr_file 'waiting for code .* to be approved'
  answer_as_user "$USER_CODE" allow
  wait_client
  expect_exit 0
  [[ $STDOUT =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "stdout is not a bare JWT: $STDOUT"
  grep -q $'\r' "$TEST_DIR/stderr" && fail "spinner redraws on a non-TTY stderr"
  grep -q 'device_code' "$TEST_DIR/stderr" && fail "the device code leaked to stderr"
  http GET /fhir/Patient -H "Authorization: Bearer $STDOUT"
  expect_status 200
}

test_public_client_and_json_output() {
  start_server --device-interval 1
  "$OAUTHCTL" token --grant device_code --server "$SERVER_URL" --client-id demo-public --scope openid -o json \
    >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" &
  CLIENT_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    USER_CODE=$(sed -n 's/.*enter the code \([A-Z-]*\).*/\1/p' "$TEST_DIR/stderr" | head -n 1)
    [[ -n $USER_CODE ]] && break
    sleep 0.05
  done
  answer_as_user "$USER_CODE" allow
  wait_client
  expect_exit 0
  expect_json '.access_token and .id_token'
}

test_client_denied_exits_4() {
  start_server --device-interval 1
  start_device_client
  answer_as_user "$USER_CODE" deny
  wait_client
  expect_exit 4
  expect_no_stdout
  expect_stderr 'access_denied'
}

test_client_times_out_with_exit_5() {
  start_server --device-interval 1
  start_device_client --redirect-timeout 2
  wait_client
  expect_exit 5
  expect_no_stdout
  expect_stderr 'timed out.*--redirect-timeout'
}

test_client_stops_when_the_code_expires() {
  start_server --device-interval 1 --device-lifetime 2
  start_device_client
  wait_client
  # Whichever comes first: the server's expired_token on a last poll (exit 4), or the
  # client's own clock reaching expires_in (exit 5).
  if [[ $RC == 4 ]]; then
    expect_stderr 'expired_token'
  else
    expect_exit 5
    expect_stderr 'device code expired'
  fi
  expect_no_stdout
}

test_client_ctrl_c_exits_130() {
  start_server --device-interval 1
  start_device_client
  sleep 0.3
  kill -INT "$CLIENT_PID"
  wait_client
  expect_exit 130
  expect_no_stdout
  expect_stderr 'interrupted'
}

test_client_polls_at_the_interval() {
  # A server that wants 3 s between polls while the client was told 1 s cannot exist here,
  # so check the schedule from the server's side: no poll ever comes too soon.
  start_server --device-interval 1
  local started=$SECONDS
  start_device_client -v
  sleep 3.5
  answer_as_user "$USER_CODE" allow
  wait_client
  expect_exit 0
  local elapsed=$((SECONDS - started + 1))
  grep -q 'slow_down' "$TEST_DIR/stderr" && fail "the client polled too fast"
  # At most one poll per second of the whole run (the answer itself takes a few seconds on a
  # loaded machine, and the client keeps polling meanwhile), at least two in the 3.5 s wait.
  local polls
  polls=$(grep -c 'authorization_pending' "$TEST_DIR/stderr")
  ((polls >= 2 && polls <= elapsed)) ||
    fail "expected 2 to $elapsed pending polls in $elapsed s at 1 s intervals, saw $polls"
}

test_flow_shows_each_step() {
  start_server --device-interval 1
  "$OAUTHCTL" flow device_code --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --scope 'openid patient/*.rs' >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" &
  CLIENT_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    USER_CODE=$(sed -n 's/.*enter the code \([A-Z-]*\).*/\1/p' "$TEST_DIR/stderr" | head -n 1)
    [[ -n $USER_CODE ]] && break
    sleep 0.05
  done
  sleep 1.5
  answer_as_user "$USER_CODE" allow
  wait_client
  expect_exit 0
  expect_stdout 'Device authorization request'
  expect_stdout "POST $SERVER_URL/auth/device"
  expect_stdout "User code"
  expect_stdout 'Polling'
  expect_stdout 'authorization_pending'
  expect_stdout 'FHIR request'
  grep -q "\"device_code\": \"[A-Za-z0-9_-]\{20,\}\"" "$TEST_DIR/stdout" && fail "flow shows the device code"
  return 0
}

# A peer that answers the first poll with slow_down: our server never has to, because
# oauthctl keeps the interval, so a small stand-in plays a stricter server here.
test_client_adds_5_s_after_slow_down() {
  cat >peer.py <<'PY'
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

polls = []

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        base = "http://127.0.0.1:%d" % self.server.server_port
        if self.path == "/auth/device":
            self.answer(200, {"device_code": "dc-1", "user_code": "BCDF-GHJK", "interval": 1, "expires_in": 60,
                              "verification_uri": base + "/verify"})
            return
        polls.append(time.monotonic())
        with open("polls.txt", "a") as out:
            out.write("%.3f\n" % polls[-1])
        if len(polls) == 1:
            self.answer(400, {"error": "slow_down"})
        else:
            self.answer(400, {"error": "access_denied", "error_description": "stand-in says no"})

server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
PY
  python3 peer.py >peer.port &
  SERVER_PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s peer.port ]] && break
    sleep 0.05
  done
  run_cli token --grant device_code --server "http://127.0.0.1:$(cat peer.port)" --client-id tv --auth-method none
  expect_exit 4
  expect_stderr 'access_denied'
  expect_stderr 'slow down: polling every 6 s'
  [[ $(wc -l <polls.txt) == 2 ]] || fail "expected two polls, saw: $(cat polls.txt)"
  awk 'NR == 1 { first = $1 } NR == 2 { gap = $1 - first } END { exit !(gap >= 5.9 && gap < 8) }' polls.txt ||
    fail "the poll after slow_down came $(awk 'NR==1{a=$1} NR==2{print $1-a}' polls.txt) s later, expected 6 s"
}
