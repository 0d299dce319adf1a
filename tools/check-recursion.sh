#!/bin/sh
# No recursion on input depth: build core/ and port/posix with gcc's
# -fcallgraph-info and look for cycles in the direct call graph (calls
# through function pointers are not edges: the callbacks are the caller's).
# No cycle is allowed: the binder and the record writer keep explicit
# stacks whose depth the program's tables fix. Prints the cycles found;
# exit 1 when there is one.
cd "$(dirname "$0")/.." || exit 1
out=build/callgraph
rm -rf "$out"; mkdir -p "$out"
inc="-Iinclude -Icore -Ibuild/deps/include \
     -Ibuild/third_party/bearssl/inc -Ibuild/third_party/zlib \
     -Ibuild/third_party/libsodium/src/libsodium/include/sodium"
# the default build's files (BearSSL; tls_mbedtls.c is the other backend)
for f in $(ls core/*.c core/api/*.c port/posix/*.c | grep -v tls_mbedtls.c); do
    o="$out/$(echo "$f" | tr / _ | sed 's/\.c$//')"
    gcc -std=c99 -O0 $inc -fcallgraph-info -c "$f" -o "$o.o" -dumpbase "$o" || exit 1
done
python3 - "$out" <<'PY'
import glob, re, sys
edges = {}
for ci in glob.glob(sys.argv[1] + "/*.ci"):
    for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', open(ci).read()):
        src, dst = m.group(1), m.group(2)
        edges.setdefault(src.split(":")[-1] if ":" in src else src, set()).add(dst.split(":")[-1])
# strongly connected components, iteratively (Tarjan)
index, low, on, stack, sccs, n = {}, {}, set(), [], [], [0]
for root in list(edges):
    if root in index:
        continue
    work = [(root, iter(sorted(edges.get(root, ()))))]
    index[root] = low[root] = n[0]; n[0] += 1; stack.append(root); on.add(root)
    while work:
        v, it = work[-1]
        nxt = next(it, None)
        if nxt is not None:
            if nxt not in index:
                index[nxt] = low[nxt] = n[0]; n[0] += 1; stack.append(nxt); on.add(nxt)
                work.append((nxt, iter(sorted(edges.get(nxt, ())))))
            elif nxt in on:
                low[v] = min(low[v], index[nxt])
            continue
        work.pop()
        if work:
            low[work[-1][0]] = min(low[work[-1][0]], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                sccs.append(sorted(comp))
allowed = []
bad = 0
for c in sccs:
    ok = any(set(c) <= a for a in allowed)
    print("%s cycle: %s" % ("allowed" if ok else "RECURSION", " -> ".join(c)))
    bad += not ok
print("%d functions, %d cycles, %d not allowed" % (len(edges), len(sccs), bad))
sys.exit(1 if bad else 0)
PY
