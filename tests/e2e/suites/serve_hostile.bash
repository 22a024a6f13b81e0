# SPDX-License-Identifier: MIT
# `oauthctl serve` on a hostile network (security review 2026-12, H1-H3 and M7; issue 10):
# floods of wrong secrets, slow clients, oversized headers and bodies, forged assertions,
# connection caps and a graceful stop. The attacks come from tests/e2e/hostile_client.py
# (asyncio sockets, bounded loops) on loopback.

HOSTILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/hostile_client.py

suite_requires() {
  command -v python3 >/dev/null || {
    echo "python3 missing"
    return 1
  }
}

# rss_kib PID: the resident set of a process in KiB.
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# expect_number_below JSON_FILE JQ_PATH LIMIT
expect_below() {
  local value
  value=$(jq -r "$2" "$1")
  [[ $value != null ]] && awk -v v="$value" -v l="$3" 'BEGIN {exit !(v < l)}' ||
    fail "$2 = $value, want below $3 ($(cat "$1"))"
}

test_wrong_secret_flood_leaves_other_requests_fast() {
  start_server
  # 64 connections sending wrong client secrets and wrong passwords (each one scrypt run)
  # for 4 s; the probes run meanwhile.
  python3 "$HOSTILE" flood "$SERVER_URL" 64 4 >flood.json || fail "driver failed"
  expect_json '.probes.metadata >= 3 and .probes.token >= 3' flood.json
  expect_json '.probe_failures == []' flood.json
  # Bounds that prove no probe queued behind the flood (it made them time out at 10 s before
  # issue 10), loose enough for ASan on a loaded 2-core CI machine; bench/ measures speed.
  expect_below flood.json .metadata_max_ms 2000
  expect_below flood.json .token_max_ms 2000
  # The flood itself was refused quickly rather than queued: 503 with Retry-After and the
  # RFC 6749 error JSON, never cacheable.
  expect_json '.attack_statuses["503"] > 0' flood.json
  jq -r .sample_503 flood.json >refusal.txt
  grep -qi '^retry-after: 1' refusal.txt || fail "503 without Retry-After: $(cat refusal.txt)"
  grep -qi '^cache-control: no-store' refusal.txt || fail "503 is cacheable: $(cat refusal.txt)"
  grep -q '"error":"temporarily_unavailable"' refusal.txt || fail "503 body: $(cat refusal.txt)"
  http POST /auth/token -d grant_type=client_credentials -d client_id=demo-client -d client_secret=wrong
  [[ $HTTP_STATUS == 401 ]] || fail "after the flood a wrong secret gets $HTTP_STATUS, want 401"
}

# The token endpoint starts on the event loop (client_credentials with a cached secret is
# answered there); a request that would wait goes to a worker first. With the slow fault
# every token request sleeps 3 s: 16 of them at once, more than the event loops (one per
# core), would hold every loop if the sleep ran there, and /fhir/metadata (answered on the
# loops) would wait with them. The tokens still come, from the workers.
test_a_token_request_that_waits_leaves_the_event_loops_free() {
  start_server --simulate slow:3s
  local i clients=()
  for i in $(seq 16); do
    curl -sS -o "slow$i.json" -w '%{http_code}' -u demo-client:demo-secret -d grant_type=client_credentials \
      "$SERVER_URL/auth/token" >"slow$i.status" &
    clients+=($!)
  done
  sleep 0.5 # the 16 are in, sleeping
  local started elapsed_ms
  for i in 1 2 3; do
    started=$(date +%s%N)
    http GET /fhir/metadata
    elapsed_ms=$((($(date +%s%N) - started) / 1000000))
    expect_status 200
    ((elapsed_ms < 1000)) || fail "/fhir/metadata took ${elapsed_ms} ms while token requests slept"
  done
  wait "${clients[@]}" # not a bare wait: the server is a child too
  for i in $(seq 16); do
    [[ $(cat "slow$i.status") == 200 ]] || fail "slow token request $i: $(cat "slow$i.status") $(cat "slow$i.json")"
    expect_json '.access_token | length > 100' "slow$i.json"
  done
}

