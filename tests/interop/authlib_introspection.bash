# SPDX-License-Identifier: MIT
# Interop: Debian's python3-authlib introspecting and revoking at `oauthctl serve`
# (RFC 7662, RFC 7009) with its OAuth2Session.introspect_token / revoke_token.

suite_requires() {
  /usr/bin/python3 -c 'import authlib, requests' || { echo "python3-authlib is not installed"; return 1; }
}

test_authlib_introspects_and_revokes() {
  start_server
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/authlib_introspection.py" "$SERVER_URL" ||
    fail "authlib introspection/revocation failed"
}
