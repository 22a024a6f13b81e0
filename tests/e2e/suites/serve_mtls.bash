# SPDX-License-Identifier: MIT
# Mutual TLS (RFC 8705, issue 10), both halves: `serve --tls-client-ca` with clients that
# authenticate by tls_client_auth (a CA-issued certificate with the registered subject DN
# or SAN) and self_signed_tls_client_auth (a certificate in the client's jwks or at its
# jwks_uri), access tokens bound to the certificate (cnf x5t#S256) that /fhir, userinfo
# and introspection honour; the client's --client-cert/--client-key; curl as the other client.

suite_requires() {
  command -v openssl >/dev/null || {
    echo "openssl missing"
    return 1
  }
}

# make_pki: a CA (ca.crt), a certificate it issued to svc-pki (pki.crt/pki.key, subject
# CN=svc-pki,O=Example Corp, SAN DNS svc.example), a self-signed one for svc-self whose key
# is in self-jwks.json (self.crt/self.key), and an impostor: self-signed, same subject as
# pki.crt (fake.crt/fake.key).
make_pki() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
    -subj "/CN=Test CA" 2>>openssl.err || fail "CA: $(cat openssl.err)"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout pki.key -out pki.csr \
    -subj "/O=Example Corp/CN=svc-pki" 2>>openssl.err || fail "CSR: $(cat openssl.err)"
  printf 'subjectAltName=DNS:svc.example\nextendedKeyUsage=clientAuth\n' >pki.ext
  openssl x509 -req -in pki.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile pki.ext \
    -out pki.crt 2>>openssl.err || fail "sign: $(cat openssl.err)"
  "$OAUTHCTL" keygen --alg ES256 --out self.key --client-id svc-self >self-jwks.json 2>keygen.err ||
    fail "keygen: $(cat keygen.err)"
  openssl req -x509 -key self.key -out self.crt -days 2 -subj "/CN=svc-self" 2>>openssl.err ||
    fail "self-signed: $(cat openssl.err)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout fake.key -out fake.crt -days 2 \
    -subj "/O=Example Corp/CN=svc-pki" 2>>openssl.err || fail "impostor: $(cat openssl.err)"
}

# x5t FILE: the RFC 8705 thumbprint of a PEM certificate (base64url SHA-256 of its DER).
x5t() {
  openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n'
}

# mtls_server: serve over TLS trusting ca.crt for client certificates, with svc-pki (by
# subject DN), svc-dns (by SAN DNS), svc-self (self-signed, key in jwks), bound-secret (a
# secret client whose tokens are bound), pub-bound (a public client whose tokens are bound,
# refresh tokens with the password grant) and the demo set; more serve options after it.
# Sets CERT (the server's).
mtls_server() {
  make_pki
  jq -n --slurpfile jwks self-jwks.json '{clients: [
      {id: "svc-pki", grant_types: ["client_credentials"], scope: ["system/*.read"],
       token_endpoint_auth_method: "tls_client_auth", tls_client_auth_subject_dn: "CN=svc-pki, O=Example Corp"},
      {id: "svc-dns", grant_types: ["client_credentials"], scope: ["system/*.read"],
       token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "SVC.example"},
      {id: "svc-self", grant_types: ["client_credentials"], scope: ["system/*.read"],
       token_endpoint_auth_method: "self_signed_tls_client_auth", jwks: $jwks[0]},
      {id: "bound-secret", secret: "s3cret", grant_types: ["client_credentials"], scope: ["system/*.read"],
       tls_client_certificate_bound_access_tokens: true},
      {id: "pub-bound", grant_types: ["password", "refresh_token"], auth: {password: {refresh_token: true}},
       tls_client_certificate_bound_access_tokens: true}]}' >mtls.json
  start_server --tls-self-signed --tls-client-ca ca.crt --config mtls.json "$@"
  CERT=$(sed -n 's/^tls certificate: //p' "$TEST_DIR/server$((${#SERVER_PIDS[@]} - 1)).out")
}

