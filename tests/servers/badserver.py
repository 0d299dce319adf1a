#!/usr/bin/env python3
"""The fault-injection server: a loopback HTTP server, plain and TLS, that
misbehaves on request.

The first segment of the request path picks the scenario (see SCENARIOS),
the query gives its parameters. Because the protocol clients put their own
paths after a base URL, a base URL of http://127.0.0.1:PORT/NAME makes every
call of a client meet scenario NAME.

Every byte to the client goes through a Wire, which can cut the stream at
byte N of the response (query cut=N, act=reset|stall|close). On the TLS port
the Wire runs TLS in memory buffers (ssl.MemoryBIO), so a cut counts raw
record bytes and can fall inside a record or the handshake: GET /_arm?at=N&
act=reset|stall|close|garbage|alert-reset on the plain port arms the next TLS
connection from its first byte (garbage: answer the ClientHello with plain
HTTP; alert-reset: send the first flight with its certificate request, then
a fatal handshake_failure alert and a reset at once, as servers that require
a client certificate do, so that the reset races the client's reply).

Used by the integration tests to prove that tether fails with the right
error class, within its deadline, and never crashes or hangs. Standard
library only.

usage: badserver.py PORT_FILE [CERT_CHAIN KEY CLIENT_CA]
  writes "PLAIN_PORT TLS_PORT" (TLS_PORT 0 without certificates)
"""
import gzip
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse


class Cut(Exception):
    """The scripted end of a connection: reset, stall or close."""

    def __init__(self, act):
        Exception.__init__(self, act)
        self.act = act


def hard_reset(sock):
    """Close with RST instead of FIN (detach: a makefile would otherwise keep
    the descriptor open)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    os.close(sock.detach())


def stall(sock, seconds=120):
    """Hold the connection open and silent until the client gives up."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


class Wire:
    """One client connection: plaintext in and out, plain or through TLS,
    with an optional cut at raw byte `at`."""

    def __init__(self, sock, tls_ctx=None, arm=None):
        self.sock = sock
        self.sent = 0
        self.cut_at, self.cut_act = (arm if arm else (None, None))
        self.pending = b""
        self.tls = None
        if tls_ctx is not None:
            self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.tls = tls_ctx.wrap_bio(self.inc, self.out, server_side=True)

    def arm(self, at, act):
        """Cut after `at` more bytes."""
        self.cut_at, self.cut_act = self.sent + at, act

    def raw(self, data):
        if self.cut_at is not None and self.sent + len(data) >= self.cut_at:
            keep = self.cut_at - self.sent
            if keep > 0:
                self.sock.sendall(data[:keep])
                self.sent += keep
            raise Cut(self.cut_act)
        self.sock.sendall(data)
        self.sent += len(data)

    def flush(self):
        if self.tls is not None and self.out.pending:
            self.raw(self.out.read())

    def fill(self):
        """Feed the TLS engine from the socket; False at end of stream."""
        data = self.sock.recv(16384)
        if not data:
            self.inc.write_eof()
            return False
        self.inc.write(data)
        return True

    def first_flight(self):
        """Read the ClientHello and send the server's first flight."""
        while True:
            try:
                self.tls.do_handshake()
                return False
            except ssl.SSLWantReadError:
                if self.out.pending:
                    self.flush()
                    return True
                if not self.fill():
                    return False

    def handshake(self):
        while True:
            try:
                self.tls.do_handshake()
                self.flush()
                return True
            except ssl.SSLWantReadError:
                self.flush()
                if not self.fill():
                    return False

    def recv(self, n):
        if self.tls is None:
            return self.sock.recv(n)
        while True:
            try:
                data = self.tls.read(n)
                self.flush()
                return data
            except ssl.SSLWantReadError:
                self.flush()
                if not self.fill():
                    return b""
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        if self.tls is None:
            self.raw(data)
            return
        # one record per 16 KiB at most, as a real server writes them
        for i in range(0, len(data), 16384):
            self.tls.write(data[i:i + 16384])
            self.flush()

    def close_notify(self):
        if self.tls is not None:
            try:
                self.tls.unwrap()
            except ssl.SSLError:
                pass
            self.flush()


