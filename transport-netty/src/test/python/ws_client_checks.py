"""An independent client for the Switchboard WebSocket relay: Python's websockets library.

Run by PythonClientTest against a live relay whose spec is: frames up to 1024 bytes, a ping
every 300 ms answered within 150 ms, Origin allow-list {https://ok.example}, an authenticator
that accepts "Authorization: Bearer alice" only, and workers that answer key "stream" with
1, 2, 3, key "who" with the principal, any other key with {"worker": id, "echo": body}.

Usage: /usr/bin/python3 ws_client_checks.py ws://127.0.0.1:PORT/ws
Prints "ok <check>" per passing check, "FAIL <check>: <why>" otherwise; exits 1 on any failure.
"""

import asyncio
import json
import sys
import time

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatusCode
from websockets.legacy.client import WebSocketClientProtocol
from websockets.frames import OP_TEXT

AUTH = {"Authorization": "Bearer alice"}
ORIGIN = "https://ok.example"
PING_INTERVAL_S = 0.3
PONG_TIMEOUT_S = 0.15
WAIT_S = 5.0


class Recording(WebSocketClientProtocol):
    """Records the server's pings; answers them only while answer_pings is true."""

    answer_pings = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.server_pings = []

    async def pong(self, data=b""):
        self.server_pings.append(time.monotonic())
        if self.answer_pings:
            await super().pong(data)


def silent(*args, **kwargs):
    p = Recording(*args, **kwargs)
    p.answer_pings = False
    return p


def connect(url, **kwargs):
    kwargs.setdefault("extra_headers", AUTH)
    kwargs.setdefault("origin", ORIGIN)
    kwargs.setdefault("create_protocol", Recording)
    # the server pings; the client's own keep-alive would only add noise
    kwargs.setdefault("ping_interval", None)
    return websockets.connect(url, open_timeout=WAIT_S, close_timeout=1, **kwargs)


async def reply(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT_S))


async def close_code(ws):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), WAIT_S)
    except ConnectionClosed:
        pass
    return ws.close_code


async def round_trip(url):
    async with connect(url) as ws:
        await ws.send(json.dumps({"id": 1, "key": "slide-1", "body": {"a": [1, 2]}}))
        r = await reply(ws)
        assert r["id"] == 1 and r["end"] is True, r
        assert r["body"]["echo"] == {"a": [1, 2]}, r


async def streamed(url):
    async with connect(url) as ws:
        await ws.send(json.dumps({"id": "s", "key": "stream"}))
        got = [await reply(ws) for _ in range(3)]
        assert [g["body"] for g in got] == [1, 2, 3], got
        assert [g.get("end", False) for g in got] == [False, False, True], got


async def principal(url):
    async with connect(url) as ws:
        await ws.send(json.dumps({"id": 1, "key": "who"}))
        r = await reply(ws)
        assert r["body"] == "alice", r


async def invalid_utf8(url):
    async with connect(url) as ws:
        await ws.write_frame(True, OP_TEXT, b'{"id":1,"key":"k","body":"\xc3\x28"}')
        code = await close_code(ws)
        assert code == 1007, code


async def oversized(url):
    async with connect(url) as ws:
        await ws.send(json.dumps({"id": 1, "key": "k", "body": "x" * 2000}))
        code = await close_code(ws)
        assert code == 1009, code


async def server_ping(url):
    async with connect(url) as ws:
        deadline = time.monotonic() + WAIT_S
        while len(ws.server_pings) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert len(ws.server_pings) >= 2, ws.server_pings
        await ws.send(json.dumps({"id": 2, "key": "stream"}))
        assert (await reply(ws))["body"] == 1


async def no_pong_closed(url):
    async with connect(url, create_protocol=silent) as ws:
        start = time.monotonic()
        code = await close_code(ws)
        took = time.monotonic() - start
        assert code == 1008, code
        assert took <= PING_INTERVAL_S + PONG_TIMEOUT_S + 0.5, took  # delivery and scheduling slack


async def client_ping_answered(url):
    async with connect(url) as ws:
        waiter = await ws.ping(b"hello")
        await asyncio.wait_for(waiter, WAIT_S)


async def refused(url, status, **kwargs):
    try:
        async with connect(url, **kwargs):
            pass
    except InvalidStatusCode as e:
        assert e.status_code == status, e.status_code
        return
    raise AssertionError("the handshake was accepted")


async def origin_refused(url):
    await refused(url, 403, origin="https://evil.example")


async def auth_refused(url):
    await refused(url, 401, extra_headers={"Authorization": "Bearer mallory"})


CHECKS = [round_trip, streamed, principal, invalid_utf8, oversized, server_ping, no_pong_closed,
          client_ping_answered, origin_refused, auth_refused]


async def main(url):
    failed = 0
    for check in CHECKS:
        try:
            await asyncio.wait_for(check(url), 2 * WAIT_S)
            print("ok " + check.__name__, flush=True)
        except BaseException as e:  # report every check, whatever went wrong
            failed += 1
            print("FAIL %s: %r" % (check.__name__, e), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
