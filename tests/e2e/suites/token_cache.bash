# SPDX-License-Identifier: MIT
# The token cache of `oauthctl token` (like oauth2l): reuse, --no-cache, --force, expiry,
# file and directory modes, concurrent writers, `cache` and `logout`.

suite_setup() {
  export XDG_CONFIG_HOME=$TEST_DIR/config XDG_CACHE_HOME=$TEST_DIR/cache
  unset OAUTHCTL_PROFILE OAUTHCTL_CONFIG OAUTHCTL_NO_CACHE
  CACHE=$XDG_CACHE_HOME/oauthctl/tokens.json
}

# cc_token [options]: a client_credentials token from the demo client (cache on).
cc_token() {
  "$OAUTHCTL" token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) "$@"
}

test_reuses_a_cached_token() {
  suite_setup
  start_server
  local first second
  first=$(cc_token) || fail "first token"
  second=$(cc_token) || fail "second token"
  [[ $first == "$second" ]] || fail "the second call did not reuse the cached token"
  [[ $(stat -c %a "$CACHE") == 600 ]] || fail "cache file mode $(stat -c %a "$CACHE")"
  [[ $(stat -c %a "$(dirname "$CACHE")") == 700 ]] || fail "cache dir mode"
  jq -e '.version == 1 and (.tokens | length) == 1' "$CACHE" >/dev/null || fail "cache: $(cat "$CACHE")"
  # Only tokens are cached, never the client secret.
  ! grep -q demo-secret "$CACHE" || fail "the secret was written to the cache"
  # A wrong (or rotated) secret is not answered from the cache: the server says no.
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret wrong-secret
  expect_exit 4
  expect_stderr invalid_client
  # A different scope is a different key.
  local scoped
  scoped=$(cc_token --scope system/Patient.read) || fail "scoped token"
  [[ $scoped != "$first" ]] || fail "a different scope reused the token"
  jq -e '(.tokens | length) == 2' "$CACHE" >/dev/null || fail "expected 2 entries"
  # -o json from the cache counts the remaining lifetime.
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) -o json
  expect_exit 0
  expect_json ".access_token == \"$first\" and .expires_in <= 3600 and .expires_in > 3500"
}

test_no_cache_and_force() {
  suite_setup
  start_server
  local first other forced again
  first=$(cc_token) || fail "first"
  other=$(cc_token --no-cache) || fail "no-cache"
  [[ $other != "$first" ]] || fail "--no-cache reused the cached token"
  again=$(cc_token) || fail "again"
  [[ $again == "$first" ]] || fail "--no-cache replaced the cached token"
  forced=$(cc_token --force) || fail "force"
  [[ $forced != "$first" ]] || fail "--force reused the cached token"
  again=$(cc_token) || fail "after force"
  [[ $again == "$forced" ]] || fail "--force did not replace the cached token"
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret x --force --no-cache
  expect_exit 2
}

test_expired_token_is_fetched_again() {
  suite_setup
  # 32 s lifetime minus the 30 s margin: reusable for 2 s.
  cat >serve.json <<'JSON'
{"resourceType": "Bundle", "type": "transaction", "entry": [
  {"resource": {"resourceType": "Client", "id": "short-lived", "secret": "s3cret-s3cret",
    "grant_types": ["client_credentials"], "scope": ["system/*.read"],
    "auth": {"client_credentials": {"access_token_expiration": 32, "token_format": "jwt"}}}}]}
JSON
  start_server --config serve.json
  local args=(token --server "$SERVER_URL" --client-id short-lived --client-secret s3cret-s3cret)
  local first second third
  first=$("$OAUTHCTL" "${args[@]}") || fail "first"
  second=$("$OAUTHCTL" "${args[@]}") || fail "second"
  [[ $first == "$second" ]] || fail "not reused within its lifetime"
  sleep 2.5
  third=$("$OAUTHCTL" "${args[@]}") || fail "third"
  [[ $third != "$first" ]] || fail "an expired token (within the 30 s margin) was reused"
  jq -e '(.tokens | length) == 1' "$CACHE" >/dev/null || fail "the entry was not replaced"
}