# token_as CLIENT CERT KEY [more token options]: oauthctl token with a client certificate
# (--auth-method $METHOD, default tls_client_auth).
token_as() {
  local client=$1 cert=$2 key=$3
  shift 3
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --no-cache \
    --client-id "$client" --auth-method "${METHOD:-tls_client_auth}" --client-cert "$cert" --client-key "$key" "$@"
}

test_discovery_lists_mutual_tls() {
  mtls_server
  curl -sS --cacert "$CERT" "$SERVER_URL/.well-known/oauth-authorization-server" >meta.json
  expect_json '.token_endpoint_auth_methods_supported | index("tls_client_auth") and index("self_signed_tls_client_auth")' meta.json
  expect_json '.tls_client_certificate_bound_access_tokens == true' meta.json
  expect_json '.introspection_endpoint_auth_methods_supported | index("tls_client_auth")' meta.json
  # One port takes certificates for every endpoint: no aliases (RFC 8705 §5).
  expect_json 'has("mtls_endpoint_aliases") | not' meta.json
  # A plain HTTP server cannot see certificates, and does not claim to.
  start_server
  curl -sS "$SERVER_URL/.well-known/oauth-authorization-server" >plain.json
  expect_json '(.token_endpoint_auth_methods_supported | index("tls_client_auth")) == null' plain.json
  expect_json 'has("tls_client_certificate_bound_access_tokens") | not' plain.json
}

test_tls_client_auth_with_our_client_and_bound_token_on_fhir() {
  mtls_server
  token_as svc-pki pki.crt pki.key
  expect_exit 0
  local token=$STDOUT
  jwt_claims "$token" >claims.json
  expect_json ".sub == \"svc-pki\" and .cnf[\"x5t#S256\"] == \"$(x5t pki.crt)\"" claims.json
  # The FHIR server takes the token only with the certificate it is bound to.
  run_cli fhir Patient --server "$SERVER_URL" --cacert "$CERT" --client-cert pki.crt --client-key pki.key \
    --access-token "$token" --compact
  expect_exit 0
  expect_json '.resourceType == "Bundle"'
  http GET /fhir/Patient --cacert "$CERT" --cert pki.crt --key pki.key -H "Authorization: Bearer $token"
  expect_status 200
  # Stolen: without a certificate, or with another one, it is refused.
  http GET /fhir/Patient --cacert "$CERT" -H "Authorization: Bearer $token"
  expect_status 401
  expect_header 'www-authenticate: Bearer .*error="invalid_token"'
  http GET /fhir/Patient --cacert "$CERT" --cert self.crt --key self.key -H "Authorization: Bearer $token"
  expect_status 401
  run_cli fhir Patient --server "$SERVER_URL" --cacert "$CERT" --access-token "$token"
  expect_exit 4
  # The SAN-registered client authenticates with the same certificate (DNS names ignore case).
  token_as svc-dns pki.crt pki.key
  expect_exit 0
}

