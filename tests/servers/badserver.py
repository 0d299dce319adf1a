#!/usr/bin/env python3
"""A loopback HTTP server that misbehaves on request.

The request path picks the scenario (see SCENARIOS). Used by the integration
tests to prove that tether fails with the right error class, within its
deadline, and never crashes or hangs. Standard library only.

usage: badserver.py PORT_FILE   (binds 127.0.0.1:0 and writes the port there)
"""
import os
import socket
import socketserver
import struct
import sys
import threading
import time


def read_request(rfile):
    """Read one request head and body; returns (method, path, headers, body)
    or None at end of stream."""
    line = rfile.readline(65536)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) < 2:
        return None
    method, path = parts[0], parts[1]
    headers = {}
    while True:
        h = rfile.readline(65536)
        if not h or h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += rfile.read(size)
            rfile.readline()
    elif "content-length" in headers:
        body = rfile.read(int(headers["content-length"]))
    return method, path, headers, body


def reset(sock):
    """Close with RST instead of FIN (detach: the handler's makefile would
    otherwise keep the descriptor open)."""
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


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        try:
            first = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == b"\x16":
            # a TLS ClientHello to a plain port: say nothing, forever
            stall(sock)
            return
        rfile = sock.makefile("rb")
        while True:
            try:
                req = read_request(rfile)
            except (OSError, ValueError):
                return
            if req is None:
                return
            method, path, headers, body = req
            name = path.split("?")[0].strip("/")
            fn = SCENARIOS.get(name, scenario_not_found)
            verdict = fn(sock, method, path, headers, body)
            if verdict == "reset":
                return
            if verdict == "close":
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return


def send(sock, data):
    sock.sendall(data if isinstance(data, bytes) else data.encode("latin-1"))


def ok(sock, body, extra=""):
    send(sock, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra))
    send(sock, body)


def scenario_not_found(sock, method, path, headers, body):
    ok(sock, b"no such scenario\n")


def scenario_echo(sock, method, path, headers, body):
    text = "%s %s\n" % (method, path)
    for k in sorted(headers):
        text += "%s: %s\n" % (k, headers[k])
    out = text.encode("latin-1") + b"\n" + body
    ok(sock, out, "Content-Type: text/plain\r\n")


def scenario_reset_mid_body(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x" * 1000)
    time.sleep(0.05)
    reset(sock)
    return "reset"


def scenario_stall_after_head(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    stall(sock)
    return "close"


def scenario_stall_before_head(sock, *a):
    stall(sock)
    return "close"


def scenario_truncated_chunked(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nab")
    return "close"


def scenario_garbage(sock, *a):
    send(sock, "garbage\r\n\r\n")
    return "close"


def scenario_no_location(sock, *a):
    send(sock, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n")


def scenario_drip(sock, *a):
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    for i in range(len(data)):
        sock.sendall(data[i:i + 1])
        time.sleep(0.02)


def scenario_close_after(sock, *a):
    """Answer with keep-alive, then close the idle connection shortly after
    (a stale pooled connection for the client)."""
    ok(sock, b"first")
    time.sleep(0.2)
    return "close"


def scenario_huge_header(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\nX-Huge: " + "h" * 20000 + "\r\nContent-Length: 0\r\n\r\n")
    return "close"


def scenario_extra_body(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")


def scenario_slow_headers(sock, *a):
    send(sock, "HTTP/1.1 200 OK\r\n")
    for i in range(1000):
        try:
            send(sock, "X-%d: v\r\n" % i)
        except OSError:
            return "close"
        time.sleep(0.01)
    return "close"


SCENARIOS = {
    "echo": scenario_echo,
    "reset-mid-body": scenario_reset_mid_body,
    "stall-after-head": scenario_stall_after_head,
    "stall-before-head": scenario_stall_before_head,
    "truncated-chunked": scenario_truncated_chunked,
    "garbage": scenario_garbage,
    "no-location": scenario_no_location,
    "drip": scenario_drip,
    "close-after": scenario_close_after,
    "huge-header": scenario_huge_header,
    "extra-body": scenario_extra_body,
    "slow-headers": scenario_slow_headers,
}


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
