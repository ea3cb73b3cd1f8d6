"""Opens N idle WebSocket connections to URL and holds them until stdin closes.

Usage: /usr/bin/python3 hold_connections.py ws://127.0.0.1:PORT/ws N
Prints "ready N" once all are open (or "FAIL ..." and exits 1), "closed" after closing them.
"""

import asyncio
import sys

import websockets

BATCH = 200


async def main(url, n):
    conns = []
    try:
        for start in range(0, n, BATCH):
            batch = [websockets.connect(url, ping_interval=None, open_timeout=30, close_timeout=5)
                     for _ in range(min(BATCH, n - start))]
            conns.extend(await asyncio.gather(*batch))
    except BaseException as e:
        print("FAIL after %d: %r" % (len(conns), e), flush=True)
        return 1
    print("ready %d" % len(conns), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
    print("closed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