# RFC 8705 §5: mutual TLS on a port of its own (--mtls-port). The main port asks nobody for
# a certificate (a browser would prompt its user on the login page); discovery names the
# other port's endpoints in mtls_endpoint_aliases, and our client, given the main URL and a
# certificate, goes there.
test_mtls_port_of_its_own_with_endpoint_aliases() {
  mtls_server --mtls-port 0
  local out=$TEST_DIR/server$((${#SERVER_PIDS[@]} - 1)).out mtls= i
  for ((i = 0; i < 100; i++)); do
    mtls=$(sed -n 's/^mutual tls on //p' "$out")
    [[ -n $mtls ]] && break
    sleep 0.05
  done
  [[ $mtls == https://127.0.0.1:* && $mtls != "$SERVER_URL" ]] || fail "no 'mutual tls on' line: $(cat "$out")"
  curl -sS --cacert "$CERT" "$SERVER_URL/.well-known/openid-configuration" >meta.json
  expect_json ".mtls_endpoint_aliases.token_endpoint == \"$mtls/auth/token\"" meta.json
  expect_json ".mtls_endpoint_aliases.introspection_endpoint == \"$mtls/auth/introspect\"" meta.json
  expect_json ".mtls_endpoint_aliases.userinfo_endpoint == \"$mtls/auth/userinfo\"" meta.json
  expect_json ".token_endpoint == \"$SERVER_URL/auth/token\"" meta.json
  # The main port's handshake asks for no certificate, so curl sends none: svc-pki cannot
  # authenticate there.
  http POST /auth/token --cacert "$CERT" --cert pki.crt --key pki.key -d grant_type=client_credentials \
    -d client_id=svc-pki
  expect_status 401
  expect_json '.error == "invalid_client"' body
  # On the mutual TLS port the same request gets a token.
  SERVER_URL=$mtls http POST /auth/token --cacert "$CERT" --cert pki.crt --key pki.key \
    -d grant_type=client_credentials -d client_id=svc-pki
  expect_status 200
  # Our client, pointed at the main URL, follows the alias (RFC 8705 §5).
  token_as svc-pki pki.crt pki.key -v
  expect_exit 0
  grep -qF "POST $mtls/auth/token" "$TEST_DIR/stderr" || fail "the token request did not go to $mtls: $(cat "$TEST_DIR/stderr")"
  local token
  token=$STDOUT
  # The bound token is good on the port that sees the certificate, and nowhere without it.
  SERVER_URL=$mtls http GET /fhir/Patient --cacert "$CERT" --cert pki.crt --key pki.key \
    -H "Authorization: Bearer $token"
  expect_status 200
  http GET /fhir/Patient --cacert "$CERT" --cert pki.crt --key pki.key -H "Authorization: Bearer $token"
  expect_status 401
  # A secret client without a certificate keeps using the main port.
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --no-cache \
    --client-id demo-client --client-secret-file <(printf demo-secret) -v
  expect_exit 0
  grep -qF "POST $SERVER_URL/auth/token" "$TEST_DIR/stderr" || fail "expected the main port: $(cat "$TEST_DIR/stderr")"
  # Plain HTTP has no mutual TLS to give a port to.
  run_cli serve --port 0 --ephemeral --mtls-port 0
  expect_exit 2
  expect_stderr 'mtls-port needs TLS'
}

test_tls_client_auth_refuses_what_does_not_prove_the_client() {
  mtls_server
  # A self-signed certificate with the registered subject: not from the trusted CA.
  token_as svc-pki fake.crt fake.key
  expect_exit 4
  expect_stderr 'invalid_client'
  # No certificate at all.
  http POST /auth/token --cacert "$CERT" -d grant_type=client_credentials -d client_id=svc-pki
  expect_status 401
  expect_json '.error == "invalid_client"' body
  # A CA-issued certificate with another name.
  token_as svc-self pki.crt pki.key
  expect_exit 4
  # A secret instead of the certificate (the registered method is the only one).
  http POST /auth/token --cacert "$CERT" --cert pki.crt --key pki.key -u svc-pki:guess \
    -d grant_type=client_credentials
  expect_status 401
  # The client side: the method needs a certificate.
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --client-id svc-pki \
    --auth-method tls_client_auth
  expect_exit 2
  expect_stderr '--client-cert'
}

test_self_signed_tls_client_auth_and_curl() {
  mtls_server
  METHOD=self_signed_tls_client_auth token_as svc-self self.crt self.key -o json
  expect_exit 0
  jwt_claims "$(jq -r .access_token <<<"$STDOUT")" >claims.json
  expect_json ".cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" claims.json
  # curl, the other client: the certificate and client_id, nothing else.
  http POST /auth/token --cacert "$CERT" --cert self.crt --key self.key -d grant_type=client_credentials \
    -d client_id=svc-self
  expect_status 200
  local token
  token=$(jq -r .access_token body)
  http GET /fhir/Patient --cacert "$CERT" --cert self.crt --key self.key -H "Authorization: Bearer $token"
  expect_status 200
  # Introspection (by another client) shows the binding, for resource servers to check.
  http POST /auth/introspect --cacert "$CERT" -u demo-client:demo-secret --data-urlencode "token=$token"
  expect_status 200
  expect_json ".active == true and .cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" body
  # A key that is not in svc-self's jwks.
  METHOD=self_signed_tls_client_auth token_as svc-self fake.crt fake.key
  expect_exit 4
}

# serve_http_dir: python's http.server on 127.0.0.1 serving the test directory (another
# oauthctl serve cannot serve files); sets HTTP_PORT.
serve_http_dir() {
  python3 -m http.server 0 --bind 127.0.0.1 >http.log 2>&1 &
  SERVER_PIDS+=($!)
  local i
  HTTP_PORT=
  for ((i = 0; i < 100; i++)); do
    HTTP_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' http.log | head -n 1)
    [[ -n $HTTP_PORT ]] && break
    sleep 0.05
  done
  [[ -n $HTTP_PORT ]] || fail "http.server did not start"
}

test_self_signed_client_registered_by_jwks_uri() {
  make_pki
  # RFC 8705 §2.2.2: the certificates may be published at a jwks_uri instead of inline.
  serve_http_dir
  local base="http://127.0.0.1:$HTTP_PORT"
  jq -n --arg uri "$base/self-jwks.json" --arg gone "$base/gone.json" '{clients: [
      {id: "svc-self", grant_types: ["client_credentials"], scope: ["system/*.read"],
       token_endpoint_auth_method: "self_signed_tls_client_auth", jwks_uri: $uri},
      {id: "svc-gone", grant_types: ["client_credentials"], scope: ["system/*.read"],
       token_endpoint_auth_method: "self_signed_tls_client_auth", jwks_uri: $gone}]}' >uri.json
  start_server --tls-self-signed --config uri.json
  CERT=$(sed -n 's/^tls certificate: //p' "$TEST_DIR/server$((${#SERVER_PIDS[@]} - 1)).out")
  METHOD=self_signed_tls_client_auth token_as svc-self self.crt self.key -o json
  expect_exit 0
  jwt_claims "$(jq -r .access_token <<<"$STDOUT")" >claims.json
  expect_json ".cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" claims.json
  # A certificate whose key is not in the published set.
  METHOD=self_signed_tls_client_auth token_as svc-self fake.crt fake.key
  expect_exit 4
  expect_stderr 'invalid_client'
  # Read once, then cached: three handshakes, one fetch.
  http POST /auth/token --cacert "$CERT" --cert self.crt --key self.key -d grant_type=client_credentials \
    -d client_id=svc-self
  expect_status 200
  [[ $(grep -c 'GET /self-jwks.json' http.log) == 1 ]] || fail "the jwks_uri was fetched more than once: $(cat http.log)"
  # A set that cannot be read: invalid_client, and the internal URL is not shown.
  http POST /auth/token --cacert "$CERT" --cert self.crt --key self.key -d grant_type=client_credentials \
    -d client_id=svc-gone
  expect_status 401
  expect_json '.error == "invalid_client"' body
  ! grep -qE "127.0.0.1:$HTTP_PORT|gone.json" body || fail "the error shows the jwks_uri: $(cat body)"
}

test_bound_tokens_for_a_secret_client() {
  mtls_server
  printf s3cret >secret.txt
  # Bound tokens need a certificate to bind to.
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --no-cache \
    --client-id bound-secret --client-secret-file secret.txt
  expect_exit 4
  expect_stderr 'certificate'
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --no-cache \
    --client-id bound-secret --client-secret-file secret.txt --client-cert self.crt --client-key self.key
  expect_exit 0
  jwt_claims "$STDOUT" >claims.json
  expect_json ".cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" claims.json
  # Unbound clients are unaffected by a certificate they happen to present.
  run_cli token --grant client_credentials --server "$SERVER_URL" --cacert "$CERT" --no-cache \
    --client-id demo-client --client-secret-file <(printf demo-secret) --client-cert self.crt --client-key self.key
  expect_exit 0
  jwt_claims "$STDOUT" >demo.json
  expect_json 'has("cnf") | not' demo.json
}

# refresh_with CERT-ARGS... -- TOKEN: a refresh_token request of pub-bound with curl.
refresh_with() {
  local args=()
  while [[ $1 != -- ]]; do
    args+=("$1")
    shift
  done
  http POST /auth/token --cacert "$CERT" "${args[@]}" -d grant_type=refresh_token -d client_id=pub-bound \
    --data-urlencode "refresh_token=$2"
}

test_public_client_refresh_token_bound_to_its_certificate() {
  mtls_server
  # RFC 8705 §4: a public client cannot authenticate, so its refresh token is bound to the
  # certificate it was issued over, like its access tokens.
  http POST /auth/token --cacert "$CERT" --cert self.crt --key self.key -d grant_type=password \
    -d client_id=pub-bound -d username=demo -d password=demo
  expect_status 200
  jwt_claims "$(jq -r .access_token body)" >claims.json
  expect_json ".cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" claims.json
  local refresh next
  refresh=$(jq -r '.refresh_token // empty' body)
  [[ -n $refresh ]] || fail "no refresh token: $BODY"
  # Stolen: with another certificate (one the server would take for another client), or
  # over TLS with none, the refresh is refused and the token stays usable.
  refresh_with --cert fake.crt --key fake.key -- "$refresh"
  expect_status 400
  expect_json '.error == "invalid_grant"' body
  refresh_with --cert pki.crt --key pki.key -- "$refresh"
  expect_status 400
  expect_json '.error == "invalid_grant"' body
  refresh_with -- "$refresh"
  expect_status 400
  expect_json '.error == "invalid_grant"' body
  # Its own certificate refreshes it: access token and successor bound to it as before.
  refresh_with --cert self.crt --key self.key -- "$refresh"
  expect_status 200
  jwt_claims "$(jq -r .access_token body)" >claims.json
  expect_json ".cnf[\"x5t#S256\"] == \"$(x5t self.crt)\"" claims.json
  next=$(jq -r '.refresh_token // empty' body)
  [[ -n $next && $next != "$refresh" ]] || fail "no rotated refresh token: $BODY"
  refresh_with --cert fake.crt --key fake.key -- "$next"
  expect_status 400
  expect_json '.error == "invalid_grant"' body
  # Our client refreshes with the certificate as well, and not without it.
  OAUTHCTL_REFRESH_TOKEN=$next run_cli token --grant refresh_token --server "$SERVER_URL" --cacert "$CERT" \
    --no-cache --client-id pub-bound -o json
  expect_exit 4
  expect_stderr 'invalid_grant'
  OAUTHCTL_REFRESH_TOKEN=$next run_cli token --grant refresh_token --server "$SERVER_URL" --cacert "$CERT" \
    --no-cache --client-id pub-bound --client-cert self.crt --client-key self.key -o json
  expect_exit 0
  expect_json '.refresh_token | length > 0'
}

test_mutual_tls_configuration_errors() {
  make_pki
  jq -n '{clients: [{id: "x", grant_types: ["client_credentials"], token_endpoint_auth_method: "tls_client_auth"}]}' >noname.json
  run_cli serve --ephemeral --port 0 --tls-self-signed --tls-client-ca ca.crt --config noname.json
  expect_exit 2
  expect_stderr 'exactly one of tls_client_auth_subject_dn'
  jq -n '{clients: [{id: "x", grant_types: ["client_credentials"], token_endpoint_auth_method: "self_signed_tls_client_auth"}]}' >nojwks.json
  run_cli serve --ephemeral --port 0 --tls-self-signed --config nojwks.json
  expect_exit 2
  expect_stderr 'jwks'
  run_cli serve --ephemeral --port 0 --tls-client-ca ca.crt
  expect_exit 2
  expect_stderr 'needs TLS'
  run_cli serve --ephemeral --port 0 --tls-self-signed --tls-client-ca missing.crt
  expect_exit 2
  expect_one_line_stderr
}
