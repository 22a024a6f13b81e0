# SPDX-License-Identifier: MIT
"""A strict third-party client (Debian's python3-authlib) against `oauthctl serve`:
discovery, client_credentials with client_secret_basic and client_secret_post, then the
access token verified through the published JWKS, then the FHIR API with it."""
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

base = sys.argv[1]
meta = requests.get(base + "/.well-known/oauth-authorization-server", timeout=5).json()
assert meta["issuer"] == base, meta
token_url = meta["token_endpoint"]

for method in ("client_secret_basic", "client_secret_post"):
    session = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method=method,
                            scope="system/Patient.read")
    token = session.fetch_token(token_url, grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer", token
    assert token["scope"] == "system/Patient.read", token

    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())
    claims = jwt.decode(token["access_token"], jwks,
                        claims_options={"iss": {"essential": True, "value": base},
                                        "exp": {"essential": True}})
    claims.validate()
    assert claims["client_id"] == "demo-client", claims
    aud = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    assert base + "/fhir" in aud, claims

    bundle = session.get(base + "/fhir/Patient", timeout=5)
    assert bundle.status_code == 200, bundle.text
    assert bundle.json()["resourceType"] == "Bundle"
    print(f"ok {method}: token verified through JWKS, {bundle.json()['total']} patients")

# A wrong secret is an RFC 6749 §5.2 error authlib understands.
try:
    OAuth2Session("demo-client", "wrong").fetch_token(token_url, grant_type="client_credentials")
    raise SystemExit("a wrong secret was accepted")
except Exception as error:  # authlib raises OAuthError
    assert "invalid_client" in str(error), error
    print("ok wrong secret: invalid_client")
