# SPDX-License-Identifier: MIT
"""Debian's python3-authlib (on requests) against `oauthctl serve --tls-self-signed` with
certificate verification on: discovery, client_credentials with a secret, then mutual TLS
(RFC 8705) as self_signed_tls_client_auth with the client's certificate on the requests
session, the bound token used on the FHIR API with and without that certificate.

  authlib_tls.py BASE SERVER_CERT CLIENT_CERT CLIENT_KEY THUMBPRINT
"""
import base64
import json
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session

base, server_cert, client_cert, client_key, thumbprint = sys.argv[1:6]
assert base.startswith("https://"), base

meta = requests.get(base + "/.well-known/oauth-authorization-server", verify=server_cert, timeout=5).json()
assert meta["issuer"] == base, meta
assert all(value.startswith(base) for key, value in meta.items() if key.endswith("_endpoint")), meta
assert "self_signed_tls_client_auth" in meta["token_endpoint_auth_methods_supported"], meta
assert meta["tls_client_certificate_bound_access_tokens"] is True, meta

# Without the server's certificate, requests refuses the self-signed one.
try:
    requests.get(base + "/fhir/metadata", timeout=5)
    raise SystemExit("requests trusted the self-signed certificate without being told to")
except requests.exceptions.SSLError:
    pass

# A secret client over TLS: an unbound bearer token.
session = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method="client_secret_basic")
session.verify = server_cert
token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials", verify=server_cert)
assert session.get(base + "/fhir/Patient", timeout=5).status_code == 200
print("ok TLS: client_secret_basic token works on /fhir")

# Mutual TLS: authlib has no RFC 8705 client method, but its wire form is what "none"
# sends (client_id in the body); the certificate on the session is the credential.
mtls = OAuth2Session("svc-self", token_endpoint_auth_method="none")
mtls.verify = server_cert
mtls.cert = (client_cert, client_key)
token = mtls.fetch_token(meta["token_endpoint"], grant_type="client_credentials", verify=server_cert,
                         cert=(client_cert, client_key))
claims_part = token["access_token"].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
assert claims["cnf"] == {"x5t#S256": thumbprint}, claims
assert mtls.get(base + "/fhir/Patient", timeout=5).status_code == 200

# The same token from a session without the certificate is refused (RFC 8705 §3).
stolen = requests.get(base + "/fhir/Patient", verify=server_cert, timeout=5,
                      headers={"Authorization": "Bearer " + token["access_token"]})
assert stolen.status_code == 401, stolen.text
assert 'error="invalid_token"' in stolen.headers["WWW-Authenticate"], stolen.headers
print("ok mTLS: self_signed_tls_client_auth token bound to the certificate")
