# SPDX-License-Identifier: MIT
"""python3-authlib against `oauthctl serve`: private_key_jwt client authentication
(authlib.oauth2.rfc7523.PrivateKeyJWT) with RS384 and ES384 keys, a replayed assertion,
authlib's default one-hour assertion refused, and the jwt-bearer grant (AssertionSession)
for a user."""
import sys
import time

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import AssertionSession, OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7523 import PrivateKeyJWT

base, rs_path, es_path = sys.argv[1:4]
meta = requests.get(base + "/.well-known/oauth-authorization-server", timeout=5).json()
token_url = meta["token_endpoint"]
assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"], meta
assert "ES384" in meta["token_endpoint_auth_signing_alg_values_supported"], meta
jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())


def short_lived(jti=None):
    # SMART Backend Services: exp at most five minutes ahead (authlib's default is an hour).
    return {"exp": int(time.time()) + 240, "jti": jti or generate_token(24)}


def expect_error(call, error):
    try:
        call()
    except Exception as raised:  # authlib raises OAuthError
        assert error in str(raised), raised
        return
    raise SystemExit(f"expected {error}")


for client_id, path, alg in (("svc-rs", rs_path, "RS384"), ("svc-es", es_path, "ES384")):
    key = open(path, encoding="ascii").read()
    session = OAuth2Session(client_id, key, scope="system/Patient.read",
                            token_endpoint_auth_method=PrivateKeyJWT(token_url, claims=short_lived(), alg=alg))
    token = session.fetch_token(token_url, grant_type="client_credentials")
    assert token["scope"] == "system/Patient.read", token
    claims = jwt.decode(token["access_token"], jwks)
    claims.validate()
    assert claims["client_id"] == client_id and claims["sub"] == client_id, claims
    bundle = session.get(base + "/fhir/Patient", timeout=5)
    assert bundle.status_code == 200 and bundle.json()["resourceType"] == "Bundle", bundle.text
    print(f"ok {alg}: authlib private_key_jwt token, {bundle.json()['total']} patients")

    # The same jti twice: the second is a replay.
    fixed = short_lived("fixed-" + generate_token(12))
    first = OAuth2Session(client_id, key, token_endpoint_auth_method=PrivateKeyJWT(token_url, claims=dict(fixed), alg=alg))
    first.fetch_token(token_url, grant_type="client_credentials")
    again = OAuth2Session(client_id, key, token_endpoint_auth_method=PrivateKeyJWT(token_url, claims=dict(fixed), alg=alg))
    expect_error(lambda: again.fetch_token(token_url, grant_type="client_credentials"), "invalid_client")
    print(f"ok {alg}: a replayed jti is invalid_client")

    # authlib's default assertion lives an hour: more than SMART allows, so refused.
    lazy = OAuth2Session(client_id, key, token_endpoint_auth_method=PrivateKeyJWT(token_url, alg=alg))
    expect_error(lambda: lazy.fetch_token(token_url, grant_type="client_credentials"), "invalid_client")
    print(f"ok {alg}: a one-hour assertion is invalid_client")

    # Another client's key: refused.
    other = "svc-es" if client_id == "svc-rs" else "svc-rs"
    wrong = OAuth2Session(other, key, token_endpoint_auth_method=PrivateKeyJWT(token_url, claims=short_lived(), alg=alg))
    expect_error(lambda: wrong.fetch_token(token_url, grant_type="client_credentials"), "invalid_client")

    # RFC 7523 §2.1: the jwt-bearer grant for the demo user, no client authentication.
    assertion = AssertionSession(token_endpoint=token_url, issuer=client_id, subject="demo", audience=token_url,
                                 claims=short_lived(), key=key, header={"alg": alg}, scope="user/*.read")
    response = assertion.get(base + "/fhir/Patient", timeout=5)
    assert response.status_code == 200, response.text
    user_claims = jwt.decode(assertion.token["access_token"], jwks)
    assert user_claims["sub"] == "demo" and user_claims["client_id"] == client_id, user_claims
    print(f"ok {alg}: authlib AssertionSession got a token for user demo")
