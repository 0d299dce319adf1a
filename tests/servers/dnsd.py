#!/usr/bin/env python3
"""A tiny DNS server for the resolver tests (tools/test-cross.sh,
tests/cli/test_dns.sh).

UDP only. A queries for the configured names get their address; other
types for those names get an empty answer (NOERROR: musl asks A and AAAA
together and takes an NXDOMAIN on either as "no such name"); any other
name gets NXDOMAIN. A name can be told to misbehave instead, as real
networks do:

  NAME=IPV4                 answer at once
  NAME=slow:MS:IPV4         answer after MS milliseconds
  NAME=never                never answer
  NAME=trunc                TC set, no records (wants TCP, which we refuse)
  NAME=servfail             SERVFAIL
  NAME=spoof:IPV4           first an answer with another id and 10.9.9.9
                            (to be ignored), then the right one
  NAME=garbage              12 bytes of nonsense with the query's id
  NAME=cname:TARGET         a CNAME to TARGET, then TARGET's A record
  NAME=nx6:MS:IPV4          the A record after MS milliseconds, NXDOMAIN
                            for AAAA at once (as some broken servers do)
  NAME=many6:N:MS:IPV4      N AAAA records at once (::ffff:127.0.0.2 and
                            on: refused on any port), the A record after
                            MS milliseconds

usage: dnsd.py ADDR PORT READY_FILE NAME=SPEC...
  binds ADDR:PORT, then writes "ADDR PORT" to READY_FILE
"""
import os
import socket
import struct
import sys
import threading


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


def wire_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def a_record(owner, ipv4):
    """An A record, IN, TTL 60; owner is wire bytes (or a pointer)."""
    return owner + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(ipv4)


def aaaa_record(owner, ipv6):
    """An AAAA record, IN, TTL 60."""
    return owner + struct.pack(">HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, ipv6)


def reply(msg, end, rcode=0, records=(), tc=False, qid=None):
    flags = struct.unpack(">H", msg[2:4])[0]
    # QR, the opcode and RD echoed, RA
    out_flags = 0x8080 | (flags & 0x7900) | rcode | (0x0200 if tc else 0)
    qid = struct.unpack(">H", msg[:2])[0] if qid is None else qid
    head = struct.pack(">HHHHHH", qid, out_flags, 1, len(records), 0, 0)
    return head + msg[12:end] + b"".join(records)


def answers(msg, names):
    """The datagrams to send for msg, each with its delay in seconds."""
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return []
    end = question_end(msg)
    qtype = struct.unpack(">H", msg[end - 4:end - 2])[0]
    spec = names.get(qname(msg))
    if spec is None:
        return [(0, reply(msg, end, rcode=3))]
    kind, _, rest = spec.partition(":")
    if kind == "never":
        return []
    if kind == "trunc":
        return [(0, reply(msg, end, tc=True))]
    if kind == "servfail":
        return [(0, reply(msg, end, rcode=2))]
    if kind == "garbage":
        return [(0, msg[:2] + b"\x81\x80garbage!!!")]
    if kind == "cname":
        if qtype != 1:
            return [(0, reply(msg, end))]
        target = wire_name(rest)
        cname = b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, len(target)) + target
        return [(0, reply(msg, end, records=[cname, a_record(target, names[rest])]))]
    if kind == "nx6" and qtype != 1:
        return [(0, reply(msg, end, rcode=3))]
    if kind == "many6":
        count, _, rest = rest.partition(":")
        if qtype != 1:
            return [(0, reply(msg, end, records=[aaaa_record(b"\xc0\x0c", "::ffff:127.0.0.%d" % (i + 2))
                                                 for i in range(int(count))]))]
    delay, ipv4 = 0, spec
    if kind in ("slow", "nx6", "many6"):
        ms, _, ipv4 = rest.partition(":")
        delay = int(ms) / 1000.0
    elif kind == "spoof":
        ipv4 = rest
    records = [a_record(b"\xc0\x0c", ipv4)] if qtype == 1 else []
    out = [(delay, reply(msg, end, records=records))]
    if kind == "spoof":
        fake = reply(msg, end, records=[a_record(b"\xc0\x0c", "10.9.9.9")], qid=qid ^ 0x5555)
        out.insert(0, (0, fake))
    return out


def main():
    addr, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    names = dict(a.lower().split("=", 1) for a in sys.argv[4:])
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(ready + ".tmp", "w") as f:
        f.write("%s %d\n" % s.getsockname()[:2])
    os.rename(ready + ".tmp", ready)
    while True:
        msg, peer = s.recvfrom(512)
        try:
            out = answers(msg, names)
        except (IndexError, ValueError, struct.error):
            continue
        for delay, data in out:
            if delay > 0:
                threading.Timer(delay, s.sendto, (data, peer)).start()
            else:
                s.sendto(data, peer)


if __name__ == "__main__":
    main()
