#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Authorization-code round trips per second against `oauthctl serve --demo`: authorization
# request, the browser session (signed in once, then kept), consent, the code, the token
# request (demo-public with PKCE). The flows go round-robin over the base URLs given
# (replicas sharing a database, or one server). Prints flows per second.
#   code_flows.py N BASE...             N flows
#   code_flows.py --refresh N BASE...   one flow, then N refresh-token rotations
import base64
import hashlib
import http.client
import json
import re
import secrets
import sys
import time
import urllib.parse

REDIRECT = "http://127.0.0.1:9/callback"


class Browser:
    """One keep-alive connection per base URL and one cookie for all of them."""

    def __init__(self):
        self.connections = {}
        self.cookies = {}

    def request(self, base, method, path, form=None):
        parsed = urllib.parse.urlparse(base)
        connection = self.connections.get(base)
        if connection is None:
            connection = self.connections[base] = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location"), data


def flow(browser, base):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    path = "/auth/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": "demo-public", "redirect_uri": REDIRECT,
        "scope": "openid offline_access patient/*.rs", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"})
    method, form = "GET", None
    for _ in range(8):
        status, location, page = browser.request(base, method, path, form)
        method, form = "GET", None
        if location:
            if location.startswith(REDIRECT):
                code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
                break
            path = urllib.parse.urlparse(location)._replace(scheme="", netloc="").geturl()
            continue
        fields = dict(re.findall(r'name="(request|csrf_token)" value="([^"]*)"', page))
        if 'name="password"' in page:
            method, path, form = "POST", "/auth/login", {**fields, "username": "demo", "password": "demo"}
        elif 'name="decision"' in page:
            method, path, form = "POST", "/auth/grant", {**fields, "decision": "allow"}
        else:
            sys.exit(f"code_flows: stuck (HTTP {status}): {page[:200]}")
    else:
        sys.exit("code_flows: too many steps")
    status, _, body = browser.request(base, "POST", "/auth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": verifier, "client_id": "demo-public"})
    if status != 200:
        sys.exit(f"code_flows: token request failed (HTTP {status}): {body[:200]}")
    return json.loads(body)


def main():
    args = sys.argv[1:]
    refresh = args[0] == "--refresh"
    if refresh:
        args = args[1:]
    count, bases = int(args[0]), args[1:]
    browser = Browser()
    flow(browser, bases[0])  # sign in once: the session is kept, as a browser would
    started = time.monotonic()
    if refresh:
        token = flow(browser, bases[0])["refresh_token"]
        started = time.monotonic()
        for i in range(count):
            status, _, body = browser.request(bases[i % len(bases)], "POST", "/auth/token", {
                "grant_type": "refresh_token", "refresh_token": token, "client_id": "demo-public"})
            if status != 200:
                sys.exit(f"code_flows: refresh failed (HTTP {status}): {body[:200]}")
            token = json.loads(body)["refresh_token"]
    else:
        for i in range(count):
            flow(browser, bases[i % len(bases)])
    print(f"{count / (time.monotonic() - started):.1f}")


main()
