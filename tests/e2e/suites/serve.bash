# SPDX-License-Identifier: MIT
# `oauthctl serve` itself: start-up lines, the SQLite store, seeding, and clean failure.

test_listening_line_and_demo_banner() {
  start_server
  local out=$TEST_DIR/server0.out
  [[ $(head -n 1 "$out") =~ ^listening\ on\ http://127\.0\.0\.1:[0-9]+$ ]] || fail "first line: $(head -n 1 "$out")"
  grep -q 'demo-client' "$out" || fail "demo banner does not name demo-client"
  # The banner's ready-to-paste command works as printed.
  local line
  line=$(grep -m1 -o 'oauthctl token .*' "$out") || fail "no ready-to-paste token line"
  # Its secret is not in the command (it would show in ps); the banner names it once.
  [[ $line != *demo-secret* ]] || fail "the try: line holds the secret: $line"
  export OAUTHCTL_CLIENT_SECRET=demo-secret
  RC=0
  eval "\"$OAUTHCTL\" ${line#oauthctl }" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" || RC=$?
  expect_exit 0
  grep -q '^ey' "$TEST_DIR/stdout" || fail "banner command printed no token"
}

test_store_survives_restart() {
  local db=$TEST_DIR/data/serve.db
  start_server --no-defaults --demo --data "$db"
  [[ -f $db ]] || fail "no database at $db"
  [[ $(stat -c %a "$db") == 600 ]] || fail "database mode is $(stat -c %a "$db"), want 600"
  local token kid1 kid2
  token=$(demo_token) || fail "no token"
  kid1=$(curl -s "$SERVER_URL/.well-known/jwks.json" | jq -r '.keys[0].kid')
  stop_server "$SERVER_PID" || fail "serve did not exit 0 on SIGTERM"
  start_server --no-defaults --demo --data "$db"
  kid2=$(curl -s "$SERVER_URL/.well-known/jwks.json" | jq -r '.keys[0].kid')
  [[ $kid1 == "$kid2" ]] || fail "signing key changed across restart: $kid1 -> $kid2"
  demo_token >/dev/null || fail "demo client refused after restart"
  stop_server "$SERVER_PID" || fail "serve did not exit 0 on SIGTERM"
  # Secrets are stored hashed, never in clear.
  if command -v sqlite3 >/dev/null; then
    sqlite3 "$db" .dump | grep -q demo-secret && fail "client secret stored in clear"
  fi
  grep -qa 'demo-secret' "$db" && fail "client secret stored in clear"
  return 0
}

# Issue 9: clients and users seeded from --config or --demo stop working once their source
# no longer lists them (the published demo secret must not outlive --demo); the restart
# says so in its log.
test_seeded_credentials_follow_their_source() {
  local db=$TEST_DIR/seeded/serve.db config=$TEST_DIR/seed.json
  cat >"$config" <<'JSON'
{"clients": [
  {"id": "cfg-client", "secret": "cfg-secret", "grant_types": ["client_credentials", "password"]},
  {"id": "cfg-gone", "secret": "gone-secret", "grant_types": ["client_credentials"]}]}
JSON
  start_server --no-defaults --demo --config "$config" --data "$db"
  demo_token >/dev/null || fail "demo client refused with --demo"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id cfg-gone \
    --client-secret-file <(printf gone-secret)
  expect_exit 0
  stop_server "$SERVER_PID" || fail "serve did not exit 0 on SIGTERM"

  cat >"$config" <<'JSON'
{"clients": [{"id": "cfg-client", "secret": "cfg-secret", "grant_types": ["client_credentials", "password"]}]}
JSON
  start_server --no-defaults --config "$config" --data "$db"
  local log=$TEST_DIR/server1.log
  grep -q 'client demo-client (seeded from --demo) is no longer in the seed: removed' "$log" ||
    fail "no log line for demo-client: $(cat "$log")"
  grep -q 'client cfg-gone (seeded from --config) is no longer in the seed: removed' "$log" ||
    fail "no log line for cfg-gone: $(cat "$log")"
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret)
  expect_exit 4
  expect_stderr 'invalid_client'
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id cfg-gone \
    --client-secret-file <(printf gone-secret)
  expect_exit 4
  expect_stderr 'invalid_client'
  # demo/demo was seeded by --demo too: gone, so a password grant by a client still seeded fails.
  STDIN=$'demo\n' run_cli token --grant password --server "$SERVER_URL" --client-id cfg-client \
    --client-secret-file <(printf cfg-secret) --username demo --password -
  expect_exit 4
  expect_stderr 'invalid_grant'
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id cfg-client \
    --client-secret-file <(printf cfg-secret)
  expect_exit 0
}

test_aidbox_client_resource_as_is() {
  # An Aidbox Client resource, with members we do not use.
  cat >serve.json <<'JSON'
[{"resourceType": "Client", "id": "billing-service", "secret": "b1ll1ng-secret",
  "meta": {"lastUpdated": "2024-01-01T00:00:00Z"}, "type": "service",
  "grant_types": ["client_credentials"], "scope": ["system/Patient.read", "system/Observation.rs"],
  "auth": {"client_credentials": {"token_format": "jwt", "access_token_expiration": 600}}}]
JSON
  start_server --no-defaults --ephemeral --config serve.json
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id billing-service \
    --client-secret-file <(printf b1ll1ng-secret) -o json
  expect_exit 0
  expect_json '.expires_in <= 600 and .expires_in > 590'
  # The demo set is not there without --demo.
  run_cli token --grant client_credentials --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret)
  expect_exit 4
}

