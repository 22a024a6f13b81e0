# SPDX-License-Identifier: MIT
# `oauthctl check`: the conformance suite against a real `oauthctl serve` (every check
# passes, none skips), against small misbehaving servers (python3 http.server) that it
# must catch, with JUnit validated against tests/junit.xsd, baselines and exit codes.

XSD=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/junit.xsd

suite_requires() {
  command -v xmllint >/dev/null || { echo "no xmllint (libxml2-utils)"; return 1; }
  command -v python3 >/dev/null || { echo "no python3"; return 1; }
}

# ci_server: keygen into key.pem, then serve (demo set too) with Client ci: a secret, the
# key's JWK Set, every grant, the demo redirect URIs.
ci_server() {
  "$OAUTHCTL" keygen --alg ES256 --out key.pem --client-id ci >jwks.json 2>keygen.err ||
    fail "keygen failed: $(cat keygen.err)"
  jq '{clients: [{id: "ci", secret: "ci-secret", first_party: true, jwks: .,
        grant_types: ["client_credentials", "authorization_code", "refresh_token", "token_exchange",
                      "device_code", "jwt_bearer"],
        scope: ["system/*.rs", "system/Patient.rs", "system/Observation.rs", "openid", "profile",
                "fhirUser", "offline_access", "patient/*.rs"],
        auth: {authorization_code: {redirect_uri: ["http://127.0.0.1/callback"], refresh_token: true}}}]}' \
    jwks.json >clients.json
  start_server --config clients.json "$@"
}

# check_ci ARGS...: `oauthctl check` as client ci (secret and key), signed in as demo.
check_ci() {
  printf ci-secret >secret.txt
  OAUTHCTL_PASSWORD=demo run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt \
    --auth-method client_secret_basic --private-key key.pem --login demo --unauthorized-grant password "$@"
}

expect_closing_line() {
  [[ $(tail -n 1 "$TEST_DIR/stdout") =~ $1 ]] || fail "closing line '$(tail -n 1 "$TEST_DIR/stdout")' !~ /$1/"
}

expect_valid_junit() {
  xmllint --noout --schema "$XSD" "$1" 2>xmllint.err || fail "JUnit report invalid: $(cat xmllint.err)"
}

# misbehaving_server: metadata with a wrong issuer, a token endpoint that answers
# without Cache-Control and with expires_in as a string. Sets BAD_URL.
misbehaving_server() {
  cat >bad.py <<'PY'
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        base = "http://127.0.0.1:%d" % self.server.server_port
        if self.path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
            self.send_json(200, {"issuer": "https://wrong-issuer.example", "token_endpoint": base + "/token",
                                 "response_types_supported": ["code"],
                                 "grant_types_supported": ["client_credentials"],
                                 "token_endpoint_auth_methods_supported": ["client_secret_basic"]})
        else:
            self.send_json(404, {"error": "not_found"})
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_json(200, {"access_token": "tok-" + "x" * 30, "token_type": "Bearer", "expires_in": "3600"})
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
PY
  python3 bad.py >bad.port 2>bad.err &
  SERVER_PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s bad.port ]] && break
    sleep 0.05
  done
  BAD_URL=http://127.0.0.1:$(cat bad.port)
}

test_every_check_passes_against_serve_with_no_skip() {
  ci_server
  check_ci --junit report.xml
  expect_exit 0
  expect_closing_line '^[0-9]+ passed, 0 failed, 0 skipped$'
  local total
  total=$("$OAUTHCTL" check --list | wc -l)
  [[ $(tail -n 1 "$TEST_DIR/stdout") == "$total passed, 0 failed, 0 skipped" ]] ||
    fail "expected all $total checks to pass"
  ! grep -E '  (FAIL|SKIP)  ' "$TEST_DIR/stdout" || fail "a check failed or skipped"
  expect_stdout 'authorization-code\.happy-path +PASS .*signed in'
  expect_stdout 'backend\.jti-replay +PASS'
  expect_stdout 'refresh\.rotation +PASS .*rotated'
  expect_valid_junit report.xml
  [[ $(grep -c '<testcase ' report.xml) == "$total" ]] || fail "one testcase per check expected"
  grep -q '<property name="spec" value="RFC 9207 §2"/>' report.xml || fail "no spec property in the report"
  ! grep -q '<failure' report.xml || fail "a failure in the report"
  # The demo server keeps serving afterwards, and nothing secret reached the report.
  ! grep -q 'ci-secret' report.xml || fail "the client secret is in the report"
  http GET /.well-known/openid-configuration
  expect_status 200
}