test_slow_headers_are_cut_at_the_deadline_and_others_stay_fast() {
  ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
  (($(ulimit -n) >= 2200)) || {
    echo "SKIP: cannot raise the descriptor limit to 2200 (hard limit $(ulimit -Hn))"
    return 0
  }
  start_server --header-timeout 5 --max-connections 2000 --max-connections-per-address 2000
  # 1,000 connections send a request line and then one header byte every 2 s; other
  # requests are timed while all of them are open.
  python3 "$HOSTILE" slowloris "$SERVER_URL" 1000 12 >slow.json || fail "driver failed"
  expect_json '.probes >= 20 and .probe_failures == [] and .slow_refused == 0' slow.json
  # Well under the 5 s deadline a probe would wait if a slow connection held a worker.
  expect_below slow.json .probe_p99_ms 1500
  # Every slow one was closed by the server at the 5 s header deadline.
  expect_json '.slow_closed == 1000' slow.json
  expect_json '.slow_closed_min_s >= 4.5' slow.json
  expect_below slow.json .slow_closed_max_s 8
}

test_too_many_or_too_large_headers_get_431_without_growing() {
  start_server
  local before after
  curl -s -o /dev/null "$SERVER_URL/fhir/metadata"
  before=$(rss_kib "$SERVER_PID")
  # 200,000 header fields (about 10 MB): refused after the 100th.
  python3 "$HOSTILE" headers "$SERVER_URL" 200000 30 >count.json || fail "driver failed"
  expect_json '.status == 431' count.json
  # One field of 1 MB: beyond the 32 KiB header size.
  python3 "$HOSTILE" headers "$SERVER_URL" 1 1000000 >size.json || fail "driver failed"
  expect_json '.status == 431' size.json
  after=$(rss_kib "$SERVER_PID")
  ((after - before < 10240)) || fail "RSS grew by $((after - before)) KiB"
  # The answers are JSON, and the server goes on serving.
  http GET /fhir/metadata -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
  [[ $HTTP_STATUS == 431 ]] || fail "40 KB header: $HTTP_STATUS, want 431"
  expect_json '.resourceType == "OperationOutcome"' "$TEST_DIR/body"
  http GET /fhir/metadata
  [[ $HTTP_STATUS == 200 ]] || fail "metadata after the attack: $HTTP_STATUS"
  # The limits are flags.
  start_server --max-header-count 5
  http GET /auth/jwks -H 'A: 1' -H 'B: 1' -H 'C: 1' -H 'D: 1' -H 'E: 1'
  [[ $HTTP_STATUS == 431 ]] || fail "--max-header-count 5: $HTTP_STATUS, want 431"
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
}

# rs256_jwt KEY CLAIMS_FILE: a compact JWS signed with openssl (RS256 is PKCS#1 v1.5).
rs256_jwt() {
  local b64='base64 -w0 | tr "+/" "-_" | tr -d "="'
  local header payload signature
  header=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$3" | eval "$b64")
  payload=$(eval "$b64" <"$2")
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$1" -binary | eval "$b64")
  printf '%s.%s.%s' "$header" "$payload" "$signature"
}

test_40_kib_tokens_are_exchanged_and_introspected() {
  # A subject token with many claims (40 KiB), from a trusted issuer whose key we hold.
  "$OAUTHCTL" keygen --alg RS256 --out idp.pem --jwks-out idp-jwks.json 2>/dev/null || fail "keygen"
  local kid now
  kid=$(jq -r '.keys[0].kid' idp-jwks.json)
  now=$(date +%s)
  jq -n --argjson now "$now" --arg pad "$(head -c 40960 /dev/zero | tr '\0' x)" \
    '{iss: "https://ehr.example", sub: "u1", aud: "https://rp.example", iat: $now, exp: ($now + 300),
      scope: "system/Patient.read", pad: $pad}' >claims.json
  rs256_jwt idp.pem claims.json "$kid" >subject.jwt
  (($(wc -c <subject.jwt) > 40960)) || fail "subject token is only $(wc -c <subject.jwt) bytes"
  cat >rp.json <<JSON
{"clients": [{"id": "exchanger", "secret": "exchanger-secret",
   "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"]}],
 "token_introspectors": [{"resourceType": "TokenIntrospector", "id": "ehr", "type": "jwt",
   "jwks_file": "$PWD/idp-jwks.json", "jwt": {"iss": "https://ehr.example"}, "audience": ["https://rp.example"]}]}
