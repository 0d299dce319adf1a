#!/usr/bin/env python3
"""A loopback Server-Sent Events server that breaks its streams on purpose.

Plain HTTP and TLS 1.2 (for session resumption across reconnects). Every
stream honours Last-Event-ID; once the last event of a stream was sent and
acknowledged by a reconnect, the server answers 204 so that clients stop.

Paths:
  /events?n=N&drop=K   events 1..N; each connection is cut after K events,
                       alternately between events, in the middle of an
                       event (half its bytes, then FIN) and with a reset
  /drip?n=N            N events written one byte at a time
  /big?size=B          a small event, one of B bytes, then three small ones
  /silent              one event, then silence (the client's idle timeout)
  /comments?n=N        N events with comment keep-alives between them
  /status/CODE         that status with a short text body
  /stats               connections and Last-Event-ID values seen, as text

usage: sseserver.py PORT_FILE CERT_CHAIN KEY
  writes "PLAIN_PORT TLS_PORT" to PORT_FILE
"""
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse

STATS = {"connections": 0, "last_ids": []}
LOCK = threading.Lock()


def read_head(rfile):
    line = rfile.readline(65536)
    if not line:
        return None, None
    parts = line.decode("latin-1").split()
    headers = {}
    while True:
        h = rfile.readline(65536)
        if not h or h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return (parts[1] if len(parts) > 1 else "/"), headers


def event(i, size=0):
    data = "event-%d" % i
    if size:
        data = data + " " + "x" * (size - len(data) - 1)
    return ("id: %d\ndata: %s\n\n" % (i, data)).encode()


HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n")
DONE = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass


class Handler(socketserver.StreamRequestHandler):
    reset_sent = False

    def finish(self):
        super().finish()
        # OpenSSL forgets a session whose connection was not shut down
        # with close_notify: say goodbye properly unless this was a reset
        if isinstance(self.connection, ssl.SSLSocket) and not self.reset_sent:
            try:
                self.connection.settimeout(1)
                self.connection.unwrap()
            except (ssl.SSLError, OSError, ValueError):
                pass

    def handle(self):
        path, headers = read_head(self.rfile)
        if path is None:
            return
        url = urllib.parse.urlparse(path)
        q = dict(urllib.parse.parse_qsl(url.query))
        last = headers.get("last-event-id", "")
        with LOCK:
            STATS["connections"] += 1
            conn_no = STATS["connections"]
            STATS["last_ids"].append(last)
        start = int(last) + 1 if last.isdigit() else 1
        w = self.wfile
        name = url.path.strip("/").split("/")[0]
        try:
            if name == "events":
                self.events(w, start, int(q.get("n", "100")), int(q.get("drop", "0")), conn_no)
            elif name == "drip":
                self.drip(w, start, int(q.get("n", "20")))
            elif name == "big":
                self.big(w, start, int(q.get("size", "1048576")))
            elif name == "silent":
                self.silent(w, start)
            elif name == "comments":
                self.comments(w, start, int(q.get("n", "5")))
            elif name == "status":
                code = int(url.path.split("/")[2])
                body = b"status %d\n" % code
                w.write(b"HTTP/1.1 %d X\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                        b"Connection: close\r\n\r\n%s" % (code, len(body), body))
            elif name == "stats":
                with LOCK:
                    body = ("connections %d\nlast_ids %s\n" % (
                        STATS["connections"], ",".join(STATS["last_ids"]))).encode()
                w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                        % (len(body), body))
            elif name == "stats-reset":
                with LOCK:
                    STATS["connections"] = 0
                    STATS["last_ids"] = []
                w.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            else:
                w.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            w.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass

    def events(self, w, start, n, drop, conn_no):
        if start > n:
            w.write(DONE)
            return
        w.write(HEAD + b": stream of %d\n\n" % n)
        sent = 0
        for i in range(start, n + 1):
            if drop and sent == drop:
                how = conn_no % 3
                if how == 1:
                    ev = event(i)
                    w.write(ev[: len(ev) // 2])  # cut in the middle of an event
                    w.flush()
                elif how == 2:
                    w.flush()
                    reset(self.connection)
                    self.reset_sent = True
                return
            w.write(event(i))
            sent += 1
            if sent % 50 == 0:
                w.flush()
        w.flush()

    def drip(self, w, start, n):
        if start > n:
            w.write(DONE)
            return
        w.write(HEAD)
        w.flush()
        for i in range(start, n + 1):
            for b in event(i):
                w.write(bytes([b]))
                w.flush()
                time.sleep(0.0005)

    def big(self, w, start, size):
        if start > 5:
            w.write(DONE)
            return
        w.write(HEAD)
        for i in range(start, 6):
            w.write(event(i, size if i == 2 else 0))
        w.flush()

    def silent(self, w, start):
        if start > 1:
            w.write(DONE)
            return
        w.write(HEAD + event(1))
        w.flush()
        self.connection.settimeout(30)
        try:
            self.connection.recv(1)  # until the client hangs up
        except OSError:
            pass

    def comments(self, w, start, n):
        if start > n:
            w.write(DONE)
            return
        w.write(HEAD)
        for i in range(start, n + 1):
            for _ in range(3):
                w.write(b": keep-alive\n")
                w.flush()
                time.sleep(0.05)
            w.write(event(i))
            w.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class TLSServer(Server):
    def __init__(self, addr, handler, ctx):
        self.ctx = ctx
        super().__init__(addr, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        try:
            return self.ctx.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError):
            sock.close()
            raise OSError("handshake failed")


def main():
    port_file, chain, key = sys.argv[1:4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(chain, key)
    plain = Server(("127.0.0.1", 0), Handler)
    tls = TLSServer(("127.0.0.1", 0), Handler, ctx)
    for s in (plain, tls):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (plain.server_address[1], tls.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
