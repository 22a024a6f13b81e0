#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Attack driver for the `serve` transport tests (tests/e2e/suites/serve_hostile.bash).

Plays what security review 2026-12 tried by hand (H1-H3), on loopback only, with asyncio
sockets, and prints one JSON object of measurements that the suite asserts on. Every
loop is bounded in time or count; every socket is closed before it exits.

  hostile_client.py flood URL CONNECTIONS SECONDS   wrong secrets/passwords + probes
  hostile_client.py slowloris URL CONNECTIONS SECONDS   trickling headers + probes
  hostile_client.py headers URL COUNT VALUE_BYTES    one request with many/large headers
  hostile_client.py trickle URL CONNECTIONS SECONDS  slow clients that reconnect (bench soak)
  hostile_client.py handshake URL CONNECTIONS SECONDS  trickling TLS ClientHellos + probes

An https:// URL speaks TLS, trusting the PEM file in $HOSTILE_CACERT.
"""

import asyncio
import itertools
import json
import os
import select
import socket
import ssl
import sys
import time
import urllib.parse

PROBE_TIMEOUT = 5.0
refusals = []  # whole 503 answers seen, for the suite to inspect one
tls_context = None  # set by main() for an https:// URL


async def connect(host, port):
    """A connection to the server, over TLS when the URL was https://."""
    if tls_context is None:
        return await asyncio.open_connection(host, port)
    return await asyncio.open_connection(host, port, ssl=tls_context, server_hostname=host)


def split_url(url):
    parsed = urllib.parse.urlsplit(url)
    return parsed.hostname, parsed.port


async def exchange(host, port, request, timeout=PROBE_TIMEOUT):
    """Sends one request on a new connection; returns (status, body, seconds) or (None, error, seconds)."""
    start = time.monotonic()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(connect(host, port), timeout)
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await asyncio.wait_for(reader.readexactly(length), timeout) if length else b""
        if status == 503:
            refusals.append(head + body)
        return status, body, time.monotonic() - start
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
        return None, repr(error), time.monotonic() - start
    finally:
        if writer is not None:
            writer.close()


def get(path):
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()


def post_form(path, form):
    body = urllib.parse.urlencode(form).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


async def flood(url, connections, seconds):
    """CONNECTIONS clients send wrong client secrets and wrong passwords for SECONDS while
    a prober asks for /fhir/metadata and a correct client_credentials token."""
    host, port = split_url(url)
    attack_statuses = {}
    wrong_secret = post_form("/auth/token", {"grant_type": "client_credentials", "client_id": "demo-client",
                                             "client_secret": "wrong"})
    wrong_password = post_form("/auth/token", {"grant_type": "password", "client_id": "demo-client",
                                               "client_secret": "demo-secret", "username": "demo",
                                               "password": "wrong"})

    async def attacker(n):
        request = wrong_secret if n % 2 == 0 else wrong_password
        while time.monotonic() < deadline:
            status, _, _ = await exchange(host, port, request, timeout=seconds + 5)
            attack_statuses[str(status)] = attack_statuses.get(str(status), 0) + 1

    good = post_form("/auth/token", {"grant_type": "client_credentials", "client_id": "demo-client",
                                     "client_secret": "demo-secret"})
    # Before the flood: the correct secret is verified once, so it is in the cache.
    status, body, _ = await exchange(host, port, good)
    if status != 200:
        return {"error": f"warm-up token request: {status} {body!r}"}
    deadline = time.monotonic() + seconds
    tasks = [asyncio.create_task(attacker(n)) for n in range(connections)]
    await asyncio.sleep(min(1.0, seconds / 4))  # let the flood fill the server
    probes = {"metadata": [], "token": []}
    failures = []
    while time.monotonic() < deadline - 0.5:
        for name, request in (("metadata", get("/fhir/metadata")), ("token", good)):
            status, body, elapsed = await exchange(host, port, request)
            probes[name].append(elapsed)
            if status != 200:
                failures.append(f"{name}: {status} {body!r:.200}")
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    return {
        "probes": {name: len(values) for name, values in probes.items()},
        "metadata_max_ms": round(1000 * max(probes["metadata"], default=99), 1),
        "token_max_ms": round(1000 * max(probes["token"], default=99), 1),
        "probe_failures": failures[:5],
        "attack_statuses": attack_statuses,
        "sample_503": refusals[0].decode(errors="replace") if refusals else None,
    }


