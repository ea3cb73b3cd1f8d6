"""An independent client for the echo example: Python's websockets library, no Switchboard code.

Run by RemoteOversizedKeyTest against the echo example with no in-process worker and one remote
echo worker of capacity 1: a request whose key is 5,000 bytes must be answered bad_request within
a second, and a normal request right after must be served within a second (the worker's one
credit came back). The same again once more, so that a second oversized key cannot wedge it.

Usage: /usr/bin/python3 oversized_key_client.py ws://127.0.0.1:PORT/ws
Prints "ok <check> <ms>" per passing check, "FAIL <check>: <why>" otherwise; exits 1 on any failure.
"""

import asyncio
import json
import sys
import time

import websockets

ANSWER_WITHIN_S = 1.0
OVERSIZED_KEY_BYTES = 5000


async def answer(ws, request):
    """Sends request; returns the parsed answer and the seconds it took (None if none in time)."""
    start = time.monotonic()
    await ws.send(json.dumps(request))
    try:
        text = await asyncio.wait_for(ws.recv(), ANSWER_WITHIN_S)
    except asyncio.TimeoutError:
        return None, time.monotonic() - start
    return json.loads(text), time.monotonic() - start


async def main(url):
    failures = 0

    def check(name, ok, why, took):
        nonlocal failures
        if ok:
            print("ok %s %d" % (name, took * 1000), flush=True)
        else:
            failures += 1
            print("FAIL %s: %s" % (name, why), flush=True)

    async with websockets.connect(url, open_timeout=5, close_timeout=1, ping_interval=None,
                                  max_size=1 << 20) as ws:
        for round_ in (1, 2):
            rid = round_ * 10
            got, took = await answer(ws, {"id": rid, "key": "k" * OVERSIZED_KEY_BYTES, "body": rid})
            error = (got or {}).get("error") or {}
            check("oversized-key-%d" % round_,
                  got is not None and got.get("id") == rid and error.get("code") == "bad_request",
                  "no answer within %.1f s" % ANSWER_WITHIN_S if got is None else "answered %r" % got, took)
            got, took = await answer(ws, {"id": rid + 1, "key": "a", "body": rid + 1})
            body = (got or {}).get("body") or {}
            check("served-after-%d" % round_,
                  got is not None and got.get("id") == rid + 1 and body.get("echo") == rid + 1
                  and got.get("end") is True,
                  "no answer within %.1f s" % ANSWER_WITHIN_S if got is None else "answered %r" % got, took)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
