"""Sends one echo request per key to a Switchboard relay and prints each answer.

Usage: python3 examples/deploy/send.py ws://127.0.0.1:8080/ws a b c
(needs python3-websockets). A request is {"id": N, "key": KEY, "body": "hi"}; the echo workers
answer {"worker": id, "cached": hit, "echo": body}.
"""
import asyncio
import json
import sys

import websockets


async def main(url, keys):
    async with websockets.connect(url) as ws:
        for i, key in enumerate(keys, 1):
            await ws.send(json.dumps({"id": i, "key": key, "body": "hi"}))
            print(key, await ws.recv())


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
