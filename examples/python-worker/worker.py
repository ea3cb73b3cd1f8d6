#!/usr/bin/python3
"""An echo worker for a Switchboard ZeroMQ gateway, written from transport-zmq/PROTOCOL.md.

It uses Debian's python3-zmq (pyzmq over libzmq), an implementation of ZeroMQ independent of the
gateway's JeroMQ. It registers (READY, CREDIT), answers every REQUEST with its own body as one
"data and end" RESPONSE, keeps a small LRU of request keys it has "opened" and reports it with
CACHE, keeps heartbeats both ways, and registers again when the gateway restarts.

    /usr/bin/python3 worker.py --connect tcp://127.0.0.1:5555 --id py-1 --capacity 8
"""

import argparse
import collections
import signal
import struct
import sys
import time

import zmq

SIGNATURE = b"SB\x03"  # signature and protocol version; the type byte follows in frame 0
READY, REQUEST, RESPONSE, CREDIT, HEARTBEAT, CACHE, DISCONNECT, CANCEL = range(1, 9)
DATA_END = 1
CACHED, EVICTED = 1, 2
LIVENESS = 3


def u8(v):
    return struct.pack(">B", v)


def u32(v):
    return struct.pack(">I", v)


def parse_request(frame):
    """The tag (8 bytes), key, payload kind and body of a REQUEST record; raises on a malformed one."""
    pos = 0
    tag = frame[pos:pos + 8]
    window, flags = struct.unpack_from(">IB", frame, pos + 8)
    pos += 13

    def text():
        nonlocal pos
        (n,) = struct.unpack_from(">H", frame, pos)
        if pos + 2 + n > len(frame):
            raise ValueError("text cut short")
        value = frame[pos + 2:pos + 2 + n]
        pos += 2 + n
        return value

    key = text()
    text()  # session id
    pos += 1  # request id kind
    text()  # request id
    if flags & 1:
        text()  # principal
    if pos >= len(frame) or window < 1:
        raise ValueError("no payload kind")
    return tag, key, frame[pos], frame[pos + 1:]