JSON
  start_server --config rp.json
  RC=0
  OAUTHCTL_SUBJECT_TOKEN=$(cat subject.jwt) run_cli token --grant token_exchange --server "$SERVER_URL" \
    --client-id exchanger --client-secret-file <(printf exchanger-secret) \
    --subject-token-type urn:ietf:params:oauth:token-type:jwt -o json
  expect_exit 0
  expect_json '.access_token and .issued_token_type == "urn:ietf:params:oauth:token-type:access_token"'
  # A 40 KiB token introspected: answered (inactive: we never issued it), not refused.
  head -c 40960 /dev/zero | tr '\0' a >long.token
  http POST /auth/introspect -u demo-client:demo-secret --data-urlencode token@long.token
  [[ $HTTP_STATUS == 200 ]] || fail "introspecting 40 KiB: $HTTP_STATUS $BODY"
  expect_json '.active == false' "$TEST_DIR/body"
  http POST /auth/revoke -u demo-client:demo-secret --data-urlencode token@long.token
  [[ $HTTP_STATUS == 200 ]] || fail "revoking 40 KiB: $HTTP_STATUS $BODY"
}

test_body_limits_per_route() {
  start_server
  head -c 70000 /dev/zero | tr '\0' a >70k.token
  http POST /auth/introspect -u demo-client:demo-secret --data-urlencode token@70k.token
  [[ $HTTP_STATUS == 413 ]] || fail "70 KB introspection: $HTTP_STATUS, want 413"
  expect_json '.error == "invalid_request"' "$TEST_DIR/body"
  # Everything else stays small (16 KiB).
  head -c 20000 /dev/zero | tr '\0' a >20k.txt
  http POST /auth/device -d client_id=demo-public --data-urlencode scope@20k.txt
  [[ $HTTP_STATUS == 413 ]] || fail "20 KB device request: $HTTP_STATUS, want 413"
  http POST /auth/token -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret \
    --data-urlencode pad@20k.txt
  [[ $HTTP_STATUS == 200 ]] || fail "20 KB token request: $HTTP_STATUS, want 200"
  # A chunked body is held to the same limit.
  http POST /auth/token -H 'Transfer-Encoding: chunked' --data-binary @70k.token
  [[ $HTTP_STATUS == 413 ]] || fail "70 KB chunked token request: $HTTP_STATUS, want 413"
  start_server --max-token-body-bytes 1000
  http POST /auth/token -d grant_type=client_credentials --data-urlencode pad@20k.txt
  [[ $HTTP_STATUS == 413 ]] || fail "--max-token-body-bytes 1000: $HTTP_STATUS, want 413"
}

