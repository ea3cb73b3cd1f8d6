"""Holds N idle WebSocket connections to a URL, for the per-connection memory measurement.

Usage: /usr/bin/python3 idle_clients.py URL N
Spreads the connections over source addresses 127.0.0.2, 127.0.0.3, ... (20,000 each) so the
ephemeral port range is no limit, answers the server's pings (websockets does), prints
"open N" once N are open (or "open K failed F" if some could not), then holds them until its
stdin closes, and closes them.
"""
import asyncio
import sys

import websockets

PER_SOURCE = 20000
PARALLEL = 200


async def main(url, n):
    conns = []
    failed = 0
    sem = asyncio.Semaphore(PARALLEL)

    async def one(i):
        nonlocal failed
        source = "127.0.0.%d" % (2 + i // PER_SOURCE)
        async with sem:
            try:
                ws = await websockets.connect(url, ping_interval=None, close_timeout=1,
                                              open_timeout=60, max_queue=1,
                                              local_addr=(source, 0))
                conns.append(ws)
            except Exception as e:  # counted and reported, the measurement goes on
                failed += 1
                if failed <= 3:
                    print("connect failed: %r" % (e,), file=sys.stderr, flush=True)

    await asyncio.gather(*(one(i) for i in range(n)))
    print("open %d failed %d" % (len(conns), failed), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