test_json_output() {
  ci_server
  check_ci -o json --only discovery token
  expect_exit 0
  expect_json '.summary.failed == 0 and .summary.skipped == 0'
  expect_json '[.checks[].group] | unique == ["discovery", "token"]'
  expect_json 'all(.checks[]; (.spec | length) > 0 and (.status | IN("PASS", "WARN")))'
}

test_misbehaving_server_fails_with_exit_6_and_a_redacted_exchange() {
  misbehaving_server
  printf 'sekrit-value' >secret.txt
  run_cli check --server "$BAD_URL" --client-id app --client-secret-file secret.txt --only discovery token \
    --junit report.xml
  expect_exit 6
  expect_stdout 'discovery\.issuer-exact +FAIL .*wrong-issuer'
  expect_stdout 'token\.no-store +FAIL .*no Cache-Control'
  expect_stdout 'token\.expires-in-numeric +FAIL .*"3600"'
  [[ $STDOUT != *authorization-code* ]] || fail "--only let another group run"
  expect_closing_line '^[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped$'
  expect_valid_junit report.xml
  grep -q '<failure message="no Cache-Control header"' report.xml || fail "no failure element for token.no-store"
  # The exchange that showed it, with the client's Basic credentials redacted.
  grep -q '&gt; POST http://127.0.0.1:[0-9]*/token' report.xml || fail "no exchange in the failure"
  grep -q 'Authorization: Basic \*\*\*\*\*\*\*\*' report.xml || fail "the Authorization header is not redacted"
  ! grep -q "$(printf app:sekrit-value | base64)" report.xml || fail "the secret reached the report"
  ! grep -q 'tok-xxxxxxxxxxxxxxxx' report.xml || fail "the access token reached the report"
}

test_baseline_known_failures_and_fixed_ones() {
  misbehaving_server
  printf '# known\ndiscovery.issuer-exact\n' >baseline.txt
  run_cli check --server "$BAD_URL" --only discovery.issuer-exact --baseline baseline.txt
  expect_exit 0
  expect_stdout 'discovery\.issuer-exact +FAIL .*\(baseline\)'
  expect_stdout '1 known failure'
  expect_closing_line '^0 passed, 0 failed, 0 skipped$'
  start_server
  run_cli check --server "$SERVER_URL" --only discovery.issuer-exact --baseline baseline.txt
  expect_exit 0
  expect_stdout 'discovery.issuer-exact passes now: remove it from baseline.txt'
  printf 'no.such-check\n' >bad-baseline.txt
  run_cli check --server "$SERVER_URL" --baseline bad-baseline.txt
  expect_exit 2
  expect_stderr 'no check named "no.such-check"'
}

test_skips_say_why_without_credentials() {
  start_server
  run_cli check --server "$SERVER_URL"
  expect_exit 0
  expect_stdout 'discovery\.issuer-exact +PASS'
  expect_stdout 'authorization-code\.happy-path +SKIP .*no --client-id'
  expect_stdout 'backend\.happy-path +SKIP .*--private-key'
  run_cli check --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    --only authorization-code.state
  expect_exit 0
  expect_stdout 'authorization-code\.state +SKIP .*no --login'
  run_cli check --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    --only token.unauthorized-grant
  expect_exit 0
  expect_stdout 'token\.unauthorized-grant +SKIP .*no --unauthorized-grant'
}