class Reader:
    """Lines and blocks over a Wire."""

    def __init__(self, wire):
        self.wire = wire
        self.buf = b""

    def more(self):
        data = self.wire.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 65536 or not self.more():
                return None
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def block(self, n):
        while len(self.buf) < n:
            if not self.more():
                return None
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class Request:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        parts = urllib.parse.urlsplit(path)
        self.query = dict(urllib.parse.parse_qsl(parts.query))
        self.name = parts.path.strip("/").split("/")[0]

    def arg(self, key, default):
        v = self.query.get(key)
        if v is None:
            return default
        return type(default)(v) if not isinstance(default, str) else v


def read_request(rd):
    """One request head and body, or None at end of stream."""
    line = rd.line()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) < 2:
        return None
    headers = {}
    while True:
        h = rd.line()
        if h is None:
            return None
        if h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((rd.line() or b"0").split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rd.line() not in (b"\r\n", b"\n", None):
                    pass
                break
            body += rd.block(size) or b""
            rd.line()
    elif "content-length" in headers:
        body = rd.block(int(headers["content-length"])) or b""
    return Request(parts[0], parts[1], headers, body)


# ---- scenarios: fn(wire, request, server) -> None (keep), "close" ----

def respond(w, status, body, ctype="application/json", extra=""):
    if isinstance(body, str):
        body = body.encode("utf-8")
    w.send("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
           % (status, ctype, len(body), extra))
    w.send(body)


def pattern(n):
    """n bytes of a recognisable body."""
    unit = b"0123456789abcdef"
    return (unit * (n // len(unit) + 1))[:n]


def s_echo(w, req, srv):
    text = "%s %s\n" % (req.method, req.path)
    for k in sorted(req.headers):
        text += "%s: %s\n" % (k, req.headers[k])
    respond(w, "200 OK", text.encode("latin-1") + b"\n" + req.body, "text/plain")


def s_body(w, req, srv):
    """200 with len bytes, Content-Length or chunked (chunk=size), cut at
    byte `cut` of the response when given."""
    n = req.arg("len", 2000)
    if "cut" in req.query:
        w.arm(req.arg("cut", 0), req.arg("act", "reset"))
    data = pattern(n)
    if req.arg("chunked", 0):
        step = req.arg("chunk", 1000)
        w.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(0, n, step):
            part = data[i:i + step]
            w.send(b"%x\r\n" % len(part) + part + b"\r\n")
        w.send("0\r\n\r\n")
    else:
        w.send("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
        w.send(data)
    if req.arg("no_notify", 0):
        return "close"


def s_close_delimited(w, req, srv):
    """HTTP/1.0-style body that ends when the connection does; with
    notify=0 the TLS close has no close_notify (a truncation attack)."""
    w.send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
    w.send(pattern(req.arg("len", 3000)))
    if req.arg("notify", 1):
        w.close_notify()
    return "close"


def s_truncated_record(w, req, srv):
    """A TLS record whose last bytes never come, then FIN."""
    if w.tls is None:
        w.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        return "close"
    w.tls.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + pattern(100))
    rec = w.out.read()
    w.raw(rec[:len(rec) - 7])
    return "close"


def s_drip(w, req, srv):
    """Every byte on its own, ms apart (TLS: raw=1 drips the record bytes,
    raw=0 sends one record per plaintext byte)."""
    ms = req.arg("ms", 20) / 1000.0
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    if w.tls is not None and req.arg("raw", 0):
        w.tls.write(data)
        rec = w.out.read()
        for i in range(len(rec)):
            w.raw(rec[i:i + 1])
            time.sleep(ms)
        return None
    for i in range(len(data)):
        w.send(data[i:i + 1])
        time.sleep(ms)


def s_status(w, req, srv):
    """`code` (with an error envelope and Retry-After when given) for the
    first `count` requests under `key` (count=0: always), then 200."""
    key = req.arg("key", req.path)
    count = req.arg("count", 0)
    with srv.lock:
        seen = srv.counts.get(key, 0)
        srv.counts[key] = seen + 1
    if count and seen >= count:
        respond(w, "200 OK", '{"data":{"ok":true,"attempt":%d}}' % (seen + 1))
        return None
    extra = ""
    if "retry_after" in req.query:
        extra = "Retry-After: %s\r\n" % req.query["retry_after"]
    code = req.arg("code", 503)
    respond(w, "%d Fault" % code,
            '{"error":{"code":"fault_%d","message":"injected %d"}}' % (code, code), extra=extra)


def s_redirect_loop(w, req, srv):
    respond(w, "302 Found", "", extra="Location: /redirect-loop\r\n")


def s_ping(w, req, srv):
    respond(w, "307 Temporary Redirect", "", extra="Location: /pong\r\n")


def s_pong(w, req, srv):
    respond(w, "307 Temporary Redirect", "", extra="Location: /ping\r\n")


def s_huge_header(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\nX-Huge: " + "h" * req.arg("n", 20000) + "\r\nContent-Length: 0\r\n\r\n")
    return "close"


def s_endless_headers(w, req, srv):
    """Short headers as fast as the client reads them, never the end."""
    w.send("HTTP/1.1 200 OK\r\n")
    block = "".join("X-Endless-%d: v\r\n" % i for i in range(200))
    for _ in range(5000):
        w.send(block)
    return "close"


def s_slow_headers(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\n")
    for i in range(1000):
        w.send("X-%d: v\r\n" % i)
        time.sleep(0.01)
    return "close"


def s_chunk_size(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s\r\nabc"
           % req.arg("hex", "ffffffffffffffffffff"))
    return "close"


def s_endless_1xx(w, req, srv):
    for _ in range(2000):
        w.send("HTTP/1.1 102 Processing\r\n\r\n")
        time.sleep(0.005)
    return "close"


def s_stall_before_head(w, req, srv):
    stall(w.sock)
    return "close"


def s_stall_after_head(w, req, srv):
    # the start of a JSON answer, then nothing
    w.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"p")
    stall(w.sock)
    return "close"


def s_reset_mid_body(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x" * 1000)
    time.sleep(0.05)
    raise Cut("reset")


def s_truncated_chunked(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nab")
    return "close"


def s_close_after(w, req, srv):
    """Answer with keep-alive, then close the idle connection shortly after
    (a stale pooled connection for the client)."""
    respond(w, "200 OK", b"first", "text/plain")
    time.sleep(0.2)
    return "close"


def s_extra_body(w, req, srv):
    w.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")


def s_no_location(w, req, srv):
    w.send("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n")


# Canned answers that break HTTP framing: bytes, then close.
CANNED = {
    "garbage": b"garbage\r\n\r\n",
    "bad-version": b"HTTP/2.5 200 OK\r\nContent-Length: 0\r\n\r\n",
    "bad-status": b"HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n",
    "bad-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello",
    "dup-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "huge-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhello",
    "te-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "obs-fold": b"HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
    "bare-cr": b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
    "nul-header": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
    "chunk-junk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
    "head-eof": b"HTTP/1.1 200 OK\r\nContent-Le",
}


def gzip_bomb(srv):
    """64 MiB of zeros in about 64 KiB, made once."""
    with srv.lock:
        if srv.bomb is None:
            srv.bomb = gzip.compress(b"\0" * (64 << 20), 9)
        return srv.bomb


def s_gzip_bomb(w, req, srv):
    respond(w, "200 OK", gzip_bomb(srv), extra="Content-Encoding: gzip\r\n")


# JSON bodies that break the JSON layer (valid HTTP).
JSON_DOCS = {
    "json-syntax": b'{"data": [1, 2,, 3]}',
    "json-deep": b'{"data":' + b"[" * 100 + b"]" * 100 + b"}",
    "json-tokens": b'{"data":[' + b",".join(b"1" for _ in range(1000)) + b"]}",
    "json-utf8": b'{"data":{"name":"\xff\xfe"}}',
    "json-shape": b'{"data": 42}',
    "json-html": b"<html><body>502 Bad Gateway</body></html>",
    "json-empty-error": b'{"error": {}}',
    "json-long-string": b'{"data":{"name":"' + b"n" * 300000 + b'"}}',
}


def s_json(w, req, srv):
    respond(w, "200 OK", JSON_DOCS[req.name])


def s_json_truncated(w, req, srv):
    """Content-Length promises more JSON than comes."""
    w.send('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n'
           '{"data":[{"name":"vm-1"},{"na')
    return "close"


def s_json_reset(w, req, srv):
    """Half of a JSON list, then a reset."""
    w.send('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n'
           '[{"id":1,"name":"kvm-1"},{"id":2,"na')
    time.sleep(0.05)
    raise Cut("reset")


# Event streams.
def sse_head(w, ctype="text/event-stream"):
    w.send("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nCache-Control: no-cache\r\n\r\n" % ctype)


def s_sse_utf8(w, req, srv):
    """Invalid UTF-8 in every field, then a clean event, then stay open."""
    sse_head(w)
    w.send(b"id: 1\ndata: bad \xff\xfe\xc3 bytes\n\nid: 2\ndata: \xed\xa0\x80surrogate\n\n"
           b"id: 3\nevent: \xf8\x88\x80\x80\x80\ndata: ok\n\n")
    stall(w.sock, 30)
    return "close"


def s_sse_huge(w, req, srv):
    """One event far larger than any buffer, then a normal one."""
    sse_head(w)
    w.send("id: 1\ndata: " + "x" * (1 << 20) + "\n\nid: 2\ndata: after\n\n")
    stall(w.sock, 30)
    return "close"


def s_sse_endless_line(w, req, srv):
    """A data line that never ends."""
    sse_head(w)
    w.send("data: ")
    for _ in range(1000):
        w.send("y" * 16384)
    return "close"


def s_sse_stall(w, req, srv):
    sse_head(w)
    w.send("id: 1\ndata: first\n\n")
    stall(w.sock, 30)
    return "close"


def s_sse_type(w, req, srv):
    sse_head(w, "text/html")
    w.send("data: not a stream\n\n")
    return "close"


SCENARIOS = {
    "echo": s_echo,
    "body": s_body,
    "close-delimited": s_close_delimited,
    "truncated-record": s_truncated_record,
    "drip": s_drip,
    "status": s_status,
    "redirect-loop": s_redirect_loop,
    "ping": s_ping,
    "pong": s_pong,
    "huge-header": s_huge_header,
    "endless-headers": s_endless_headers,
    "slow-headers": s_slow_headers,
    "chunk-size": s_chunk_size,
    "endless-1xx": s_endless_1xx,
    "stall-before-head": s_stall_before_head,
    "stall-after-head": s_stall_after_head,
    "reset-mid-body": s_reset_mid_body,
    "truncated-chunked": s_truncated_chunked,
    "close-after": s_close_after,
    "extra-body": s_extra_body,
    "no-location": s_no_location,
    "gzip-bomb": s_gzip_bomb,
    "json-truncated": s_json_truncated,
    "json-reset": s_json_reset,
    "sse-utf8": s_sse_utf8,
    "sse-huge": s_sse_huge,
    "sse-endless-line": s_sse_endless_line,
    "sse-stall": s_sse_stall,
    "sse-type": s_sse_type,
}


def s_canned(w, req, srv):
    w.send(CANNED[req.name])
    return "close"


for _name in CANNED:
    SCENARIOS[_name] = s_canned
for _name in JSON_DOCS:
    SCENARIOS[_name] = s_json


def s_arm(w, req, srv):
    """Admin: arm the next TLS connection."""
    with srv.lock:
        srv.tls_arm = (req.arg("at", 0), req.arg("act", "reset"))
    respond(w, "200 OK", b"armed\n", "text/plain")


SCENARIOS["_arm"] = s_arm


def s_alias(w, req, srv):
    """Admin: requests whose first segment is `from` meet scenario `to`
    (for clients whose paths cannot carry a scenario name); `to` empty
    removes the alias."""
    with srv.lock:
        if req.arg("to", ""):
            srv.aliases[req.arg("from", "")] = req.arg("to", "")
        else:
            srv.aliases.pop(req.arg("from", ""), None)
    respond(w, "200 OK", b"aliased\n", "text/plain")


def s_reset(w, req, srv):
    """Admin: forget counts, aliases and the TLS arm."""
    with srv.lock:
        srv.counts.clear()
        srv.aliases.clear()
        srv.tls_arm = None
    respond(w, "200 OK", b"reset\n", "text/plain")


SCENARIOS["_alias"] = s_alias
SCENARIOS["_reset"] = s_reset


def s_not_found(w, req, srv):
    respond(w, "200 OK", b"no such scenario\n", "text/plain")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock, srv = self.request, self.server
        wire = None
        try:
            if srv.tls_ctx is not None:
                with srv.shared.lock:
                    arm, srv.shared.tls_arm = srv.shared.tls_arm, None
                if arm is not None and arm[1] == "garbage":
                    sock.recv(4096)
                    sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    return
                if arm is not None and arm[1] == "alert-reset":
                    wire = Wire(sock, srv.tls_ctx)
                    if wire.first_flight():
                        sock.sendall(b"\x15\x03\x03\x00\x02\x02\x28")  # fatal handshake_failure
                        hard_reset(sock)
                    return
                wire = Wire(sock, srv.tls_ctx, arm)
                if not wire.handshake():
                    return
            else:
                first = sock.recv(1, socket.MSG_PEEK)
                if first == b"\x16":
                    stall(sock)  # a ClientHello to the plain port: silence
                    return
                wire = Wire(sock)
            self.serve(wire)
        except Cut as c:
            self.finish_cut(sock, c.act)
        except (OSError, ValueError, ssl.SSLError):
            pass

    def serve(self, wire):
        rd = Reader(wire)
        while True:
            req = read_request(rd)
            if req is None:
                return
            with self.server.shared.lock:
                name = self.server.shared.aliases.get(req.name, req.name)
            fn = SCENARIOS.get(name, s_not_found)
            req.name = name
            if fn(wire, req, self.server.shared) == "close":
                try:
                    self.request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return

    def finish_cut(self, sock, act):
        if act == "reset":
            hard_reset(sock)
        elif act == "stall":
            stall(sock)
        else:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Shared:
    """State across connections and both listeners."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.tls_arm = None
        self.aliases = {}
        self.bomb = None


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, shared, tls_ctx):
        self.shared = shared
        self.tls_ctx = tls_ctx
        socketserver.ThreadingTCPServer.__init__(self, ("127.0.0.1", 0), Handler)


def tls_context(chain, key, client_ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


def main():
    shared = Shared()
    plain = Server(shared, None)
    ports = [plain.server_address[1], 0]
    servers = [plain]
    if len(sys.argv) >= 3:
        ca = sys.argv[4] if len(sys.argv) > 4 else None
        tls = Server(shared, tls_context(sys.argv[2], sys.argv[3], ca))
        ports[1] = tls.server_address[1]
        servers.append(tls)
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d %d\n" % tuple(ports))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    plain.serve_forever()


if __name__ == "__main__":
    main()