test_bad_config_and_busy_port() {
  printf '{"clients": [ {"id": 12, ' >bad.json
  run_cli serve --ephemeral --port 0 --config bad.json
  expect_exit 2
  expect_one_line_stderr
  expect_stderr 'bad.json'
  run_cli serve --ephemeral --port 0 --config /nonexistent/serve.json
  expect_exit 2
  start_server
  local port=${SERVER_URL##*:}
  run_cli serve --ephemeral --port "$port"
  expect_exit 3
  expect_one_line_stderr
}

test_log_has_no_secrets() {
  start_server
  local token
  token=$(demo_token) || fail "no token"
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$SERVER_URL/fhir/Patient?name=secret-query"
  curl -s -o /dev/null "$SERVER_URL/auth/token" -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret
  sleep 0.2
  local log=$TEST_DIR/server0.log
  grep -q '/fhir/Patient' "$log" || fail "request log has no line for /fhir/Patient: $(cat "$log")"
  grep -q 'demo-secret' "$log" && fail "log shows a secret"
  grep -qF "$token" "$log" && fail "log shows a token"
  grep -q 'secret-query' "$log" && fail "log shows a query string"
  return 0
}

test_store_pool_is_a_count_of_connections() {
  local bad
  for bad in 0 1001 many -3; do
    run_cli serve --ephemeral --port 0 --store-pool "$bad"
    expect_exit 2
    expect_stderr "invalid --store-pool $bad \\(1 to 1000 connections\\)"
    expect_one_line_stderr
  done
  # A database server that is not there: a network error (exit 3) naming the cause, at once.
  run_cli serve --port 0 --store postgres://nobody@127.0.0.1:1/none --store-pool 2
  expect_exit 3
  expect_stderr 'database unavailable'
  expect_one_line_stderr
}

test_consent_lifetime_is_a_duration() {
  local bad
  for bad in "" -1 90x 1.5d d 3651d 99999999999; do
    run_cli serve --ephemeral --port 0 --consent-lifetime "$bad"
    expect_exit 2
    expect_stderr "^oauthctl: invalid --consent-lifetime $bad: expected a duration such as 90d"
    expect_one_line_stderr
  done
  # Good values start the server (0: until withdrawn); the env variable works too.
  local good
  for good in 90d 12h 30m 600 0 3650d; do
    start_server --consent-lifetime "$good"
    stop_server "$SERVER_PID"
  done
  OAUTHCTL_SERVE_CONSENT_LIFETIME=1x run_cli serve --ephemeral --port 0
  expect_exit 2
  expect_stderr 'invalid --consent-lifetime 1x'
}

# Issue 9 (start-up): libcurl and libpq, with the LDAP, Kerberos and GnuTLS libraries they
# pull in, cost every process ~15 ms of CPU at exec; they are loaded when first needed.
# `serve` on SQLite needs neither, nor does a command that sends no request; a command
# that does (here `token`) still works, and --version still names libcurl's version.
test_libcurl_and_libpq_load_only_when_needed() {
  start_server --no-defaults --demo --ephemeral
  local maps
  maps=$(cat "/proc/$SERVER_PID/maps") || fail "cannot read the maps of serve"
  [[ $maps != *libcurl.so* ]] || fail "serve on SQLite loaded libcurl"
  [[ $maps != *libpq.so* ]] || fail "serve on SQLite loaded libpq"
  [[ $maps == *libsqlite3.so* ]] || fail "maps without libsqlite3: not the maps of serve?"
  LD_DEBUG=files "$OAUTHCTL" cache path >/dev/null 2>"$TEST_DIR/ld.txt" || fail "cache path failed"
  grep -q 'file=libcurl' "$TEST_DIR/ld.txt" && fail "cache path loaded libcurl"
  grep -q 'file=libpq' "$TEST_DIR/ld.txt" && fail "cache path loaded libpq"
  grep -q 'file=libssl' "$TEST_DIR/ld.txt" || fail "LD_DEBUG=files listed nothing: the check proves nothing"
  demo_token >/dev/null || fail "token (libcurl loaded on first use) failed"
  run_cli --version
  expect_exit 0
  grep -q '^libcurl/[0-9]' "$TEST_DIR/stdout" || fail "--version names no libcurl: $(cat "$TEST_DIR/stdout")"
}
