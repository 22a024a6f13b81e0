#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A loopback HTTP server that records every request it receives, for suites that check
what oauthctl sends (and, above all, what it must not send) to a server.

Usage: recorder.py LOG [STATUS [BODY [CONTENT_TYPE]]]
Prints "listening on http://127.0.0.1:PORT" first, like `oauthctl serve`. Each request is
appended to LOG as one JSON line: method, path, headers, body, and `basic` (the decoded
user:password of an Authorization: Basic header, when there is one). Every request is
answered with STATUS (default 401), BODY (default an OAuth invalid_client error) and
CONTENT_TYPE (default application/json). With RECORDER_RETRY_AFTER_IN=N in the
environment each answer carries `Retry-After` as an HTTP-date N seconds ahead (RFC 9110
§10.2.3's other form, which the fault simulator of `serve` does not send).
"""
import base64
import email.utils
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
STATUS = int(sys.argv[2]) if len(sys.argv) > 2 else 401
BODY = sys.argv[3] if len(sys.argv) > 3 else '{"error":"invalid_client"}'
CONTENT_TYPE = sys.argv[4] if len(sys.argv) > 4 else "application/json"
RETRY_AFTER_IN = os.environ.get("RECORDER_RETRY_AFTER_IN")


class Recorder(BaseHTTPRequestHandler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        basic = ""
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                basic = base64.b64decode(auth[6:]).decode("utf-8", "replace")
            except ValueError:
                basic = "(undecodable)"
        record = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                  "body": body, "basic": basic, "time": time.time()}
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        payload = BODY.encode()
        self.send_response(STATUS)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        if RETRY_AFTER_IN is not None:
            when = time.time() + int(RETRY_AFTER_IN)
            self.send_header("Retry-After", email.utils.formatdate(when, usegmt=True))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
