#!/usr/bin/env python3
"""Forward ADDR:PORT to 127.0.0.1:PORT for each PORT (inside the lwIP test's
network namespace, where the test servers listen on loopback only).

usage: forward.py ADDR READY_FILE PORT..."""
import socket
import sys
import threading


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        try:
            u = socket.create_connection(("127.0.0.1", port))
        except OSError:
            c.close()  # nothing behind: the client sees a reset, as a refusal
            continue
        for x, y in ((c, u), (u, c)):
            threading.Thread(target=pump, args=(x, y), daemon=True).start()


def main():
    addr, ready = sys.argv[1], sys.argv[2]
    for p in sys.argv[3:]:
        threading.Thread(target=serve, args=(addr, int(p)), daemon=True).start()
    open(ready, "w").write("ok\n")
    threading.Event().wait()


if __name__ == "__main__":
    main()
