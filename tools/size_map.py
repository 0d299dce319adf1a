#!/usr/bin/env python3
"""Sum a GNU ld map file's allocated input sections by part of tether:
core, TLS glue, protocols, CLI, BearSSL or Mbed TLS, zlib, libsodium,
libc/runtime. With --own, print only tether's own code+data (core, TLS
glue, protocols, CLI); with --parts, one line of every part's.

usage: size_map.py MAP arm|x86 [--own|--parts]"""
import re
import sys

path, arch = sys.argv[1], sys.argv[2]
parts = {}
alloc = re.compile(r"^ (\.text|\.rodata|\.data|\.sdata|\.bss|\.tbss|\.tdata)(\S*)\s*(0x[0-9a-f]+)?\s*(0x[0-9a-f]+)?\s*(\S+)?")


def part_of(obj):
    if "bearssl" in obj:
        return "BearSSL"
    if "libmbedtls" in obj:
        return "Mbed TLS"
    if "libsodium" in obj:
        return "libsodium"
    if "libz.a" in obj or "zlib" in obj:
        return "zlib"
    if "/tls" in obj or "tls_" in obj or "(tls" in obj:
        return "TLS glue"
    if "/api/" in obj or "(api" in obj or "(vmm" in obj or "(plexd" in obj or \
            "(maas" in obj or "(skypilot" in obj or "(poolmgr" in obj or "(gzip" in obj:
        return "protocols"
    if "tools/tether" in obj:
        return "CLI"
    if "libtether.a" in obj or "/core/" in obj or "port/" in obj or "stub" in obj:
        return "core"
    if "errors.o" in obj:
        return "core"
    return "libc/runtime"


pending = None
with open(path) as f:
    in_discard = False
    for line in f:
        if line.startswith("/DISCARD/") or line.startswith("Discarded input sections"):
            in_discard = True
        if line.startswith("Memory map") or line.startswith("Linker script and memory map"):
            in_discard = False
        if in_discard:
            continue
        m = alloc.match(line)
        if m:
            sec, _, addr, size, obj = m.groups()
            if size is None:
                pending = sec
                continue
            if obj and int(size, 16) and int(addr, 16):
                p = part_of(obj)
                key = "bss" if sec in (".bss", ".tbss") else "flash"
                parts.setdefault(p, {"flash": 0, "bss": 0})[key] += int(size, 16)
            pending = None
            continue
        if pending:
            g = line.split()
            if len(g) >= 3 and g[0].startswith("0x") and g[1].startswith("0x"):
                if int(g[1], 16) and int(g[0], 16):
                    p = part_of(g[2])
                    key = "bss" if pending in (".bss", ".tbss") else "flash"
                    parts.setdefault(p, {"flash": 0, "bss": 0})[key] += int(g[1], 16)
            pending = None
order = ["core", "TLS glue", "protocols", "CLI", "BearSSL", "Mbed TLS", "zlib", "libsodium", "libc/runtime"]
OWN = ["core", "TLS glue", "protocols", "CLI"]
if len(sys.argv) > 3 and sys.argv[3] == "--own":
    print(sum(parts[p]["flash"] for p in OWN if p in parts))
    sys.exit(0)
if len(sys.argv) > 3 and sys.argv[3] == "--parts":
    print(", ".join("%s %d" % (p, parts[p]["flash"]) for p in order if p in parts))
    sys.exit(0)
print("  %-14s %10s %10s" % ("part", "code+data", "bss"))
for p in order:
    if p in parts:
        print("  %-14s %10d %10d" % (p, parts[p]["flash"], parts[p]["bss"]))
print("  %-14s %10d %10d" % ("total", sum(v["flash"] for v in parts.values()),
                            sum(v["bss"] for v in parts.values())))
