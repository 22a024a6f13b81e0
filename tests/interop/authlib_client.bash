# SPDX-License-Identifier: MIT
# Interop: Debian's python3-authlib as the client of `oauthctl serve`.

suite_requires() {
  /usr/bin/python3 -c 'import authlib, requests' || { echo "python3-authlib is not installed"; return 1; }
}

test_authlib_client_credentials_and_jwks() {
  start_server
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/authlib_client.py" "$SERVER_URL" || fail "authlib client failed"
}

test_authlib_password_grant() {
  start_server
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/authlib_password.py" "$SERVER_URL" || fail "authlib password grant failed"
}