# RFC 6749 §5.2: a served grant the client is not registered for is unauthorized_client.
test_unauthorized_grant_is_checked_with_the_grant_named() {
  ci_server
  printf ci-secret >secret.txt
  # ci may use every grant but password (and implicit).
  run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt \
    --only token.unauthorized-grant --unauthorized-grant password -o json
  expect_exit 0
  expect_json '.checks[0].status == "PASS" and (.checks[0].reason | test("password.*unauthorized_client"))'
  # A grant it may use: the server answers with a token, and the check fails saying so.
  run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt \
    --only token.unauthorized-grant --unauthorized-grant client_credentials
  expect_exit 6
  expect_stdout 'token\.unauthorized-grant +FAIL .*expected HTTP 400 unauthorized_client'
  for bad in implicit nonsense; do
    run_cli check --server "$SERVER_URL" --client-id ci --client-secret-file secret.txt --unauthorized-grant "$bad"
    expect_exit 2
    expect_one_line_stderr
    expect_stderr "--unauthorized-grant $bad"
  done
}

test_wrong_login_password_fails_the_code_flow() {
  start_server
  OAUTHCTL_PASSWORD=wrong run_cli check --server "$SERVER_URL" --client-id demo-client \
    --client-secret-file <(printf demo-secret) --login demo --only authorization-code.happy-path
  expect_exit 6
  expect_stdout 'authorization-code\.happy-path +FAIL .*login refused'
}

test_password_from_file_and_stdin() {
  start_server
  printf 'demo\n' >password.txt
  run_cli check --server "$SERVER_URL" --client-id demo-public --login demo --password-file password.txt \
    --only authorization-code.happy-path
  expect_exit 0
  # demo-public is not first-party: the consent form is approved headlessly too.
  expect_stdout 'authorization-code\.happy-path +PASS .*signed in, consent approved'
  STDIN=$'demo\n' run_cli check --server "$SERVER_URL" --client-id demo-public --login demo --password - \
    --only authorization-code.state
  expect_exit 0
  expect_stdout 'authorization-code\.state +PASS'
}

test_usage_errors_exit_2() {
  start_server
  run_cli check --server "$SERVER_URL" --only nope
  expect_exit 2
  expect_stderr 'no check or group named nope'
  expect_one_line_stderr
  run_cli check --server "$SERVER_URL" -o xml
  expect_exit 2
  run_cli check
  expect_exit 2
  expect_stderr 'missing --server'
  run_cli check --server "$SERVER_URL" --login demo
  expect_exit 2
  expect_stderr 'needs a password'
  run_cli check --explain no.such-check
  expect_exit 2
}

test_unreachable_server_exits_3() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  run_cli check --server "http://127.0.0.1:$port"
  expect_exit 3
  expect_one_line_stderr
}

test_explain_and_list() {
  run_cli check --explain authorization-code.pkce-verifier-is-challenge
  expect_exit 0
  expect_stdout 'spec: RFC 7636 §4.6'
  expect_stdout 'treats S256 as plain'
  run_cli check --list
  expect_exit 0
  expect_stdout 'discovery\.issuer-exact +RFC 8414 §3.3'
  expect_stdout 'introspection\.unknown-token'
}

