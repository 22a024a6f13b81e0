#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A scripted browser and client for the replica suite: every step names the replica it
# goes to, as a load balancer might send it; one cookie jar for all of them (cookies are
# per host, not per port, RFC 6265 §8.5), so a login session follows the user around.
#
#   replica_client.py code AUTHORIZE LOGIN CONSENT CLIENT_ID
#       authorization request at AUTHORIZE, sign-in as demo/demo at LOGIN, consent at
#       CONSENT; prints {"code", "code_verifier", "redirect_uri"}
#   replica_client.py race N CLIENT_ID BASE...
#       N times: a code (authorize, sign-in and consent at the first BASE), then the same
#       code redeemed at every BASE at the same moment; prints one line per round with the
#       HTTP statuses, and fails unless each round issued exactly one token
#   replica_client.py revocation-delay N A B
#       N times: a client_credentials token from A, read on B, revoked on A, then read on
#       B over one keep-alive connection until refused; prints the delays in ms (from the
#       revocation's response to the first refusal)
import base64
import hashlib
import http.client
import http.cookiejar
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REDIRECT = "http://127.0.0.1:9/callback"
SCOPE = "openid offline_access patient/*.rs"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


def go(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        response = OPENER.open(urllib.request.Request(url, data=body), timeout=10)
        return response.status, response.headers.get("Location"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location"), error.read().decode()


def code(authorize, login, consent, client_id):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                    "scope": SCOPE, "state": "st-1", "code_challenge": challenge,
                                    "code_challenge_method": "S256"})
    url, data = authorize + "/auth/authorize?" + query, None
    for _ in range(10):
        status, location, page = go(url, data)
        data = None
        if location:
            if location.startswith(REDIRECT):
                params = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
                if "code" not in params:
                    sys.exit("replica_client: no code in " + location)
                return {"code": params["code"][0], "code_verifier": verifier, "redirect_uri": REDIRECT}
            # A relative redirect goes to the replica of the step it leads to.
            base = consent if "/auth/grant" in location else login
            url = urllib.parse.urljoin(base + "/", location)
            continue
        fields = dict(re.findall(r'name="(request|csrf_token)" value="([^"]*)"', page))
        if 'name="password"' in page:
            url, data = login + "/auth/login", {**fields, "username": "demo", "password": "demo"}
        elif 'name="decision"' in page:
            url, data = consent + "/auth/grant", {**fields, "decision": "allow"}
        else:
            sys.exit(f"replica_client: stuck at {url} (HTTP {status}): {page[:300]}")
    sys.exit("replica_client: too many steps")


def redeem(base, client_id, grant):
    data = {"grant_type": "authorization_code", "code": grant["code"], "redirect_uri": grant["redirect_uri"],
            "code_verifier": grant["code_verifier"], "client_id": client_id}
    status, _, body = go(base + "/auth/token", data)
    return status, body


def race(rounds, client_id, bases):
    failures = 0
    for n in range(rounds):
        grant = code(bases[0], bases[0], bases[0], client_id)
        results = [None] * len(bases)
        barrier = threading.Barrier(len(bases))

        def one(i):
            barrier.wait()
            results[i] = redeem(bases[i], client_id, grant)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bases))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = [status for status, _ in results]
        tokens = [json.loads(body).get("access_token") for status, body in results if status == 200]
        errors = [json.loads(body).get("error") for status, body in results if status != 200]
        good = len(tokens) == 1 and all(error == "invalid_grant" for error in errors)
        failures += 0 if good else 1
        print(f"round {n + 1}: {statuses} {'ok' if good else 'WRONG: ' + repr(results)}")
    return failures


def revocation_delay(rounds, a, b):
    parsed = urllib.parse.urlparse(b)
    reader = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    basic = "Basic " + base64.b64encode(b"demo-client:demo-secret").decode()

    def read(token):
        reader.request("GET", "/fhir/Patient/pt-1", headers={"Authorization": "Bearer " + token})
        response = reader.getresponse()
        response.read()
        return response.status

    delays = []
    for _ in range(rounds):
        status, _, body = go(a + "/auth/token", {"grant_type": "client_credentials", "scope": "system/*.read",
                                                 "client_id": "demo-client", "client_secret": "demo-secret"})
        token = json.loads(body)["access_token"]
        if read(token) != 200:
            sys.exit("replica_client: B refuses a fresh token")
        request = urllib.request.Request(a + "/auth/revoke", data=urllib.parse.urlencode({"token": token}).encode(),
                                         headers={"Authorization": basic})
        with OPENER.open(request, timeout=10) as response:
            if response.status != 200:
                sys.exit(f"replica_client: revocation answered {response.status}")
        revoked = time.monotonic()
        while read(token) == 200:
            if time.monotonic() - revoked > 5:
                sys.exit("replica_client: B still accepts the revoked token after 5 s")
        delays.append((time.monotonic() - revoked) * 1000)
    print(" ".join(f"{delay:.0f}" for delay in delays))


def main():
    if sys.argv[1] == "code":
        print(json.dumps(code(*sys.argv[2:6])))
    elif sys.argv[1] == "revocation-delay":
        revocation_delay(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "race":
        sys.exit(1 if race(int(sys.argv[2]), sys.argv[3], sys.argv[4:]) else 0)
    else:
        sys.exit("usage: replica_client.py code|race ...")


main()
