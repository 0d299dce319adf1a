#!/usr/bin/env python3
"""tether benchmarks against curl (and picohttpparser), measured in one run.

Called by tools/bench.sh with the loopback servers running. Prints each
figure for both programs and the ratio tether/curl. Wall times on shared
machines are noisy, so each is the median of many runs; instruction counts
from callgrind are stable and are the figures to compare across machines.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TETHER = os.path.join(ROOT, "build", "tether-static")
KEEPALIVE = os.path.join(ROOT, "build", "bench", "bench_keepalive")
KEEPALIVE_MBEDTLS = os.path.join(ROOT, "build", "mbedtls", "bench", "bench_keepalive")
TETHER_BEARSSL = os.path.join(ROOT, "build", "bench", "tether-static-bearssl")
PARSE = os.path.join(ROOT, "build", "bench", "bench_parse")
JSON = os.path.join(ROOT, "build", "bench-json", "bench", "bench_json")
SSE = os.path.join(ROOT, "build", "bench", "bench_sse")
SIZES = os.path.join(ROOT, "build", "bench", "sizes")
PORT = os.environ["TT_NGINX_PORT"]
URL = "http://127.0.0.1:%s/1k.json" % PORT
DEVNULL = subprocess.DEVNULL


SPAWN = os.path.join(ROOT, "build", "bench", "spawn")


def median_run(argv, n):
    """Median wall seconds and peak RSS (KiB) of n runs of argv, measured by
    the tiny static launcher (see tests/bench/spawn.c)."""
    out = subprocess.run([SPAWN, str(n)] + argv, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(argv), out.stderr))
    wall, rss = out.stdout.split()
    return float(wall) / 1e3, int(rss)


def which(name):
    for d in os.environ.get("PATH", "").split(":"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    sys.exit("bench: %s not found" % name)


def callgrind_ir(argv):
    out = os.path.join(ROOT, "build", "bench", "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                   stdout=DEVNULL, stderr=DEVNULL, check=True)
    with open(out) as f:
        for line in f:
            m = re.match(r"(summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(2))
    sys.exit("bench: no callgrind total")


def ratio(a, b):
    return a / b if b else float("nan")


def timed(argv, n):
    """Median wall seconds and median CPU seconds (user + system) of n runs
    of argv, from wait4's rusage, and the peak RSS (KiB) measured by the
    static launcher (a child forked from Python starts with Python's RSS)."""
    walls, cpus = [], []
    _, rss = median_run(argv, 1)
    for _ in range(n):
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=DEVNULL, stderr=DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.monotonic() - t0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("bench: %s failed" % " ".join(argv))
        cpus.append(ru.ru_utime + ru.ru_stime)
    return statistics.median(walls), statistics.median(cpus), rss


def bulk_download(curl):
    """100 MB over loopback nginx to a file, plain HTTP and TLS 1.2, each
    tether build next to curl in the same run."""
    www = os.path.join(os.environ["TT_ENV_DIR"], "nginx", "www", "bulk-100m.bin")
    with open(www, "wb") as f:
        for _ in range(100):
            f.write(os.urandom(1000000))
    out = os.path.join(ROOT, "build", "bench", "bulk.out")
    ca = os.path.join(os.environ["TT_ENV_DIR"], "certs", "root-ca.pem")
    n = 7
    print("100 MB download to a file (median of %d; CPU = user + system):" % n)
    for scheme, port, extra in (("http", os.environ["TT_NGINX_PORT"], []),
                                ("https", os.environ["TT_TLS_PORT"], ["--cacert", ca])):
        url = "%s://localhost:%s/bulk-100m.bin" % (scheme, port)
        cw, cc, cr = timed([curl, "-s", "--tls-max", "1.2", "-o", out] + extra + [url], n)
        for name, binary in (("BearSSL", TETHER_BEARSSL), ("Mbed TLS", TETHER)):
            tw, tc, tr = timed([binary, "-s", "--tls-max", "1.2", "-o", out] + extra + [url], n)
            print("  %-5s %-8s wall %6.1f ms (curl %6.1f) ratio %.2f (goal <= 1.0)   CPU %6.1f ms "
                  "(curl %6.1f)   peak RSS %5d KiB (curl %6d) 1/%.0f (goal 1/5)"
                  % (scheme, name, tw * 1e3, cw * 1e3, ratio(tw, cw), tc * 1e3, cc * 1e3,
                     tr, cr, ratio(cr, tr)))
            if scheme == "http":
                break  # no TLS: the two builds read and write alike
    os.unlink(www)


def tls_backends(curl, t_tls, murl):
    """Static size, one mTLS GET (handshake included) and the RAM of one
    TLS connection, for each backend next to curl at the same version."""
    n = 100
    print("TLS backends, one mTLS GET exec to exit (median of %d; curl at the same version):" % n)
    for name, binary, ver in (("BearSSL", TETHER_BEARSSL, "1.2"), ("Mbed TLS", TETHER, "1.2"),
                              ("Mbed TLS", TETHER, "1.3")):
        pin = ["--tls-max", ver] if name != "BearSSL" else []
        tw, tr = median_run([binary] + pin + t_tls + ["-o", "/dev/null", murl], n)
        cw, cr = median_run([curl, "-s", "-o", "/dev/null", "--tls-max", ver, "--tlsv" + ver] +
                            t_tls + [murl], n)
        print("  %-8s TLS %s  wall tether %6.2f ms  curl %6.2f ms  ratio %.2f   "
              "peak RSS %5d KiB (curl %5d)" % (name, ver, tw * 1e3, cw * 1e3, ratio(tw, cw), tr, cr))
    for name, binary, conn in (("BearSSL", TETHER_BEARSSL, KEEPALIVE),
                               ("Mbed TLS", TETHER, KEEPALIVE_MBEDTLS)):
        out = subprocess.run([conn, murl, "1"], capture_output=True, text=True,
                             env=dict(os.environ, BENCH_TLS_USED="1")).stdout
        m = re.search(r"tls_conn (\d+) used (\d+)", out)
        if not m:
            sys.exit("bench: %s gave no TLS memory figure" % conn)
        print("  %-8s static CLI %7d bytes; one TLS connection: %6d B reserved, %6d B needed "
              "by an mTLS handshake (TLS %s)" % (name, os.path.getsize(binary), int(m.group(1)),
                                                 int(m.group(2)), "1.2" if name == "BearSSL" else "1.3"))


def main():
    curl = which("curl")
    results = []

    # (a) one GET, exec to exit
    n = 200
    tw, tr = median_run([TETHER, "-o", "/dev/null", URL], n)
    cw, cr = median_run([curl, "-s", "-o", "/dev/null", URL], n)
    _, base = median_run([os.path.join(ROOT, "build", "bench", "noop")], 5)
    print("one GET, exec to exit (median of %d):" % n)
    print("  wall     tether %7.2f ms   curl %7.2f ms   ratio %.2f (goal <= 0.5)"
          % (tw * 1e3, cw * 1e3, ratio(tw, cw)))
    print("  peak RSS tether %7d KiB  curl %7d KiB  ratio 1/%.1f (goal 1/20; "
          "a static no-op program shows %d KiB here)" % (tr, cr, ratio(cr, tr), base))
    results.append(("exec_wall_ratio", ratio(tw, cw)))
    results.append(("rss_ratio", ratio(tr, cr)))

    # (b) 1000 keep-alive GETs in one process
    reqs = 1000
    n = 9
    tw, _ = median_run([KEEPALIVE, URL, str(reqs)], n)
    cw, _ = median_run([curl, "-s", URL + "?n=[1-%d]" % reqs], n)
    print("%d keep-alive GETs of a 1 KB JSON file (median of %d):" % (reqs, n))
    print("  wall     tether %7.1f ms   curl %7.1f ms   ratio %.2f"
          % (tw * 1e3, cw * 1e3, ratio(tw, cw)))
    results.append(("keepalive_wall_ratio", ratio(tw, cw)))

    # (c) client instructions per keep-alive GET (callgrind, startup removed)
    t1 = callgrind_ir([KEEPALIVE, URL, "1"])
    tn = callgrind_ir([KEEPALIVE, URL, str(reqs + 1)])
    c1 = callgrind_ir([curl, "-s", "-o", "/dev/null", URL])
    cn = callgrind_ir([curl, "-s", "-o", "/dev/null", URL + "?n=[0-%d]" % reqs])
    ti, ci = (tn - t1) / reqs, (cn - c1) / reqs
    print("instructions per keep-alive GET (callgrind, client side):")
    print("  tether %9.0f   curl %9.0f   ratio %.3f (goal <= 0.25)" % (ti, ci, ratio(ti, ci)))
    results.append(("instr_ratio", ratio(ti, ci)))

    # TLS: mutual TLS against nginx, both backends side by side, each
    # version against curl at the same version
    certs = os.path.join(os.environ["TT_ENV_DIR"], "certs")
    ca, crt, key = (os.path.join(certs, f) for f in ("root-ca.pem", "client-ec.pem", "client-ec.key"))
    murl = "https://localhost:%s/1k.json" % os.environ["TT_MTLS_PORT"]
    t_tls = ["--cacert", ca, "--cert", crt, "--key", key]
    c_tls = ["--tls-max", "1.2", "--cacert", ca, "--cert", crt, "--key", key]
    os.environ.update(TT_CACERT=ca, TT_CERT=crt, TT_KEY=key)
    tls_backends(curl, t_tls, murl)
    print("the keep-alive figures below: the BearSSL library (TLS 1.2)")
    n = 5
    tw, _ = median_run([KEEPALIVE, murl, str(reqs)], n)
    cw, _ = median_run([curl, "-s"] + c_tls + [murl + "?n=[1-%d]" % reqs], n)
    print("%d keep-alive mTLS GETs (median of %d):" % (reqs, n))
    print("  wall     tether %7.1f ms   curl %7.1f ms   ratio %.2f" % (tw * 1e3, cw * 1e3, ratio(tw, cw)))
    conns = 100
    tw, _ = median_run([KEEPALIVE, murl, str(conns), "newconn"], n)
    cw, _ = median_run([curl, "-s", "-H", "Connection: close"] + c_tls +
                       [murl + "?n=[1-%d]" % conns], n)
    print("%d sequential new mTLS connections, sessions resumed (median of %d):" % (conns, n))
    print("  wall     tether %7.1f ms   curl %7.1f ms   ratio %.2f" % (tw * 1e3, cw * 1e3, ratio(tw, cw)))

    bulk_download(curl)

    # (d) response parsing against picohttpparser
    out = subprocess.run([PARSE], capture_output=True, text=True, check=True).stdout.strip()
    print(out)

    # (e) JSON: the 20,000-VM list (3.7 MB), streaming vs whole buffer, and
    # what strict validation costs over bare jsmn on the same bytes
    vms = os.path.join(os.environ["TT_ENV_DIR"], "nginx", "www", "vms-20000.json")
    print("JSON decode of the %.1f MB VM list (best of 9 runs):" % (os.path.getsize(vms) / 1e6))
    print(subprocess.run([JSON, vms], capture_output=True, text=True, check=True).stdout.rstrip())
    base = callgrind_ir([JSON, vms, "load"])
    ir = {m: callgrind_ir([JSON, vms, m]) - base
          for m in ("jsmn", "parse", "validate", "binder", "stream", "whole")}
    mb = os.path.getsize(vms)
    print("  instructions per byte (callgrind): bare jsmn %.1f, strict parse %.1f (ratio %.2f), "
          "validate %.1f; decode+bind: binder %.1f, element stream %.1f, whole %.1f"
          % (ir["jsmn"] / mb, ir["parse"] / mb, ratio(ir["parse"], ir["jsmn"]), ir["validate"] / mb,
             ir["binder"] / mb, ir["stream"] / mb, ir["whole"] / mb))

    # (f) event streams: the parser alone, then end to end over loopback
    # from tests/servers/sseserver.py (a Python server: it bounds both)
    print("event streams:")
    print(subprocess.run([SSE], capture_output=True, text=True, check=True).stdout.rstrip())
    sse = "http://127.0.0.1:%s/events?n=" % os.environ["TT_SSE_PORT"]
    n = 200000
    tw, _ = median_run([TETHER, "events", "--max-events", str(n), sse + str(n)], 3)
    cw, _ = median_run([curl, "-sN", sse + str(n)], 3)
    print("  end to end, %d events (median of 3): tether %.0f events/s, curl -N %.0f events/s, "
          "time ratio %.2f" % (n, n / tw, n / cw, ratio(tw, cw)))
    _, r1k = median_run([TETHER, "events", "--max-events", "1000", sse + "1000"], 1)
    _, r1m = median_run([TETHER, "events", "--max-events", "1000000", sse + "1000000"], 1)
    print("  peak RSS of tether events: %d KiB after 1,000 events, %d KiB after 1,000,000"
          % (r1k, r1m))

    # (g) a plexd state of 600 peers (160 KB) next to an empty one: the
    # CLI's peak RSS (curl's, which only copies the bytes, for scale) and
    # the library's fixed RAM for it
    x = "http://127.0.0.1:%s" % os.environ["TT_CP_PLEXD_PORT"]
    reg = json.loads(subprocess.run([TETHER, "plexd", "register", "--public-key", "cHVi",
                                     "--hostname", "bench", "--url", x, "--token", "boot-demo-token"],
                                    capture_output=True, text=True, check=True).stdout)
    node, nsk = reg["node_id"], reg["node_secret_key"]
    auth = "Authorization: Bearer " + nsk
    rows = []
    for spec in ('{"peers": 600, "policies": 4, "rules": 25, "data": 8, "secret_refs": 12}',
                 '{"peers": 0, "policies": 0, "rules": 0, "secret_refs": 0}'):
        size = json.loads(subprocess.run(["curl", "-s", "-X", "POST", "-d", spec, x + "/_mesh"],
                                         capture_output=True, text=True, check=True).stdout)["state_bytes"]
        tw, tr = median_run([TETHER, "plexd", "state", "--url", x, "--node-id", node, "--token", nsk], 20)
        cw, cr = median_run([curl, "-s", "-o", "/dev/null", "-H", auth,
                             "%s/v1/nodes/%s/state" % (x, node)], 20)
        rows.append((size, tr, cr, tw))
    subprocess.run(["curl", "-s", "-X", "POST", "-d", "{}", x + "/_mesh"], stdout=DEVNULL, check=True)
    sizes = subprocess.run([SIZES], capture_output=True, text=True, check=True).stdout
    fixed = {m.group(1): int(m.group(2)) for m in re.finditer(r"  (tt_\w+)[^\n]*?\s(\d+)\n", sizes)}
    print("plexd state, peak RSS of the whole CLI (median of 20; curl only copies the bytes):")
    for (size, tr, cr, tw), what in zip(rows, ("600 peers", "empty")):
        print("  %-10s %7d bytes   tether %5d KiB (%.1f ms)   curl %6d KiB" % (what, size, tr, tw * 1e3, cr))
    print("  fixed RAM of the library for it: tt_plexd %d B, tt_plexd_state %d B, tt_json_binder %d B "
          "(the same for any mesh)" % (fixed["tt_plexd"], fixed["tt_plexd_state"], fixed["tt_json_binder"]))

    # (h) binary size
    size = os.path.getsize(TETHER)
    print("static binary with TLS (musl, Mbed TLS, stripped): %d bytes (%.1f KiB); with BearSSL %d bytes"
          % (size, size / 1024, os.path.getsize(TETHER_BEARSSL)))


if __name__ == "__main__":
    main()
