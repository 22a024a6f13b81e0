# SPDX-License-Identifier: MIT
"""python3-authlib as a client of `oauthctl serve`'s introspection (RFC 7662) and
revocation (RFC 7009) endpoints, found through discovery, with both client_secret_basic
and client_secret_post."""
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session

base = sys.argv[1]
meta = requests.get(base + "/.well-known/oauth-authorization-server", timeout=5).json()
introspect_url = meta["introspection_endpoint"]
revoke_url = meta["revocation_endpoint"]

for method in ("client_secret_basic", "client_secret_post"):
    session = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method=method,
                            revocation_endpoint_auth_method=method, scope="system/Patient.read")
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    access = token["access_token"]

    answer = session.introspect_token(introspect_url, token=access, token_type_hint="access_token")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["active"] is True, body
    assert body["client_id"] == "demo-client" and body["scope"] == "system/Patient.read", body
    assert body["iss"] == base and body["exp"] > body["iat"], body

    assert session.get(base + "/fhir/Patient", timeout=5).status_code == 200

    revoked = session.revoke_token(revoke_url, token=access, token_type_hint="access_token")
    assert revoked.status_code == 200, revoked.text
    assert session.introspect_token(introspect_url, token=access).json() == {"active": False}
    fhir = session.get(base + "/fhir/Patient", timeout=5)
    assert fhir.status_code == 401, fhir.text
    assert 'error="invalid_token"' in fhir.headers["WWW-Authenticate"], fhir.headers
    # RFC 7009 §2.2: unknown tokens are "revoked" too.
    assert session.revoke_token(revoke_url, token="never-issued").status_code == 200
    print(f"ok {method}: introspected active, revoked, then inactive and refused by FHIR")

# RFC 7662 §2.1: an unauthenticated caller is refused.
stranger = OAuth2Session("demo-client", "wrong-secret")
answer = stranger.introspect_token(introspect_url, token="whatever")
assert answer.status_code == 401 and answer.json()["error"] == "invalid_client", answer.text
print("ok wrong secret: 401 invalid_client")