async def slowloris(url, connections, seconds):
    """CONNECTIONS clients send a request line and then one header byte every 2 s, for at
    most SECONDS; meanwhile a prober measures other requests. Reports the probes' p99 and
    when each slow connection was closed by the server."""
    host, port = split_url(url)
    start = time.monotonic()
    closed_after = []
    refused = 0
    writers = []

    async def slow_client():
        nonlocal refused
        try:
            reader, writer = await connect(host, port)
        except OSError:
            refused += 1
            return
        writers.append(writer)
        opened = time.monotonic()
        try:
            writer.write(b"GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            await writer.drain()
            while time.monotonic() - start < seconds:
                try:
                    data = await asyncio.wait_for(reader.read(1024), 2.0)
                    if not data:  # closed by the server
                        closed_after.append(time.monotonic() - opened)
                        return
                except asyncio.TimeoutError:
                    writer.write(b"a")
                    await writer.drain()
        except OSError:
            closed_after.append(time.monotonic() - opened)

    tasks = []
    for _ in range(connections):
        tasks.append(asyncio.create_task(slow_client()))
        await asyncio.sleep(0)
    # Probe once every slow client is in, for 3 s: all of them are held open meanwhile
    # (the header deadline must be longer than that).
    while len(writers) + refused < connections and time.monotonic() - start < seconds:
        await asyncio.sleep(0.05)
    probe_until = time.monotonic() + 3.0
    latencies = []
    failures = []
    while time.monotonic() < probe_until:
        status, body, elapsed = await exchange(host, port, get("/fhir/metadata"))
        latencies.append(elapsed)
        if status != 200:
            failures.append(f"{status} {body!r:.200}")
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    for writer in writers:
        writer.close()
    return {
        "probes": len(latencies),
        "probe_p99_ms": round(1000 * percentile(latencies, 0.99), 1) if latencies else None,
        "probe_failures": failures[:5],
        "slow_connections": connections,
        "slow_refused": refused,
        "slow_closed": len(closed_after),
        "slow_closed_min_s": round(min(closed_after), 2) if closed_after else None,
        "slow_closed_max_s": round(max(closed_after), 2) if closed_after else None,
    }


async def trickle(url, connections, seconds):
    """CONNECTIONS slow clients for SECONDS: each sends one header byte every 2 s and
    reconnects when the server closes it. Reports how many times the server closed one."""
    host, port = split_url(url)
    deadline = time.monotonic() + seconds
    closed = 0
    refused = 0

    async def slow_client():
        nonlocal closed, refused
        while time.monotonic() < deadline:
            try:
                reader, writer = await connect(host, port)
            except OSError:
                refused += 1
                await asyncio.sleep(1)
                continue
            try:
                writer.write(b"GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                while time.monotonic() < deadline:
                    try:
                        if not await asyncio.wait_for(reader.read(1024), 2.0):
                            closed += 1
                            break
                    except asyncio.TimeoutError:
                        writer.write(b"a")
                        await writer.drain()
            except OSError:
                closed += 1
            finally:
                writer.close()

    await asyncio.gather(*(slow_client() for _ in range(connections)))
    return {"slow_connections": connections, "closed_by_server": closed, "refused": refused}


async def handshake(url, connections, seconds):
    """CONNECTIONS raw TCP clients start a TLS ClientHello (a record header) and then send
    one byte every 2 s, for at most SECONDS; meanwhile a prober measures TLS requests.
    Reports the probes' p99 and when each slow handshake was closed by the server."""
    host, port = split_url(url)
    start = time.monotonic()
    closed_after = []
    refused = 0
    writers = []

    async def slow_client():
        nonlocal refused
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            refused += 1
            return
        writers.append(writer)
        opened = time.monotonic()
        try:
            # A handshake record (22), TLS 1.0 record version, 512 bytes announced.
            writer.write(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
            await writer.drain()
            while time.monotonic() - start < seconds:
                try:
                    data = await asyncio.wait_for(reader.read(1024), 2.0)
                    if not data:
                        closed_after.append(time.monotonic() - opened)
                        return
                except asyncio.TimeoutError:
                    writer.write(b"\x00")
                    await writer.drain()
        except OSError:
            closed_after.append(time.monotonic() - opened)

    tasks = []
    for _ in range(connections):
        tasks.append(asyncio.create_task(slow_client()))
        await asyncio.sleep(0)
    while len(writers) + refused < connections and time.monotonic() - start < seconds:
        await asyncio.sleep(0.05)
    probe_until = time.monotonic() + 3.0
    latencies = []
    failures = []
    while time.monotonic() < probe_until:
        status, body, elapsed = await exchange(host, port, get("/fhir/metadata"))
        latencies.append(elapsed)
        if status != 200:
            failures.append(f"{status} {body!r:.200}")
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    for writer in writers:
        writer.close()
    return {
        "probes": len(latencies),
        "probe_p99_ms": round(1000 * percentile(latencies, 0.99), 1) if latencies else None,
        "probe_failures": failures[:5],
        "slow_connections": connections,
        "slow_refused": refused,
        "slow_closed": len(closed_after),
        "slow_closed_min_s": round(min(closed_after), 2) if closed_after else None,
        "slow_closed_max_s": round(max(closed_after), 2) if closed_after else None,
    }


def many_headers(url, count, value_bytes):
    """One request with COUNT headers of VALUE_BYTES each, sent while the answer is read
    (a server may answer early and stop reading): reports the status the server answered
    with, if any, and how much was sent."""
    host, port = split_url(url)
    value = "v" * value_bytes
    fields = (f"X-Filler-{i}: {value}\r\n" for i in range(count))
    pending = b"GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    finished = False
    sent = 0
    answer = b""
    deadline = time.monotonic() + 60
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.setblocking(False)
        while b"\r\n" not in answer and time.monotonic() < deadline:
            if not pending and not finished:
                chunk = "".join(itertools.islice(fields, 1000)).encode()
                pending, finished = (chunk, False) if chunk else (b"\r\n", True)
            readable, writable, _ = select.select([sock], [sock] if pending else [], [], 1.0)
            try:
                if readable:
                    data = sock.recv(4096)
                    if not data:
                        break
                    answer += data
                elif writable:
                    n = sock.send(pending[:65536])
                    sent += n
                    pending = pending[n:]
            except OSError:
                # Reset after the server stopped reading: what it answered before is
                # still in our receive queue.
                try:
                    sock.setblocking(True)
                    sock.settimeout(1)
                    answer += sock.recv(4096)
                except OSError:
                    pass
                break
    status = None
    if answer.startswith(b"HTTP/1.1 "):
        status = int(answer.split(b" ", 2)[1])
    return {"status": status, "sent_bytes": sent}


def main():
    global tls_context
    mode, url, count, third = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if url.startswith("https://"):
        tls_context = ssl.create_default_context(cafile=os.environ.get("HOSTILE_CACERT"))
    if mode == "flood":
        result = asyncio.run(flood(url, count, third))
    elif mode == "slowloris":
        result = asyncio.run(slowloris(url, count, third))
    elif mode == "trickle":
        result = asyncio.run(trickle(url, count, third))
    elif mode == "handshake":
        result = asyncio.run(handshake(url, count, third))
    elif mode == "headers":
        result = many_headers(url, count, int(third))
    else:
        sys.exit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