test_forged_assertions_fetch_the_jwks_uri_at_most_once() {
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --jwks-out jwks.json 2>/dev/null || fail "keygen"
  python3 -m http.server 0 --bind 127.0.0.1 >http.log 2>&1 &
  SERVER_PIDS+=($!)
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' http.log | head -n 1)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || fail "http.server did not start"
  jq -n --arg good "http://127.0.0.1:$port/jwks.json" --arg bad "http://127.0.0.1:$port/missing.json" \
    '{clients: [{id: "svc", grant_types: ["client_credentials"], jwks_uri: $good},
                {id: "broken", grant_types: ["client_credentials"], jwks_uri: $bad}]}' >clients.json
  start_server --config clients.json
  # Unsigned (alg none) assertions naming each client, 50 each, 10 at a time.
  local b64='base64 -w0 | tr "+/" "-_" | tr -d "="' header client
  header=$(printf '{"alg":"none"}' | eval "$b64")
  for client in svc broken; do
    for ((i = 0; i < 50; i++)); do
      printf '{"iss":"%s","sub":"%s","aud":"%s/auth/token","exp":%d,"jti":"forged-%d"}' \
        "$client" "$client" "$SERVER_URL" $(($(date +%s) + 60)) "$i" | eval "$b64" |
        sed "s/^/$client $header./; s/\$/./"
      echo
    done
  done >forged.txt
  # shellcheck disable=SC2016
  xargs -P 10 -L 1 sh -c 'curl -s -o "out-$1-$(echo "$2" | cksum | cut -d" " -f1).json" -w "%{http_code}\n" \
    "$0/auth/token" -d grant_type=client_credentials -d client_id="$1" \
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d client_assertion="$2"' \
    "$SERVER_URL" <forged.txt >codes.txt
  (($(grep -c '^401$' codes.txt) == 100)) || fail "forged assertions: $(sort codes.txt | uniq -c | tr '\n' ' ')"
  local good bad
  good=$(grep -c 'GET /jwks.json' http.log)
  bad=$(grep -c 'GET /missing.json' http.log)
  ((good <= 1 && bad <= 1)) || fail "jwks_uri fetched $good and $bad times for 50 forged assertions each"
  # No error names the internal URL.
  if grep -l "127.0.0.1\|$port" out-*.json; then
    fail "an error description names the jwks_uri: $(cat "$(grep -l "$port" out-*.json | head -n 1)")"
  fi
  # The client with a readable jwks_uri still authenticates with a real assertion.
  run_cli token --server "$SERVER_URL" --client-id svc --private-key key.pem --no-cache
  expect_exit 0
}

test_connection_caps_and_idle_timeout() {
  start_server --max-connections-per-address 3 --idle-timeout 1
  local port=${SERVER_URL##*:}
  exec 3<>"/dev/tcp/127.0.0.1/$port" 4<>"/dev/tcp/127.0.0.1/$port" 5<>"/dev/tcp/127.0.0.1/$port"
  sleep 0.2
  # A fourth connection from this address is closed unanswered.
  RC=0
  curl -s -o /dev/null --max-time 3 "$SERVER_URL/fhir/metadata" || RC=$?
  [[ $RC != 0 ]] || fail "a fourth connection was served"
  # The idle ones are closed after the idle timeout (1 s); then there is room again.
  local start=$SECONDS
  timeout 5 cat <&3 >/dev/null || fail "an idle connection was not closed within 5 s"
  exec 3<&- 4<&- 5<&-
  sleep 0.2
  http GET /fhir/metadata
  [[ $HTTP_STATUS == 200 ]] || fail "after the idle ones closed: $HTTP_STATUS"
  run_cli serve --ephemeral --port 0 --max-connections 0
  expect_exit 2
  expect_one_line_stderr
  run_cli serve --ephemeral --port 0 --header-timeout soon
  expect_exit 2
  expect_stderr 'header-timeout'
}

test_sigterm_finishes_the_request_in_progress_and_exits_0() {
  start_server
  local port=${SERVER_URL##*:}
  # An idle keep-alive connection, and a request whose body is still on its way.
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  exec 4<>"/dev/tcp/127.0.0.1/$port"
  local body='grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret'
  printf 'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n' \
    ${#body} >&4
  sleep 0.3
  kill -TERM "$SERVER_PID"
  sleep 0.3
  kill -0 "$SERVER_PID" 2>/dev/null || fail "serve exited with a request in progress"
  # No new connections once stopping.
  curl -s -o /dev/null --max-time 2 "$SERVER_URL/fhir/metadata" && fail "a new connection was served while stopping"
  printf '%s' "$body" >&4
  timeout 5 cat <&4 >answer.txt
  head -n 1 answer.txt | grep -q '^HTTP/1.1 200' || fail "the request in progress got: $(head -c 300 answer.txt)"
  grep -qi '^connection: close' answer.txt || fail "the last answer does not say Connection: close"
  local i
  for ((i = 0; i < 40; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$SERVER_PID" 2>/dev/null && fail "serve still runs 2 s after its last request"
  wait "$SERVER_PID" || fail "serve exited $? on SIGTERM, want 0"
  exec 3<&- 4<&-
}