class Worker:
    def __init__(self, args):
        self.args = args
        self.interval = args.heartbeat_ms / 1000.0
        self.gateway_interval = self.interval
        self.context = zmq.Context(1)
        self.socket = self.open_socket()
        self.cache = collections.OrderedDict()
        self.registered = False
        self.ready_out = False
        self.last_heard = 0.0
        self.last_ready = -1e9
        self.next_ready = 0.0
        self.next_heartbeat = 0.0
        self.running = True
        self.served = 0
        self.malformed = 0

    def open_socket(self):
        args = self.args
        socket = self.context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.IMMEDIATE, 1)
        socket.setsockopt(zmq.RECONNECT_IVL, 100)
        socket.setsockopt(zmq.RECONNECT_IVL_MAX, 500)
        if args.server_key:
            socket.curve_serverkey = args.server_key.encode("ascii")
            socket.curve_publickey = args.public_key.encode("ascii")
            socket.curve_secretkey = args.secret_key.encode("ascii")
        socket.connect(args.connect)
        return socket

    def send(self, kind, *body):
        try:
            self.socket.send_multipart([SIGNATURE + u8(kind)] + list(body), zmq.NOBLOCK)
            return True
        except zmq.Again:
            return False

    def send_frame(self, frame):
        """Sends a message that is one frame (a RESPONSE batch)."""
        try:
            self.socket.send(frame, zmq.NOBLOCK)
            return True
        except zmq.Again:
            return False

    def heartbeat_period(self):
        return min(self.interval, self.gateway_interval)

    def send_ready(self, now):
        keys = [k.encode("utf-8") for k in self.cache]
        body = [self.args.id.encode("utf-8"), u32(self.args.capacity), u32(self.args.heartbeat_ms)] + keys
        if self.send(READY, *body) and self.send(CREDIT, u32(self.args.capacity)):
            self.ready_out = True
            self.last_ready = now
            self.next_ready = now + self.interval
        else:
            self.next_ready = now + min(0.05, self.interval)

    def acknowledge(self, now):
        self.last_heard = now
        if not self.registered and self.ready_out:
            self.registered = True
            self.next_heartbeat = now + self.heartbeat_period()
            print("registered with %s as %s" % (self.args.connect, self.args.id), flush=True)

    def touch(self, key):
        """Opens key in the LRU, reporting what it caches and evicts."""
        if key in self.cache:
            self.cache.move_to_end(key)
            return
        self.cache[key] = True
        self.send(CACHE, u8(CACHED), key.encode("utf-8"))
        while len(self.cache) > self.args.cache_size:
            evicted, _ = self.cache.popitem(last=False)
            self.send(CACHE, u8(EVICTED), evicted.encode("utf-8"))

    def handle(self, frames, now):
        head = frames[0]
        if len(head) < 4 or head[:3] != SIGNATURE:
            self.malformed += 1
            return
        kind = head[3]
        if (kind == REQUEST) != (len(head) > 4) or (kind == REQUEST and len(frames) != 1):
            # a REQUEST is one frame: after the type, records each after a u32 length; others
            # have a 4-byte frame 0
            self.malformed += 1
            return
        if kind == HEARTBEAT:
            if len(frames) >= 2 and len(frames[1]) == 4:
                ms = struct.unpack(">I", frames[1])[0]
                if ms > 0:
                    self.gateway_interval = ms / 1000.0
            self.acknowledge(now)
        elif kind == REQUEST:
            self.acknowledge(now)
            records = []
            pos = 4
            while pos < len(head):
                if len(head) - pos < 4:
                    self.malformed += 1
                    break
                (n,) = struct.unpack_from(">I", head, pos)
                if n > len(head) - pos - 4:
                    self.malformed += 1
                    break
                record = head[pos + 4:pos + 4 + n]
                pos += 4 + n
                try:
                    tag, key, payload_kind, body = parse_request(record)
                    self.touch(key.decode("utf-8"))
                except (struct.error, ValueError, IndexError):
                    self.malformed += 1
                    continue
                answer = tag + u8(DATA_END) + u8(payload_kind) + body
                records.append(struct.pack(">I", len(answer)) + answer)
                self.served += 1
            # the answers to one batch go back as one batch
            if records:
                self.send_frame(SIGNATURE + u8(RESPONSE) + b"".join(records))
        elif kind in (CREDIT, CANCEL):
            # echo answers at once: nothing is ever in flight to grant items to or to cancel
            self.last_heard = now
        elif kind == DISCONNECT:
            if self.ready_out and not self.registered:
                # answers a message sent before our unacknowledged READY (see PROTOCOL.md)
                return
            if self.registered:
                print("gateway asked to register again", flush=True)
            self.registered = False
            self.ready_out = False
            self.next_ready = max(now, self.last_ready + self.interval)
        else:
            self.malformed += 1

    def run(self):
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while self.running:
            now = time.monotonic()
            if self.registered and now - self.last_heard > LIVENESS * self.gateway_interval:
                print("gateway silent: registering again", flush=True)
                self.send(DISCONNECT)
                self.registered = False
                self.ready_out = False
                self.next_ready = now
                # a new connection: requests queued for the old registration are dropped with it
                poller.unregister(self.socket)
                self.socket.close(100)
                self.socket = self.open_socket()
                poller.register(self.socket, zmq.POLLIN)
            if not self.registered and now >= self.next_ready:
                self.send_ready(now)
            if self.registered and now >= self.next_heartbeat:
                self.send(HEARTBEAT)
                self.next_heartbeat = now + self.heartbeat_period()
            wake = self.next_heartbeat if self.registered else self.next_ready
            timeout_ms = max(1, min(int((wake - time.monotonic()) * 1000), self.args.heartbeat_ms))
            if dict(poller.poll(timeout_ms)).get(self.socket):
                while True:
                    try:
                        frames = self.socket.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self.handle(frames, time.monotonic())
        if self.registered:
            self.send(DISCONNECT)
        self.socket.close(0)
        self.context.term()
        print("stopped after serving %d requests" % self.served, flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description="Switchboard echo worker (ZeroMQ protocol 1)")
    parser.add_argument("--connect", required=True, help="gateway endpoint, e.g. tcp://127.0.0.1:5555")
    parser.add_argument("--id", default="python-worker", help="worker id, unique per gateway")
    parser.add_argument("--capacity", type=int, default=8, help="requests served at once")
    parser.add_argument("--heartbeat-ms", type=int, default=1000, help="heartbeat interval")
    parser.add_argument("--cache-size", type=int, default=4, help="keys kept in the LRU")
    parser.add_argument("--server-key", help="the gateway's CURVE public key (Z85)")
    parser.add_argument("--public-key", help="this worker's CURVE public key (Z85)")
    parser.add_argument("--secret-key", help="this worker's CURVE secret key (Z85)")
    args = parser.parse_args(argv)
    worker = Worker(args)

    def stop(signum, frame):
        worker.running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
