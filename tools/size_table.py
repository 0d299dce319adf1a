#!/usr/bin/env python3
"""Turn `size` output (Berkeley format) into tether's size table: text+data
and bss per object, the total, and the goal. Reads stdin."""
import sys

args = sys.argv[1:]
goal = int(args[args.index("--goal") + 1]) if "--goal" in args else 0
label = args[args.index("--label") + 1] if "--label" in args else "total"
rows = []
for line in sys.stdin:
    f = line.split()
    if len(f) < 6 or not f[0].isdigit():
        continue
    text, data, bss = int(f[0]), int(f[1]), int(f[2])
    name = f[5].rsplit("/", 1)[-1]
    rows.append((name, text, data, bss))
print("  %-18s %8s %8s %8s" % ("object", "text", "data", "bss"))
for name, text, data, bss in rows:
    print("  %-18s %8d %8d %8d" % (name, text, data, bss))
tt = sum(r[1] for r in rows)
td = sum(r[2] for r in rows)
tb = sum(r[3] for r in rows)
print("  %-18s %8d %8d %8d" % ("total", tt, td, tb))
verdict = ""
if goal:
    verdict = " (goal <= %d: %s)" % (goal, "met" if tt + td <= goal else "NOT met")
print("  %s: %d bytes of text+data (%.1f KB)%s; static RAM %d bytes" %
      (label, tt + td, (tt + td) / 1000.0, verdict, td + tb))
if "--anchors" in args:
    print("  published anchors, same method: coreHTTP + llhttp 22.3 KB, coreJSON 2.5 KB, jsmn 0.9 KB")