# generic_login_server: an authorization server whose pages look like another product's: a
# redirect to /signin, a form with a CSRF token and fields named login/secret, a session
# cookie, then a consent page with Cancel and Approve buttons. Sets GENERIC_URL.
generic_login_server() {
  cat >generic.py <<'PY'
import base64, hashlib, html, http.server, json, secrets, urllib.parse
STATE = {"csrf": set(), "sessions": set(), "codes": {}}
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_port
    def reply(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def session(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "sid" and value in STATE["sessions"]:
                return value
        return None
    def form(self):
        return dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()))
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/oauth-authorization-server":
            b = self.base()
            doc = {"issuer": b, "authorization_endpoint": b + "/authorize", "token_endpoint": b + "/token",
                   "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
                   "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["none"]}
            return self.reply(200, json.dumps(doc).encode(), "application/json")
        if url.path == "/authorize":
            if query.get("redirect_uri") != "http://127.0.0.1/callback":
                return self.reply(400, b"<p>bad redirect_uri</p>")
            if not self.session():
                return self.reply(302, headers=[("Location", "/signin?next=" + urllib.parse.quote(self.path, safe=""))])
            hidden = "".join('<input type="hidden" name="%s" value="%s">' % (html.escape(k), html.escape(v))
                             for k, v in query.items())
            page = ('<html><body><h1>Grant access?</h1><form method="post" action="/consent">%s'
                    '<button type="submit" name="choice" value="no">Cancel</button>'
                    '<button type="submit" name="choice" value="yes">Approve</button></form></body></html>') % hidden
            return self.reply(200, page.encode())
        if url.path == "/signin":
            token = secrets.token_urlsafe(8)
            STATE["csrf"].add(token)
            page = ('<html><body><form method=POST action=signin>'
                    '<input type=hidden name=authenticity_token value="%s">'
                    '<input type=hidden name=next value="%s">'
                    '<label>Login <input type=text name=login></label>'
                    '<label>Secret <input type=password name=secret></label>'
                    '<input type=submit value="Sign in"></form></body></html>') % (token, html.escape(query.get("next", "")))
            return self.reply(200, page.encode())
        self.reply(404)
    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        form = self.form()
        if url.path == "/signin":
            if form.get("authenticity_token") not in STATE["csrf"]:
                return self.reply(403, b"<p>CSRF</p>")
            if form.get("login") != "alice" or form.get("secret") != "wonderland":
                return self.signin_again()
            sid = secrets.token_urlsafe(8)
            STATE["sessions"].add(sid)
            return self.reply(303, headers=[("Location", form["next"]), ("Set-Cookie", "sid=%s; HttpOnly; Path=/" % sid)])
        if url.path == "/consent":
            if not self.session() or form.get("choice") != "yes":
                return self.reply(403, b"<p>denied</p>")
            code = secrets.token_urlsafe(8)
            STATE["codes"][code] = form.get("code_challenge")
            q = urllib.parse.urlencode({"code": code, "state": form.get("state", "")})
            return self.reply(302, headers=[("Location", form["redirect_uri"] + "?" + q)])
        if url.path == "/token":
            challenge = STATE["codes"].pop(form.get("code"), None)
            verifier = form.get("code_verifier", "")
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge is None or computed != challenge:
                return self.reply(400, b'{"error": "invalid_grant"}', "application/json")
            body = json.dumps({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 60})
            return self.reply(200, body.encode(), "application/json", [("Cache-Control", "no-store")])
        self.reply(404)
    def signin_again(self):
        self.path = "/signin"
        self.do_GET()
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
PY
  python3 generic.py >generic.port 2>generic.err &
  SERVER_PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s generic.port ]] && break
    sleep 0.05
  done
  GENERIC_URL=http://127.0.0.1:$(cat generic.port)
}

test_headless_login_on_a_generic_login_and_consent_form() {
  generic_login_server
  OAUTHCTL_PASSWORD=wonderland run_cli check --server "$GENERIC_URL" --client-id app --auth-method none \
    --login alice --only authorization-code.happy-path authorization-code.state authorization-code.pkce-wrong-verifier
  expect_exit 0
  expect_stdout 'authorization-code\.happy-path +PASS .*signed in, consent approved'
  expect_stdout 'authorization-code\.state +PASS'
  expect_stdout 'authorization-code\.pkce-wrong-verifier +PASS'
  OAUTHCTL_PASSWORD=wrong run_cli check --server "$GENERIC_URL" --client-id app --auth-method none \
    --login alice --only authorization-code.happy-path
  expect_exit 6
  expect_stdout 'authorization-code\.happy-path +FAIL .*login refused'
}

test_browser_command_runs_the_plain_code_flow() {
  start_server
  write_browser
  run_cli check --server "$SERVER_URL" --client-id demo-client --client-secret-file <(printf demo-secret) \
    --browser "python3 $TEST_DIR/browser.py" --only authorization-code refresh oidc
  expect_exit 0
  expect_stdout 'authorization-code\.happy-path +PASS'
  expect_stdout 'authorization-code\.iss +PASS'
  expect_stdout 'authorization-code\.pkce-wrong-verifier +PASS'
  expect_stdout 'oidc\.id-token-claims +PASS'
  # What changes the authorization request needs --login.
  expect_stdout 'authorization-code\.unregistered-redirect-uri +SKIP .*needs --login'
}
