#!/usr/bin/env python3
"""tether's reference control plane: one loopback server program that speaks
the five protocols tether's clients implement, with state in memory and
switches for faults. A test and demo tool (python3 standard library only),
not part of any firmware.

  vmm      HTTPS, client certificate required; /api/v1/...
  plexd    HTTP with bearer tokens; /v1/... with an SSE event stream, gzip
  maas     HTTP with OAuth 1.0 PLAINTEXT; /MAAS/api/2.0/...
  sky      HTTP with a bearer service-account token; /api/...
  pool     HTTP, no auth; /health, /pools/{id}/status

Each protocol listens on its own port. Faults are set per listener with
POST /_faults (JSON): {"status": 503, "count": 2, "retry_after": 1,
"delay_ms": 0, "drop_events_every": 0} -- the next `count` requests get
`status` (with Retry-After when given), each request waits delay_ms first,
and the event stream is cut after every N events. POST /_reset clears the
state of that listener; GET /_stats returns request counts.

usage: refcp.py --certs DIR --port-file FILE [--fixed-ports BASE]
  writes {"vmm": port, "plexd": port, ...} as JSON to FILE
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.status = 0
        self.count = 0
        self.retry_after = None
        self.delay_ms = 0
        self.drop_events_every = 0
        self.requests = 0

    def set(self, spec):
        with self.lock:
            self.status = int(spec.get("status", 0))
            self.count = int(spec.get("count", 0))
            self.retry_after = spec.get("retry_after")
            self.delay_ms = int(spec.get("delay_ms", 0))
            self.drop_events_every = int(spec.get("drop_events_every", 0))

    def take(self):
        """The injected status for this request, or 0."""
        with self.lock:
            self.requests += 1
            if self.count > 0 and self.status:
                self.count -= 1
                return self.status
            return 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "refcp/1"

    def log_message(self, fmt, *args):
        if os.environ.get("REFCP_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.server.name, fmt % args))

    # -- plumbing -----------------------------------------------------------
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            data = gzip.decompress(data)
            self.server.stats["gzip_requests"] = self.server.stats.get("gzip_requests", 0) + 1
        return data

    def json_body(self):
        raw = self.body()
        return json.loads(raw) if raw else {}

    def send(self, status, payload=b"", ctype="application/json", headers=None, gz=False):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload).encode()
        elif isinstance(payload, str):
            payload = payload.encode()
        if gz:
            payload = gzip.compress(payload)
        self.send_response(status)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def route(self, method):
        url = urllib.parse.urlparse(self.path)
        self.query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        path = url.path
        srv = self.server
        srv.stats["requests"] = srv.stats.get("requests", 0) + 1
        if not path.startswith("/_"):
            srv.stats["user_agent"] = self.headers.get("User-Agent", "")
        if path == "/_faults" and method == "POST":
            srv.faults.set(self.json_body())
            return self.send(200, {"ok": True})
        if path == "/_reset" and method == "POST":
            self.body()
            srv.faults.clear()
            srv.proto.reset()
            srv.stats.clear()
            return self.send(200, {"ok": True})
        if path == "/_stats":
            extra = getattr(srv.proto, "last_compose", None)
            return self.send(200, dict(srv.stats, faults_requests=srv.faults.requests,
                                       last_compose=extra))
        injected = srv.faults.take()
        if srv.faults.delay_ms:
            time.sleep(srv.faults.delay_ms / 1000.0)
        if injected:
            self.body()
            extra = {}
            if srv.faults.retry_after is not None:
                extra["Retry-After"] = srv.faults.retry_after
            return srv.proto.fault(self, injected, extra)
        return srv.proto.handle(self, method, path)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")


# ---------------------------------------------------------------------------
# vmm: the VM host API (mutual TLS)

class Vmm:
    def __init__(self, hostname="host-a"):
        self.hostname = hostname
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.vms = {}
        self.total_cpus = 32
        self.total_memory_mb = 65536

    @staticmethod
    def err(h, status, code, message):
        h.send(status, {"data": None, "error": {"code": code, "message": message}})

    def fault(self, h, status, extra):
        h.send(status, {"data": None, "error": {"code": "injected", "message": "injected fault %d" % status}},
               headers=extra)

    def ok(self, h, data, status=200):
        h.send(status, {"data": data, "error": None})

    def handle(self, h, method, path):
        parts = [p for p in path.split("/") if p]
        if parts[:2] != ["api", "v1"]:
            return self.err(h, 404, "not_found", "no such endpoint: %s" % path)
        rest = parts[2:]
        with self.lock:
            if rest == ["health"] and method == "GET":
                return self.ok(h, {"status": "ok"})
            if rest == ["status"] and method == "GET":
                used_cpus = sum(v["cpus"] for v in self.vms.values() if v["state"] == "running")
                used_mem = sum(v["memory_mb"] for v in self.vms.values() if v["state"] == "running")
                return self.ok(h, {
                    "hostname": self.hostname, "total_cpus": self.total_cpus,
                    "used_cpus": used_cpus, "total_memory_mb": self.total_memory_mb,
                    "used_memory_mb": used_mem,
                    "available_memory_mb": self.total_memory_mb - used_mem,
                    "running_vms": sum(1 for v in self.vms.values() if v["state"] == "running"),
                    "total_vms": len(self.vms)})
            if rest == ["vms"] and method == "GET":
                return self.ok(h, sorted(self.vms.values(), key=lambda v: v["name"]))
            if rest == ["vms"] and method == "POST":
                return self.create(h, h.json_body())
            if len(rest) >= 2 and rest[0] == "vms":
                name = urllib.parse.unquote(rest[1])
                vm = self.vms.get(name)
                if vm is None:
                    h.body()
                    return self.err(h, 404, "not_found", "vm not found: %s" % name)
                if len(rest) == 2 and method == "GET":
                    return self.ok(h, vm)
                if len(rest) == 2 and method == "DELETE":
                    if vm["state"] == "running" and h.query.get("force") != "true":
                        return self.err(h, 409, "conflict", "vm is running: %s (use force)" % name)
                    del self.vms[name]
                    return self.ok(h, {"deleted": name})
                if len(rest) == 3 and method == "POST" and rest[2] in ("start", "stop"):
                    h.body()
                    want = "running" if rest[2] == "start" else "stopped"
                    if vm["state"] == want:
                        return self.err(h, 409, "conflict", "vm already %s: %s" % (want, name))
                    vm["state"] = want
                    return self.ok(h, vm)
        h.body()
        return self.err(h, 404, "not_found", "no such endpoint: %s %s" % (method, path))

    def create(self, h, req):
        name = req.get("name")
        if not name or not isinstance(req.get("cpus"), int) or not isinstance(req.get("memory_mb"), int):
            return self.err(h, 400, "invalid_request", "name, cpus and memory_mb are required")
        for k in ("disk_size_mb", "ssh_public_key", "image", "kernel", "dns_servers"):
            if k in req and req[k] in ("", 0, [], None):
                return self.err(h, 400, "invalid_request", "empty %s should be omitted" % k)
        if name in self.vms:
            return self.err(h, 409, "already_exists", "vm already exists: %s" % name)
        n = len(self.vms) + 1
        vm = {"name": name, "state": "stopped", "cpus": req["cpus"], "memory_mb": req["memory_mb"],
              "disk_size_mb": req.get("disk_size_mb", 10240), "image": req.get("image", ""),
              "ip": "10.0.0.%d" % (10 + n), "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "dns_servers": req.get("dns_servers", []),
              "has_ssh_key": bool(req.get("ssh_public_key"))}
        self.vms[name] = vm
        return self.ok(h, vm, 201)


# ---------------------------------------------------------------------------
# pool: llama-orch's pool-managerd

class Pool:
    TOKEN = "llorch-demo-token"

    def __init__(self):
        self.reset()

    def reset(self):
        self.pools = {
            "pool-0": {"pool_id": "pool-0", "live": True, "ready": True, "active_leases": 2,
                       "engine_version": "llamacpp-b3412"},
            "pool-1": {"pool_id": "pool-1", "live": True, "ready": False, "active_leases": 0,
                       "engine_version": None},
        }

    def fault(self, h, status, extra):
        h.send(status, {"error": "injected fault %d" % status}, headers=extra)

    def handle(self, h, method, path):
        h.body()
        parts = [p for p in path.split("/") if p]
        if parts == ["health"] and method == "GET":
            return h.send(200, {"status": "ok", "version": "0.1.0"})
        if len(parts) == 3 and parts[0] == "pools" and parts[2] == "status" and method == "GET":
            if h.headers.get("Authorization") != "Bearer " + self.TOKEN:
                return h.send(401, b"", ctype="text/plain")
            st = self.pools.get(urllib.parse.unquote(parts[1]))
            if st is None:
                return h.send(404, {"error": "pool %s not found" % parts[1]})
            return h.send(200, st)
        return h.send(404, {"error": "no such route"})


# ---------------------------------------------------------------------------
# sky: the SkyPilot API server (asynchronous requests)

class Sky:
    TOKEN = "sky_demo_token"
    TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = {}
        self.clusters = {}
        self.jobs = 0
        self.run_s = 0.6

    def fault(self, h, status, extra):
        h.send(status, {"detail": "injected fault %d" % status}, headers=extra)

    def payload(self, r):
        return {k: r[k] for k in ("request_id", "name", "status", "return_value", "error",
                                  "created_at", "cluster_name", "user_name")}

    def finish(self, rid):
        time.sleep(self.run_s / 3)
        with self.lock:
            r = self.requests[rid]
            r["status"] = "RUNNING"
        time.sleep(self.run_s * 2 / 3)
        with self.lock:
            r = self.requests[rid]
            try:
                r["return_value"] = json.dumps(r.pop("work")())
                r["status"] = "SUCCEEDED"
            except Exception as e:  # the request failed on the "cloud"
                r["error"] = json.dumps({"object": "", "type": type(e).__name__, "message": str(e)})
                r["status"] = "FAILED"

    def submit(self, h, name, work, cluster=None):
        rid = str(uuid.uuid4())
        with self.lock:
            self.requests[rid] = {"request_id": rid, "name": name, "status": "PENDING",
                                  "return_value": "null", "error": None,
                                  "created_at": time.time(), "cluster_name": cluster,
                                  "user_name": "tether", "work": work}
        threading.Thread(target=self.finish, args=(rid,), daemon=True).start()
        h.send(200, b"null", headers={"X-Skypilot-Request-ID": rid})

    def launch(self, req):
        name = req["cluster_name"]
        if name.startswith("fail"):
            raise RuntimeError("ResourcesUnavailableError: no capacity for %s" % name)
        creds = sorted((req.get("env_vars") or {}).keys())
        self.clusters[name] = {"name": name, "status": "UP", "launched_at": int(time.time()),
                               "credentials_given": creds}
        self.jobs += 1
        return [self.jobs, name]

    def handle(self, h, method, path):
        if path == "/api/health":
            h.body()
            return h.send(200, {"status": "healthy", "api_version": "27",
                                "version": "1.0.0-refcp", "commit": "0e1f2a3"})
        if h.headers.get("Authorization") != "Bearer " + self.TOKEN:
            h.body()
            return h.send(401, {"detail": "Invalid or missing service account token"})
        if method == "POST" and path in ("/launch", "/down", "/status", "/exec", "/cost_report"):
            req = h.json_body()
            if path == "/launch":
                if not req.get("cluster_name") or not req.get("task"):
                    return h.send(422, {"detail": [{"loc": ["body", "task"], "msg": "field required"}]})
                return self.submit(h, "launch", lambda: self.launch(req), req["cluster_name"])
            if path == "/down":
                def down():
                    if req["cluster_name"] not in self.clusters:
                        raise ValueError("Cluster %s does not exist." % req["cluster_name"])
                    del self.clusters[req["cluster_name"]]
                    return None
                return self.submit(h, "down", down, req.get("cluster_name"))
            if path == "/status":
                names = req.get("cluster_names")
                return self.submit(h, "status", lambda: [c for n, c in sorted(self.clusters.items())
                                                         if names is None or n in names])
            if path == "/exec":
                def ex():
                    if req["cluster_name"] not in self.clusters:
                        raise ValueError("Cluster %s does not exist." % req["cluster_name"])
                    self.jobs += 1
                    return [self.jobs, req["cluster_name"]]
                return self.submit(h, "exec", ex, req.get("cluster_name"))
            return self.submit(h, "cost_report", lambda: [
                {"name": n, "total_cost": 1.25, "duration": 3600} for n in sorted(self.clusters)])
        if method == "GET" and path == "/api/status":
            ids = h.query.get("request_ids", "").split(",")
            with self.lock:
                found = [self.payload(self.requests[i]) for i in ids if i in self.requests]
            return h.send(200, found)
        if method == "GET" and path == "/api/get":
            rid = h.query.get("request_id", "")
            deadline = time.time() + 30
            while time.time() < deadline:
                with self.lock:
                    r = self.requests.get(rid)
                    if r is None:
                        return h.send(404, {"detail": "Request %r not found" % rid})
                    if r["status"] in self.TERMINAL:
                        p = self.payload(r)
                        if r["status"] == "FAILED":
                            return h.send(500, {"detail": p})
                        return h.send(200, p)
                time.sleep(0.05)
            return h.send(503, {"detail": "should be retried"})
        if method == "POST" and path == "/logs":
            req = h.json_body()
            if req.get("cluster_name") not in self.clusters:
                return h.send(404, {"detail": "Cluster %s not found" % req.get("cluster_name")})
            h.send_response(200)
            h.send_header("Content-Type", "text/plain")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            for i in range(5):
                line = ("(task, pid=%d) step %d of 5\n" % (4000 + i, i + 1)).encode()
                h.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                h.wfile.flush()
                time.sleep(0.02)
            h.wfile.write(b"0\r\n\r\n")
            return None
        h.body()
        return h.send(404, {"detail": "Not Found"})


# ---------------------------------------------------------------------------
# maas: Canonical MAAS REST API 2.0 (OAuth 1.0 PLAINTEXT)

class Maas:
    KEY = ("ck", "tk", "ts")       # API key "ck:tk:ts"

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.nonces = set()
        self.last_compose = None
        self.machines = {}
        def host(i, name, typ, zone, pool, tags, cores, mem):
            return {"id": i, "name": name, "type": typ, "zone": {"name": zone, "id": i},
                    "pool": {"name": pool, "id": 0}, "tags": tags,
                    "total": {"cores": cores, "memory": mem, "local_storage": 1 << 40},
                    "used": {"cores": 0, "memory": 0, "local_storage": 0},
                    "available": {"cores": cores, "memory": mem, "local_storage": 1 << 40},
                    "resource_uri": "/MAAS/api/2.0/vm-hosts/%d/" % i}
        self.hosts = {1: host(1, "lxd-a", "lxd", "zone-a", "default", ["gpu", "fast"], 32, 131072),
                      2: host(2, "virsh-b", "virsh", "zone-b", "default", [], 16, 65536),
                      3: host(3, "lxd-b", "lxd", "zone-b", "prod", ["gpu"], 64, 262144)}

    def fault(self, h, status, extra):
        h.send(status, "Injected fault %d" % status, ctype="text/plain", headers=extra)

    def auth_error(self, h):
        v = h.headers.get("Authorization", "")
        if not v.startswith("OAuth "):
            return "Authorization Error: no OAuth header"
        params = {}
        for part in v[6:].split(","):
            k, _, val = part.strip().partition("=")
            params[k] = urllib.parse.unquote(val.strip('"'))
        ck, tk, ts = self.KEY
        if params.get("oauth_signature_method") != "PLAINTEXT" or params.get("oauth_version") != "1.0":
            return "Authorization Error: unsupported signature method"
        if (params.get("oauth_consumer_key"), params.get("oauth_token")) != (ck, tk):
            return "Authorization Error: Invalid access token: %s" % params.get("oauth_token")
        if params.get("oauth_signature") != "&" + ts:
            return "Authorization Error: Invalid signature"
        nonce, stamp = params.get("oauth_nonce", ""), params.get("oauth_timestamp", "0")
        if not nonce or nonce in self.nonces:
            return "Authorization Error: nonce missing or used before"
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > 300:
            return "Authorization Error: Expired timestamp"
        self.nonces.add(nonce)
        return None

    def handle(self, h, method, path):
        prefix = "/MAAS/api/2.0/"
        raw = h.body()
        with self.lock:
            why = self.auth_error(h)
            if why:
                return h.send(401, why, ctype="text/plain")
            if not path.startswith(prefix):
                return h.send(404, "Not Found", ctype="text/plain")
            parts = [p for p in path[len(prefix):].split("/") if p]
            if parts and parts[0] in ("vm-hosts", "pods"):
                if len(parts) == 1 and method == "GET":
                    return h.send(200, [self.hosts[i] for i in sorted(self.hosts)])
                host = self.hosts.get(int(parts[1])) if len(parts) == 2 and parts[1].isdigit() else None
                if host is None:
                    return h.send(404, "No VMHost matches the given query.", ctype="text/plain")
                if method == "GET":
                    return h.send(200, host)
                if method == "POST" and h.query.get("op") == "compose":
                    return self.compose(h, host, dict(urllib.parse.parse_qsl(raw.decode())))
            if len(parts) == 2 and parts[0] == "machines" and method == "GET":
                m = self.machines.get(parts[1])
                if m is None:
                    return h.send(404, "No Machine matches the given query.", ctype="text/plain")
                return h.send(200, m)
        return h.send(404, "Unknown API endpoint: %s" % path, ctype="text/plain")

    def compose(self, h, host, form):
        self.last_compose = form
        try:
            cores, mem = int(form.get("cores", "1")), int(form.get("memory", "2048"))
        except ValueError:
            return h.send(400, "cores and memory must be numbers", ctype="text/plain")
        if cores > host["available"]["cores"]:
            return h.send(409, "Unable to compose KVM instance in '%s'. CPU overcommit ratio is "
                          "1.0 and there are %d available resources; %d requested." % (
                              host["name"], host["available"]["cores"], cores), ctype="text/plain")
        host["used"]["cores"] += cores
        host["used"]["memory"] += mem
        host["available"]["cores"] -= cores
        host["available"]["memory"] -= mem
        sid = uuid.uuid4().hex[:6]
        n = len(self.machines) + 1
        self.machines[sid] = {
            "system_id": sid, "hostname": form.get("hostname") or "vm-%s" % sid,
            "status_name": "Ready", "zone": {"name": form.get("zone") or host["zone"]["name"]},
            "pool": {"name": form.get("pool") or host["pool"]["name"]},
            "cpu_count": cores, "memory": mem,
            "interface_set": [{"name": "eth0", "mac_address": "52:54:00:00:00:%02x" % n,
                               "links": [{"ip_address": "10.10.0.%d" % (20 + n), "mode": "auto",
                                          "subnet": {"cidr": "10.10.0.0/24",
                                                     "gateway_ip": "10.10.0.1"}}]}],
            "resource_uri": "/MAAS/api/2.0/machines/%s/" % sid}
        return h.send(200, {"system_id": sid, "resource_uri": self.machines[sid]["resource_uri"]})


# ---------------------------------------------------------------------------
# plexd: the node agent's control plane (bearer tokens, gzip, signed events)

EVENT_TYPES = ["peer_added", "peer_removed", "peer_key_rotated", "peer_endpoint_changed",
               "policy_updated", "action_request", "session_revoked", "ssh_session_setup",
               "rotate_keys", "signing_key_rotated", "node_state_updated",
               "node_secrets_updated"]


class Plexd:
    BOOTSTRAP = "boot-demo-token"

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.nodes = {}
        self.events = []            # (id, envelope json) for every node
        self.emitted = 0
        self.received = {"results": [], "acks": [], "metrics": 0, "logs": 0, "audit": 0,
                         "drift": 0, "reports": 0, "capabilities": None, "endpoint": None,
                         "heartbeats": 0, "deregistered": []}
        self.artifact = bytes((i * 7 + 3) & 0xff for i in range(300000))

    def fault(self, h, status, extra):
        h.send(status, "injected fault %d" % status, ctype="text/plain", headers=extra)

    def envelope(self, i, typ):
        payload = {"seq": i, "type": typ, "note": "<b>&</b>"}
        return json.dumps({"event_type": typ, "event_id": "evt-%d" % i,
                           "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "nonce": uuid.uuid4().hex, "payload": payload,
                           "signature": base64.b64encode(b"\0" * 64).decode()})

    def emit(self, spec):
        n = int(spec.get("count", 12))
        types = spec.get("types") or EVENT_TYPES
        with self.lock:
            for _ in range(n):
                i = len(self.events) + 1
                self.events.append((i, self.envelope(i, types[self.emitted % len(types)])))
                self.emitted += 1
            if spec.get("malformed"):
                i = len(self.events) + 1
                self.events.append((i, json.dumps({"event_id": "evt-%d" % i, "payload": {}})))

    def node_for(self, h, node_id):
        auth = h.headers.get("Authorization", "")
        node = self.nodes.get(node_id)
        if node is None:
            return None, (404, "node not found: %s" % node_id)
        if auth != "Bearer " + node["token"]:
            return None, (401, "invalid node token")
        return node, None

    def reply(self, h, status, obj):
        body = json.dumps(obj).encode()
        gz = "gzip" in h.headers.get("Accept-Encoding", "") and len(body) > 256
        if gz:
            h.server.stats["gzip_responses"] = h.server.stats.get("gzip_responses", 0) + 1
        h.send(status, body, gz=gz)

    def handle(self, h, method, path):
        parts = [p for p in path.split("/") if p]
        if path == "/_emit" and method == "POST":
            self.emit(h.json_body())
            return h.send(200, {"events": len(self.events)})
        if path == "/_received":
            h.body()
            return h.send(200, self.received)
        if parts == ["v1", "register"] and method == "POST":
            req = h.json_body()
            if h.headers.get("Authorization") != "Bearer " + self.BOOTSTRAP:
                return h.send(401, "invalid bootstrap token", ctype="text/plain")
            if not req.get("public_key") or not req.get("hostname"):
                return h.send(400, "public_key and hostname are required", ctype="text/plain")
            with self.lock:
                n = len(self.nodes) + 1
                nid = "node-%d" % n
                self.nodes[nid] = {"token": "nsk-" + uuid.uuid4().hex, "hostname": req["hostname"],
                                   "public_key": req["public_key"]}
            return self.reply(h, 200, {
                "node_id": nid, "mesh_ip": "100.64.0.%d" % (n + 1),
                "signing_public_key": base64.b64encode(b"k" * 32).decode(),
                "node_secret_key": self.nodes[nid]["token"],
                "peers": [{"id": "peer-1", "public_key": "cGVlcjE=", "mesh_ip": "100.64.0.1",
                           "endpoint": "203.0.113.1:51820", "allowed_ips": ["100.64.0.1/32"],
                           "psk": ""}]})
        if len(parts) == 6 and parts[:3] == ["v1", "artifacts", "plexd"] and method == "GET":
            h.body()
            if parts[3] == "0.0.0":
                return h.send(404, "no such version", ctype="text/plain")
            return h.send(200, self.artifact, ctype="application/octet-stream",
                          headers={"X-Checksum-Sha256": hashlib.sha256(self.artifact).hexdigest()})
        if parts[:2] == ["v1", "keys"] and parts[2:] == ["rotate"] and method == "POST":
            req = h.json_body()
            node, err = self.node_for(h, req.get("node_id", ""))
            if err:
                return h.send(err[0], err[1], ctype="text/plain")
            node["public_key"] = req.get("new_public_key")
            return self.reply(h, 200, {"updated_peers": [
                {"id": "peer-1", "public_key": "cGVlcjE=", "mesh_ip": "100.64.0.1",
                 "endpoint": "203.0.113.1:51820", "allowed_ips": ["100.64.0.1/32"]}]})
        if len(parts) >= 4 and parts[:2] == ["v1", "nodes"]:
            return self.node_call(h, method, parts[2], parts[3:])
        h.body()
        return h.send(404, "not found", ctype="text/plain")

    def node_call(self, h, method, nid, rest):
        if rest == ["events"] and method == "GET":
            return self.stream(h, nid)
        body = h.body()
        node, err = self.node_for(h, nid)
        if err:
            return h.send(err[0], err[1], ctype="text/plain")
        r = self.received
        if rest == ["heartbeat"] and method == "POST":
            r["heartbeats"] += 1
            req = json.loads(body)
            if req.get("node_id") != nid or "T" not in req.get("timestamp", ""):
                return h.send(400, "bad heartbeat", ctype="text/plain")
            return self.reply(h, 200, {"reconcile": r["heartbeats"] % 5 == 0, "rotate_keys": False})
        if rest == ["deregister"] and method == "POST":
            r["deregistered"].append(nid)
            node["token"] = "revoked"
            return h.send(200, {})
        if rest == ["state"] and method == "GET":
            return self.reply(h, 200, {
                "peers": [{"id": "peer-%d" % i, "public_key": "cGVlcg==", "mesh_ip": "100.64.0.%d" % i,
                           "endpoint": "203.0.113.%d:51820" % i, "allowed_ips": ["100.64.0.%d/32" % i]}
                          for i in range(1, 4)],
                "policies": [{"id": "pol-1", "rules": [{"src": "*", "dst": "100.64.0.0/10", "port": 22,
                                                        "protocol": "tcp", "action": "allow"}]}],
                "signing_keys": {"current": "Y3VycmVudA==", "previous": "", "transition_expires": None},
                "metadata": {"site": "lab"}, "data": [], "secret_refs": [{"key": "db", "version": 3}]})
        if rest == ["capabilities"] and method == "PUT":
            r["capabilities"] = json.loads(body)
            return h.send(200, {})
        if rest == ["endpoint"] and method == "PUT":
            r["endpoint"] = json.loads(body)
            return self.reply(h, 200, {"peer_endpoints": [{"peer_id": "peer-1", "endpoint": "203.0.113.1:51820"}]})
        if rest == ["drift"] and method == "POST":
            r["drift"] += len(json.loads(body).get("corrections", []))
            return h.send(200, {})
        if len(rest) == 2 and rest[0] == "secrets" and method == "GET":
            if rest[1] != "db":
                return h.send(404, "secret not found: %s" % rest[1], ctype="text/plain")
            return self.reply(h, 200, {"key": "db", "ciphertext": "c2VjcmV0", "nonce": "bm9uY2U=", "version": 3})
        if rest == ["report"] and method == "POST":
            r["reports"] += 1
            return h.send(200, {})
        if len(rest) == 3 and rest[0] == "executions" and rest[2] in ("ack", "result") and method == "POST":
            req = json.loads(body)
            r["acks" if rest[2] == "ack" else "results"].append(req)
            return h.send(200, {})
        if rest and rest[0] in ("metrics", "logs", "audit") and method == "POST":
            batch = json.loads(body)
            if not isinstance(batch, list):
                return h.send(400, "a batch is a JSON array", ctype="text/plain")
            if len(body) > 200000:
                return h.send(413, "batch too large", ctype="text/plain")
            r[rest[0]] += len(batch)
            return h.send(200, {})
        return h.send(404, "not found", ctype="text/plain")

    def stream(self, h, nid):
        h.body()
        node, err = self.node_for(h, nid)
        if err:
            return h.send(err[0], err[1], ctype="text/plain")
        last = h.headers.get("Last-Event-ID", "")
        start = int(last) if last.isdigit() else 0
        drop = h.server.faults.drop_events_every
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        sent = 0
        h.wfile.write(b": plexd events\n\n")
        deadline = time.time() + 30
        while time.time() < deadline:
            with self.lock:
                todo = [(i, e) for i, e in self.events if i > start]
            for i, env in todo:
                if drop and sent == drop:
                    h.server.stats["drops"] = h.server.stats.get("drops", 0) + 1
                    half = ("id: %d\ndata: %s\n\n" % (i, env)).encode()
                    h.wfile.write(half[: len(half) // 2])
                    h.wfile.flush()
                    return None
                typ = json.loads(env).get("event_type", "message")
                h.wfile.write(("id: %d\nevent: %s\ndata: %s\n\n" % (i, typ, env)).encode())
                start = i
                sent += 1
            try:
                h.wfile.write(b": keep-alive\n\n")
                h.wfile.flush()
            except OSError:
                return None
            time.sleep(0.05)
        return None


# ---------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, name, proto, port, ctx=None):
        self.name = name
        self.proto = proto
        self.faults = Faults()
        self.stats = {}
        self.ctx = ctx
        super().__init__(("127.0.0.1", port), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        # headers and body go out in separate writes: without this, Nagle
        # and delayed ACKs add 40 ms to every answer
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ctx is None:
            return sock, addr
        try:
            return self.ctx.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError):
            sock.close()
            raise OSError("TLS handshake failed")


def mtls_context(certs):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(certs, "server-chain.pem"), os.path.join(certs, "server.key"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(os.path.join(certs, "client-ca.pem"))
    return ctx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--certs", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fixed-ports", type=int, default=0)
    a = ap.parse_args()
    protos = [("vmm", Vmm(), mtls_context(a.certs)), ("pool", Pool(), None), ("sky", Sky(), None), ("maas", Maas(), None),
              ("plexd", Plexd(), None)]
    ports = {}
    for i, (name, proto, ctx) in enumerate(protos):
        srv = Server(name, proto, a.fixed_ports + i if a.fixed_ports else 0, ctx)
        ports[name] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(a.port_file + ".tmp", "w") as f:
        json.dump(ports, f)
        f.write("\n")
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
