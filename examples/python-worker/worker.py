#!/usr/bin/python3
"""An echo worker for a Switchboard ZeroMQ gateway, written from transport-zmq/PROTOCOL.md.

It uses Debian's python3-zmq (pyzmq over libzmq), an implementation of ZeroMQ independent of the
gateway's JeroMQ. It registers (READY, CREDIT), answers every REQUEST with its own body as one
"data and end" RESPONSE, and every record whose tag it can read: bad_request for one it cannot
serve (PROTOCOL.md's limits, the same numbers as core's Limits), overloaded past its capacity,
worker_failed with a generic message when its handler raises (the detail goes to stderr). It keeps a small LRU of request keys it has "opened" and reports it with
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
DATA_END, ERROR = 1, 3
CACHED, EVICTED = 1, 2
LIVENESS = 3


def u8(v):
    return struct.pack(">B", v)


def u32(v):
    return struct.pack(">I", v)


# The limits of PROTOCOL.md's table (core's dev.switchboard.core.Limits), in bytes of UTF-8.
MAX_KEY_BYTES = 4096  # DEFAULT_MAX_KEY_BYTES
MAX_SESSION_ID_BYTES = 256  # DEFAULT_MAX_SESSION_ID_BYTES
MAX_PRINCIPAL_BYTES = 1024  # DEFAULT_MAX_PRINCIPAL_BYTES
MAX_REQUEST_ID_BYTES = 1024  # DEFAULT_MAX_REQUEST_ID_BYTES
MAX_BODY_BYTES = 8 << 20  # DEFAULT_MAX_BODY_BYTES
MAX_WORKER_ID_BYTES = 256
MAX_CAPACITY = 65535
MAX_ERROR_MESSAGE_BYTES = 4096
TAG_BYTES = 8
# a RESPONSE batch: at most this many records or bytes, unless a single record is larger
MAX_BATCH_RECORDS = 128
MAX_BATCH_BYTES = 256 * 1024
WORKER_FAILED_MESSAGE = "the worker failed"  # what the gateway sees of a handler's exception


class BadRequest(ValueError):
    """A REQUEST record whose tag could be read but that cannot be served."""


def parse_request(record):
    """The key, payload kind and body of a REQUEST record after its tag; raises BadRequest."""
    try:
        window, flags = struct.unpack_from(">IB", record, TAG_BYTES)
        pos = TAG_BYTES + 5

        def text(limit, field):
            nonlocal pos
            (n,) = struct.unpack_from(">H", record, pos)
            if n > limit:
                raise BadRequest("%s is longer than %d bytes" % (field, limit))
            if pos + 2 + n > len(record):
                raise BadRequest("%s cut short" % field)
            value = record[pos + 2:pos + 2 + n].decode("utf-8")
            pos += 2 + n
            return value

        if flags & ~1:
            raise BadRequest("unknown request flags %d" % flags)
        key = text(MAX_KEY_BYTES, "key")
        text(MAX_SESSION_ID_BYTES, "session id")
        (id_kind,) = struct.unpack_from(">B", record, pos)
        pos += 1
        if id_kind not in (0, 1):
            raise BadRequest("unknown request id kind %d" % id_kind)
        text(MAX_REQUEST_ID_BYTES, "request id")
        if flags & 1:
            text(MAX_PRINCIPAL_BYTES, "principal")
        (payload_kind,) = struct.unpack_from(">B", record, pos)
        if payload_kind not in (0, 1):
            raise BadRequest("unknown payload kind %d" % payload_kind)
        if len(record) - pos - 1 > MAX_BODY_BYTES:
            raise BadRequest("body is longer than %d bytes" % MAX_BODY_BYTES)
        if window < 1:
            raise BadRequest("window must be at least 1")
        return key, payload_kind, record[pos + 1:]
    except struct.error:
        raise BadRequest("record cut short") from None
    except UnicodeDecodeError:
        raise BadRequest("invalid UTF-8") from None


def data_end(tag, payload_kind, body):
    return tag + u8(DATA_END) + u8(payload_kind) + body


def error(tag, code, message):
    code = code.encode("utf-8")
    return tag + u8(ERROR) + struct.pack(">H", len(code)) + code + message.encode("utf-8")[:MAX_ERROR_MESSAGE_BYTES].decode("utf-8", "ignore").encode("utf-8")


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
        self.overloaded = 0
        self.failed = 0
        self.undeliverable = 0
        self.in_flight = 0  # requests served and not answered yet, over all gateways (echo: none)

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

    def handler(self, key, payload_kind, body):
        """The application: echoes the body. --fail-key shows what a failing handler looks like."""
        if key == self.args.fail_key:
            raise OSError("cannot open /srv/private/%s.db" % key)
        return body

    def serve_batch(self, head):
        """Answers every record of a REQUEST batch whose tag it can read, the answers as one batch.

        A record it cannot serve is answered bad_request, one past its credits (or with a tag in
        flight already) overloaded, and a handler's exception worker_failed with a generic message
        (the detail goes to this worker's log), so the gateway always gets its credit back."""
        answers = []
        in_flight = set()  # this batch's requests: each is answered when the batch is
        malformed = False
        pos = 4
        while pos < len(head):
            if len(head) - pos < 4:
                malformed = True
                break
            (n,) = struct.unpack_from(">I", head, pos)
            if n > len(head) - pos - 4:
                malformed = True
                break
            record = head[pos + 4:pos + 4 + n]
            pos += 4 + n
            if len(record) < TAG_BYTES:
                malformed = True  # no tag to answer: the gateway's cancel wait gives its credit back
                continue
            tag = record[:TAG_BYTES]
            try:
                key, payload_kind, body = parse_request(record)
            except BadRequest as e:
                malformed = True
                answers.append(error(tag, "bad_request", "the worker cannot read the request: %s" % e))
                continue
            if tag in in_flight or self.in_flight + len(in_flight) >= self.args.capacity:
                self.overloaded += 1
                answers.append(error(tag, "overloaded", "worker %s has no credit for this request" % self.args.id))
                continue
            in_flight.add(tag)
            self.touch(key)
            try:
                answers.append(data_end(tag, payload_kind, self.handler(key, payload_kind, body)))
                self.served += 1
            except Exception as e:  # the application's failure: its text stays here
                self.failed += 1
                print("request %s (key %r) failed: %r" % (tag.hex(), key[:64], e), file=sys.stderr, flush=True)
                answers.append(error(tag, "worker_failed", WORKER_FAILED_MESSAGE))
        if malformed:
            self.malformed += 1
        self.send_responses(answers)

    def send_responses(self, answers):
        """Sends the answers in RESPONSE batches of at most MAX_BATCH_RECORDS records and
        MAX_BATCH_BYTES bytes (a larger single record travels alone)."""
        batch, size = [], 0
        for answer in answers:
            record = struct.pack(">I", len(answer)) + answer
            if batch and (len(batch) == MAX_BATCH_RECORDS or size + len(record) > MAX_BATCH_BYTES):
                self.send_batch(batch)
                batch, size = [], 0
            batch.append(record)
            size += len(record)
        if batch:
            self.send_batch(batch)

    def send_batch(self, records):
        if not self.send_frame(SIGNATURE + u8(RESPONSE) + b"".join(records)):
            # the gateway's cancel wait gives those credits back; counted, never silent
            self.undeliverable += len(records)
            print("dropped %d answers: the gateway's queue is full" % len(records), file=sys.stderr, flush=True)

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
            # frame 2, when present, is the gateway's count of requests waiting for our credit:
            # a worker of one gateway grants its whole capacity with READY and needs it not
            if len(frames) >= 2 and len(frames[1]) == 4:
                ms = struct.unpack(">I", frames[1])[0]
                if ms > 0:
                    self.gateway_interval = ms / 1000.0
            self.acknowledge(now)
        elif kind == REQUEST:
            self.acknowledge(now)
            self.serve_batch(head)
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
        print("stopped after serving %d requests (%d failed, %d overloaded, %d malformed messages, %d answers"
              " undeliverable)" % (self.served, self.failed, self.overloaded, self.malformed, self.undeliverable),
              flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description="Switchboard echo worker (ZeroMQ protocol 3)")
    parser.add_argument("--connect", required=True, help="gateway endpoint, e.g. tcp://127.0.0.1:5555")
    parser.add_argument("--id", default="python-worker", help="worker id, unique per gateway")
    parser.add_argument("--capacity", type=int, default=8, help="requests served at once")
    parser.add_argument("--heartbeat-ms", type=int, default=1000, help="heartbeat interval")
    parser.add_argument("--cache-size", type=int, default=4, help="keys kept in the LRU")
    parser.add_argument("--fail-key", help="requests with this key make the handler raise (a demonstration)")
    parser.add_argument("--server-key", help="the gateway's CURVE public key (Z85)")
    parser.add_argument("--public-key", help="this worker's CURVE public key (Z85)")
    parser.add_argument("--secret-key", help="this worker's CURVE secret key (Z85)")
    args = parser.parse_args(argv)
    if not args.id.strip() or len(args.id.encode("utf-8")) > MAX_WORKER_ID_BYTES:
        parser.error("--id must be 1..%d bytes of UTF-8 and not blank" % MAX_WORKER_ID_BYTES)
    if not 1 <= args.capacity <= MAX_CAPACITY:
        parser.error("--capacity must be 1..%d" % MAX_CAPACITY)
    worker = Worker(args)

    def stop(signum, frame):
        worker.running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
