# SPDX-License-Identifier: MIT
"""Debian's python3-authlib as a client of `oauthctl serve` for the resource owner password
grant (RFC 6749 §4.3): OAuth2Session.fetch_token with username and password, the id_token
verified through JWKS, the refresh token redeemed, and a wrong password answered with an
RFC 6749 §5.2 invalid_grant that authlib understands."""
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

base = sys.argv[1]
meta = requests.get(base + "/.well-known/openid-configuration", timeout=5).json()
assert "password" in meta["grant_types_supported"], meta["grant_types_supported"]
token_url = meta["token_endpoint"]
jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())

for method in ("client_secret_basic", "client_secret_post"):
    session = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method=method,
                            scope="openid profile user/*.read")
    token = session.fetch_token(token_url, username="demo", password="demo")
    assert token["token_type"].lower() == "bearer", token
    assert set(token["scope"].split()) == {"openid", "profile", "user/*.read"}, token
    claims = jwt.decode(token["id_token"], jwks,
                        claims_options={"iss": {"essential": True, "value": base},
                                        "aud": {"essential": True, "value": "demo-client"}})
    claims.validate()
    assert claims["sub"] == "demo", claims
    bundle = session.get(base + "/fhir/Patient", timeout=5)
    assert bundle.status_code == 200, bundle.text
    refreshed = session.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"], refreshed
    print(f"ok {method}: password grant, id_token verified, refresh token redeemed")

for username, password in (("demo", "wrong"), ("nobody", "wrong")):
    try:
        OAuth2Session("demo-client", "demo-secret").fetch_token(token_url, username=username, password=password)
        raise SystemExit(f"a wrong password for {username} was accepted")
    except Exception as error:  # authlib raises OAuthError
        assert "invalid_grant" in str(error), error
        print(f"ok wrong password for {username}: invalid_grant")