test_two_concurrent_processes() {
  suite_setup
  start_server
  local i pids=()
  local scopes=(system/Patient.read system/Observation.read system/Patient.rs system/Observation.rs
    system/*.read system/*.rs)
  # Different scopes: each process writes its own entry; none may be lost.
  for i in 1 2 3 4 5 6; do
    cc_token --scope "${scopes[$((i - 1))]}" >"out$i" 2>"err$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "process $((i + 1)) failed: $(cat "err$((i + 1))")"
  done
  jq -e '.version == 1' "$CACHE" >/dev/null || fail "cache is not valid JSON: $(cat "$CACHE")"
  local count
  count=$(jq '.tokens | length' "$CACHE")
  [[ $count == 6 ]] || fail "expected 6 entries after 6 concurrent writers, got $count"
  ! ls "$(dirname "$CACHE")"/.tokens.json.tmp.* >/dev/null 2>&1 || fail "temporary files left behind"
}

test_broken_cache_is_replaced() {
  suite_setup
  start_server
  mkdir -p "$(dirname "$CACHE")"
  printf '{"version": 1, "tok' >"$CACHE"
  cc_token >/dev/null || fail "a broken cache must not break token"
  jq -e '(.tokens | length) == 1' "$CACHE" >/dev/null || fail "the broken cache was not replaced"
}

test_cache_list_clear_and_logout() {
  suite_setup
  start_server
  cc_token >/dev/null || fail "token"
  cc_token --scope system/Patient.read >/dev/null || fail "token"
  run_cli cache list
  expect_exit 0
  [[ $(wc -l <"$TEST_DIR/stdout") == 3 ]] || fail "cache list: $STDOUT"
  [[ $(head -n 1 "$TEST_DIR/stdout") == $'SERVER\tCLIENT\tGRANT\tSCOPE\tEXPIRES\tREFRESH' ]] ||
    fail "cache list has no header: $STDOUT"
  ! grep -q $'\t$' "$TEST_DIR/stdout" || fail "cache list has trailing tabs"
  ! grep -q 'ey' "$TEST_DIR/stdout" || fail "cache list printed a token"
  run_cli cache path
  [[ $STDOUT == "$CACHE" ]] || fail "cache path: $STDOUT"
  run_cli logout --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret)
  expect_exit 0
  expect_stderr 'removed 2 cached tokens'
  # Revocation is best effort: either revoked or said why not.
  expect_stderr 'revoked|not revoked'
  jq -e '(.tokens | length) == 0' "$CACHE" >/dev/null || fail "logout left entries"
  cc_token >/dev/null || fail "token"
  run_cli cache clear
  expect_exit 0
  expect_stderr 'removed 1 cached token'
  jq -e '(.tokens | length) == 0' "$CACHE" >/dev/null || fail "clear left entries"
  cc_token >/dev/null || fail "token"
  run_cli logout --all
  expect_exit 0
  jq -e '(.tokens | length) == 0' "$CACHE" >/dev/null || fail "logout --all left entries"
}

test_fhir_uses_the_cache_and_recovers_from_a_rejected_token() {
  suite_setup
  start_server
  local first
  first=$(cc_token) || fail "token"
  run_cli fhir Patient -v --server "$SERVER_URL" --client-id demo-client --client-secret demo-secret
  expect_exit 0
  expect_stderr 'token from the cache'
  expect_json '.resourceType == "Bundle"'
  # A cached token the resource server rejects (here: tampered) is replaced once, transparently.
  jq '.tokens[0].response.access_token = "eyJhbGciOiJub25lIn0.e30.x"' "$CACHE" >cache.new && mv cache.new "$CACHE"
  run_cli fhir Patient --server "$SERVER_URL" --client-id demo-client --client-secret demo-secret
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
  jq -e ".tokens[0].response.access_token | startswith(\"eyJhbGciOiJSUzI1NiI\")" "$CACHE" >/dev/null ||
    fail "the rejected token was not replaced: $(cat "$CACHE")"
}

# fake_token_endpoint: a token endpoint in python3 that issues refresh tokens with
# client_credentials (which `serve` does not) and logs each grant_type to grants.log;
# refresh tokens other than rt-good get invalid_grant. Sets FAKE_URL.
fake_token_endpoint() {
  cat >fake.py <<'PY'
import http.server, json, sys, urllib.parse, itertools
counter = itertools.count(1)
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        grant = body["grant_type"][0]
        open("grants.log", "a").write(grant + "\n")
        if grant == "refresh_token" and body["refresh_token"][0] != "rt-good":
            status, doc = 400, {"error": "invalid_grant"}
        else:
            status, doc = 200, {"access_token": f"{grant}-{next(counter)}", "token_type": "Bearer", "expires_in": 31}
            if grant == "client_credentials":
                doc["refresh_token"] = open("next_refresh").read().strip()
        data = json.dumps(doc).encode()
        self.send_response(status); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
  python3 fake.py >fake.port &
  SERVER_PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do [[ -s fake.port ]] && break; sleep 0.05; done
  FAKE_URL=http://127.0.0.1:$(cat fake.port)/token
}

test_expired_token_is_refreshed_first() {
  command -v python3 >/dev/null || { echo "SKIP: no python3"; return 0; }
  suite_setup
  fake_token_endpoint
  echo rt-good >next_refresh
  local args=(token --token-url "$FAKE_URL" --client-id c --client-secret s)
  local t
  t=$("$OAUTHCTL" "${args[@]}") || fail "first"
  [[ $t == client_credentials-1 ]] || fail "first token: $t"
  sleep 1.3 # 31 s lifetime minus the 30 s margin
  t=$("$OAUTHCTL" "${args[@]}") || fail "refresh"
  [[ $t == refresh_token-2 ]] || fail "expected a refreshed token, got $t ($(cat grants.log))"
  # The server sent no new refresh token: the old one is kept (RFC 6749 §6).
  jq -e '.tokens[0].response.refresh_token == "rt-good"' "$CACHE" >/dev/null || fail "refresh token lost"
  # A refresh token the server refuses: the full grant runs instead.
  jq '.tokens[0].response.refresh_token = "rt-revoked" | .tokens[0].expires_at = 0' "$CACHE" >c.new && mv c.new "$CACHE"
  t=$("$OAUTHCTL" "${args[@]}") || fail "fallback"
  [[ $t == client_credentials-3 ]] || fail "expected the full grant after a refused refresh, got $t"
  [[ $(tr '\n' ' ' <grants.log) == "client_credentials refresh_token refresh_token client_credentials " ]] ||
    fail "grants: $(cat grants.log)"
}

# serve_on_port PORT: `serve --ephemeral --demo` on a fixed port (a restart keeps the URL,
# so the cache key stays the same); sets SERVER_URL and SERVER_PID.
serve_on_port() {
  local out=$TEST_DIR/fixed$1.$RANDOM.out
  "$OAUTHCTL" serve --host 127.0.0.1 --port "$1" --ephemeral --demo >"$out" 2>"$out.log" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  local i
  for ((i = 0; i < 200; i++)); do
    SERVER_URL=$(head -n 1 "$out" 2>/dev/null | sed -n 's/^listening on \(http[^ ]*\)$/\1/p')
    [[ -n $SERVER_URL ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "serve on port $1 exited: $(cat "$out.log")"
    sleep 0.05
  done
  fail "serve on port $1 did not start"
}

test_cached_token_of_a_restarted_server_is_dropped() {
  suite_setup
  local port first second
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  serve_on_port "$port"
  first=$(cc_token) || fail "first token"
  stop_server "$SERVER_PID"
  # --ephemeral: a new signing key; the cached token no longer verifies anywhere.
  serve_on_port "$port"
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  second=$STDOUT
  [[ $first != "$second" ]] || fail "the dead cached token was handed out again"
  expect_stderr 'cached token dropped: its signature no longer verifies'
  run_cli decode "$second" --server "$SERVER_URL"
  expect_exit 0
  # And the new one is cached: the next call answers from the cache.
  run_cli token --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) -v
  [[ $STDOUT == "$second" ]] || fail "the new token was not cached"
  expect_stderr 'token from the cache'
}
