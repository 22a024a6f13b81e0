# SPDX-License-Identifier: MIT
# `oauthctl discover`: the metadata as a table or raw JSON, and the Security BCP warnings.

setup_env() {
  export XDG_CONFIG_HOME=$TEST_DIR/config XDG_CACHE_HOME=$TEST_DIR/cache
  unset OAUTHCTL_PROFILE OAUTHCTL_CONFIG OAUTHCTL_SERVER
}

test_table_and_json() {
  setup_env
  start_server
  run_cli discover --server "$SERVER_URL"
  expect_exit 0
  expect_stdout "issuer +$SERVER_URL"
  expect_stdout "token_endpoint +$SERVER_URL/auth/token"
  run_cli discover --server "$SERVER_URL" -o json
  expect_exit 0
  expect_json ".issuer == \"$SERVER_URL\" and (.code_challenge_methods_supported | index(\"S256\"))"
  # The demo server offers implicit for compatibility: the BCP warning says so, on stderr.
  if jq -e '.grant_types_supported | index("implicit")' "$TEST_DIR/stdout" >/dev/null; then
    expect_stderr 'warning: the implicit grant is enabled'
  fi
  [[ $STDERR != *S256* ]] || fail "S256 is offered, yet a PKCE warning: $STDERR"
}

test_server_from_a_profile() {
  setup_env
  start_server
  mkdir -p "$XDG_CONFIG_HOME/oauthctl"
  printf '[profile.default]\nserver = "%s"\n' "$SERVER_URL" >"$XDG_CONFIG_HOME/oauthctl/config.toml"
  run_cli discover -o json
  expect_exit 0
  expect_json ".issuer == \"$SERVER_URL\""
}

test_bcp_warnings() {
  command -v python3 >/dev/null || { echo "SKIP: no python3"; return 0; }
  setup_env
  cat >meta.py <<'PY'
import http.server, json
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        host = "http://127.0.0.1:%d" % self.server.server_address[1]
        doc = {"issuer": host, "token_endpoint": host + "/token",
               "authorization_endpoint": "http://auth.example.com/authorize",
               "grant_types_supported": ["authorization_code", "implicit", "password"],
               "response_types_supported": ["code", "token"],
               "code_challenge_methods_supported": ["plain"]}
        data = json.dumps(doc).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
  python3 meta.py >meta.port &
  SERVER_PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do [[ -s meta.port ]] && break; sleep 0.05; done
  run_cli discover --server "http://127.0.0.1:$(cat meta.port)"
  expect_exit 0
  expect_stderr 'implicit grant is enabled'
  expect_stderr 'password grant is enabled'
  expect_stderr 'no PKCE S256'
  expect_stderr 'PKCE plain'
  expect_stderr 'authorization_endpoint uses plain http on a non-loopback host'
  [[ $STDERR != *"token_endpoint uses plain http"* ]] || fail "loopback http was warned about"
}

test_no_metadata_and_usage() {
  setup_env
  run_cli discover
  expect_exit 2
  run_cli discover --server http://127.0.0.1:9 -o yaml
  expect_exit 2
  run_cli discover --server http://127.0.0.1:9
  expect_exit 3
  expect_one_line_stderr
}
