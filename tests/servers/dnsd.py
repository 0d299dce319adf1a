#!/usr/bin/env python3
"""A tiny DNS server for the resolver tests (tools/test-cross.sh).

UDP only. A queries for the configured names get their address; other
types for those names get an empty answer (NOERROR: musl asks A and AAAA
together and takes an NXDOMAIN on either as "no such name"); any other
name gets NXDOMAIN.

usage: dnsd.py ADDR PORT READY_FILE NAME=IPV4...
  binds ADDR:PORT, then writes "ADDR PORT" to READY_FILE
"""
import os
import socket
import struct
import sys


def question_end(msg):
    """Offset after the first question's name, type and class."""
    i = 12
    while msg[i] != 0:
        if msg[i] & 0xC0:
            raise ValueError("compressed name in a question")
        i += msg[i] + 1
    return i + 5


def qname(msg):
    labels, i = [], 12
    while msg[i] != 0:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
        i += msg[i] + 1
    return ".".join(labels).lower().rstrip(".")


def answer(msg, names):
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return None
    end = question_end(msg)
    qtype = struct.unpack(">H", msg[end - 4:end - 2])[0]
    name = qname(msg)
    # QR, the opcode and RD echoed, RA
    out_flags = 0x8080 | (flags & 0x7900)
    ans = b""
    if name not in names:
        out_flags |= 3
    elif qtype == 1:
        # a pointer to the question's name, A, IN, TTL 60, 4 bytes
        ans = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(names[name])
    head = struct.pack(">HHHHHH", qid, out_flags, 1, 1 if ans else 0, 0, 0)
    return head + msg[12:end] + ans


def main():
    addr, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    names = dict(a.lower().split("=", 1) for a in sys.argv[4:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(ready + ".tmp", "w") as f:
        f.write("%s %d\n" % s.getsockname())
    os.rename(ready + ".tmp", ready)
    while True:
        msg, peer = s.recvfrom(512)
        try:
            out = answer(msg, names)
        except (IndexError, ValueError, struct.error):
            continue
        if out is not None:
            s.sendto(out, peer)


if __name__ == "__main__":
    main()
