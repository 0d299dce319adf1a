#!/usr/bin/env python3
"""Drive the soak: emit events into the reference control plane, inject a
random fault every few seconds, then stop the agent and judge its report.

usage: driver.py SOAK_BINARY PLEXD_PORT SECONDS [SEED]

Faults (tools/refcp.py /_faults on the plexd listener, which also applies
them to the event stream's requests): bursts of 503 and 500 (longer than
the retries, so some calls fail), 429 with Retry-After, delays beyond the
request timeout, event streams cut in the middle of an event. Events are
emitted at about two and a half a second (every one signed, and verified
by the agent: a node remembers the nonces of the last five minutes, 1024
by default); the server's own count is the number sent.

Passes when every event sent was delivered exactly once, in order, and the
agent's anonymous resident memory (its own: stacks, data, heap) at the end
equals the one after its warm-up. The whole resident set is reported too;
it may grow by file pages (libc's and the program's code) the first time a
rare path runs, which is not memory the program holds.
"""
import json
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def post(port, path, obj, timeout=10):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=json.dumps(obj).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def emit(port, n):
    """Emit n events; the server's total, or None when a fault hit the call
    (then nothing was added)."""
    try:
        return post(port, "/_emit", {"count": n})["events"]
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return None


FAULTS = [
    (30, lambda r: {}),
    (20, lambda r: {"status": 503, "count": r.randint(1, 5)}),
    (10, lambda r: {"status": 500, "count": r.randint(4, 8)}),
    (10, lambda r: {"status": 429, "count": r.randint(1, 2), "retry_after": 1}),
    (15, lambda r: {"drop_events_every": r.randint(2, 40)}),
    (10, lambda r: {"delay_ms": r.randint(200, 1500)}),
    (5, lambda r: {"delay_ms": r.randint(5500, 7000), "count": 0}),
]


def pick_fault(rnd):
    total = sum(w for w, _ in FAULTS)
    x = rnd.uniform(0, total)
    for w, make in FAULTS:
        x -= w
        if x <= 0:
            return make(rnd)
    return {}


class Agent:
    def __init__(self, binary, port):
        self.proc = subprocess.Popen([binary, "http://127.0.0.1:%d" % port],
                                     stdout=subprocess.PIPE, text=True)
        self.delivered = 0
        self.rss = []
        self.report = {}
        self.ready = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "ready":
                self.ready.set()
            elif parts[0] == "progress":
                self.delivered = int(parts[1])
                self.rss.append((int(parts[2]), int(parts[3])))
            elif len(parts) == 2:
                self.report[parts[0]] = int(parts[1])


def main():
    binary, port, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time())
    rnd = random.Random(seed)
    post(port, "/_reset", {})
    agent = Agent(binary, port)
    if not agent.ready.wait(30):
        print("soak: the agent did not register")
        return 1
    print("soak: %d s, seed %d, faults switch every 5-15 s" % (seconds, seed), flush=True)
    sent, faults_set = 0, 0
    end = time.time() + seconds
    next_fault = time.time() + rnd.uniform(5, 15)
    next_note = time.time() + 60
    while time.time() < end:
        total = emit(port, rnd.randint(1, 4))
        if total is not None:
            sent = total
        if time.time() >= next_fault:
            post(port, "/_faults", pick_fault(rnd))
            faults_set += 1
            next_fault = time.time() + rnd.uniform(5, 15)
        if time.time() >= next_note:
            print("soak: %4d s left: %d sent, %d delivered, RSS %s KiB (anonymous %s)"
                  % (end - time.time(), sent, agent.delivered,
                     agent.rss[-1][0] if agent.rss else "?",
                     agent.rss[-1][1] if agent.rss else "?"), flush=True)
            next_note = time.time() + 60
        time.sleep(1.0)
    post(port, "/_faults", {})
    # the server's count is final now; give the agent time to catch up
    sent = emit(port, 0) or sent
    deadline = time.time() + 120
    while agent.delivered < sent and time.time() < deadline:
        time.sleep(0.5)
    agent.proc.send_signal(signal.SIGTERM)
    agent.proc.wait(60)
    time.sleep(0.2)
    r = agent.report
    print("soak: faults injected %d times" % faults_set)
    print("events: sent %d, delivered %d, duplicates %d, out of order %d"
          % (sent, r.get("delivered", -1), r.get("duplicates", -1), r.get("out_of_order", -1)))
    print("calls: %d heartbeats, %d state fetches, %d retries; failed by class: %s"
          % (r.get("heartbeats", 0), r.get("state_fetches", 0), r.get("retries", 0),
             ", ".join("%s %d" % (k[7:], v) for k, v in sorted(r.items())
                       if k.startswith("failed_") and v) or "none"))
    print("stream: %d attempts, %d opened (%d reconnects), %d polls"
          % (r.get("stream_attempts", 0), r.get("stream_opened", 0),
             max(r.get("stream_opened", 0) - 1, 0), r.get("polls", 0)))
    print("RSS: %d KiB after warm-up, %d KiB at the end; anonymous (the process's own "
          "memory, without file pages such as libc's code): %d KiB, %d KiB"
          % (r.get("rss_start_kb", -1), r.get("rss_end_kb", -1),
             r.get("anon_start_kb", -1), r.get("anon_end_kb", -1)))
    if agent.rss:
        print("RSS over the run: min %d, max %d KiB; anonymous min %d, max %d KiB"
              % (min(x[0] for x in agent.rss), max(x[0] for x in agent.rss),
                 min(x[1] for x in agent.rss), max(x[1] for x in agent.rss)))
    ok = (r.get("delivered") == sent and r.get("duplicates") == 0 and
          r.get("out_of_order") == 0 and r.get("anon_start_kb", -1) > 0 and
          r.get("anon_start_kb") == r.get("anon_end_kb"))
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
