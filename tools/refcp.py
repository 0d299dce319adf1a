#!/usr/bin/env python3
"""tether's reference control plane: one loopback server program that speaks
the five protocols tether's clients implement, with state in memory and
switches for faults. A test and demo tool (python3 standard library only),
not part of any firmware.

  vmm      HTTPS, client certificate required; /api/v1/...
  plexd    HTTP with bearer tokens; /v1/... with an SSE event stream, gzip
           (plexd_mtls: the same, behind mutual TLS)
  maas     HTTP with OAuth 1.0 PLAINTEXT; /MAAS/api/2.0/...
  sky      HTTP with a bearer service-account token; /api/...
  pool     HTTP, no auth; /health, /pools/{id}/status

Each protocol listens on its own port. Faults are set per listener with
POST /_faults (JSON): {"status": 503, "count": 2, "retry_after": 1,
"delay_ms": 0, "drop_events_every": 0} -- the next `count` requests get
`status` (with Retry-After when given), each request waits delay_ms first,
and the event stream is cut after every N events. POST /_reset clears the
state of that listener; GET /_stats returns request counts.

plexd's events are signed as its control plane signs them (Ed25519 over
json.Marshal of event_type, event_id, issued_at, nonce, payload; the N-th
key's seed is SHA-256 of "signing-N"): POST /_emit {"count": 12, "types":
[...], "malformed": 0, "tampered": 0, "replayed": 0} queues events (a
signing_key_rotated moves to the next key, the previous one accepted for
ten minutes); POST /_inject {"data": [ENVELOPE, ...]} queues envelopes
signed elsewhere; POST /_mesh sizes the mesh of state and registration.

usage: refcp.py --certs DIR --port-file FILE [--fixed-ports BASE]
  writes {"vmm": port, "plexd": port, ...} as JSON to FILE
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import random
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

    def date_time_string(self, timestamp=None):
        # the Date of a server whose clock differs from this machine's
        if timestamp is None:
            timestamp = time.time() + getattr(self.server.proto, "clock_offset", 0)
        return super().date_time_string(timestamp)

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
            return self.send(200, dict(srv.stats, faults_requests=srv.faults.requests,
                                       last_compose=getattr(srv.proto, "last_compose", None),
                                       last_deploy=getattr(srv.proto, "last_deploy", None)))
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

def sky_pickle(tag, size):
    """What SkyPilot sends where it pickles: base64 of a pickle-sized blob
    (a handle is several KB, an exception with its traceback 2-8 KB)."""
    seed = hashlib.sha256(tag.encode()).digest()
    raw = b"\x80\x04\x95" + (seed * (size // 32 + 1))[:size]
    return base64.b64encode(raw).decode()


def sky_json(obj):
    """orjson/Starlette: compact, raw UTF-8."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Sky:
    """The SkyPilot API server's wire (sky/server/server.py, requests/
    payloads.py, requests.py, serializers/encoders.py): POSTs answered with
    null and X-Skypilot-Request-ID; RequestPayload with return_value and
    error as JSON texts in strings; a FAILED request as 500 {"detail":
    payload} from /api/get, its error carrying a pickled exception of KBs;
    status results with a pickled handle per cluster; /logs as plain text
    with SkyPilot's control lines."""
    TOKEN = "sky_demo_token"
    TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
    SERVER_USER = ("0d9a6bc1", "skypilot")

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = {}
        self.clusters = {}
        self.jobs = 0
        self.run_s = 0.6
        self.posts = {}            # path -> POSTs received

    def fault(self, h, status, extra):
        h.send(status, {"detail": "injected fault %d" % status}, headers=extra)

    def payload(self, r, readable=False):
        """RequestPayload in its field order; /api/status's readable form
        carries no return value or error."""
        return {"request_id": r["request_id"], "name": r["name"],
                "entrypoint": r["name"][4:] if readable else r["entrypoint"],
                "request_body": r["request_body_json"] if readable else r["request_body"],
                "status": r["status"], "created_at": r["created_at"], "user_id": r["user_id"],
                "return_value": "null" if readable else r["return_value"],
                "error": "null" if readable else r["error"], "pid": None if readable else r["pid"],
                "schedule_type": r["schedule_type"], "user_name": r["user_name"] if readable else None,
                "cluster_name": r["cluster_name"], "status_msg": None,
                "should_retry": False, "finished_at": r.get("finished_at")}

    def finish(self, rid):
        time.sleep(self.run_s / 3)
        with self.lock:
            r = self.requests[rid]
            r["status"] = "RUNNING"
        time.sleep(self.run_s * 2 / 3)
        with self.lock:
            r = self.requests[rid]
            try:
                r["return_value"] = sky_json(r.pop("work")())
                r["status"] = "SUCCEEDED"
            except Exception as e:  # the request failed on the "cloud"
                kind = getattr(e, "sky_type", type(e).__name__)
                message = str(e) if not isinstance(e, KeyError) else repr(e.args[0])
                # requests.py set_error: object, type, message, in that order
                r["error"] = sky_json({"object": sky_pickle(message, getattr(e, "object_size", 3000)),
                                       "type": kind, "message": message})
                r["status"] = "FAILED"
            r["finished_at"] = time.time()

    def submit(self, h, name, work, req, cluster=None):
        env = req.get("env_vars")
        if env is None:
            # payloads.RequestBody: no env_vars, the server's own
            uid, user = self.SERVER_USER
        elif "SKYPILOT_USER_ID" not in env:
            # executor.prepare_request_async reads env_vars['SKYPILOT_USER_ID']:
            # a KeyError in the handler, Starlette's debug page, no request id
            return h.send(500, "Traceback (most recent call last):\n  File \"/opt/sky/server/"
                          "requests/executor.py\", line 612, in prepare_request_async\n    "
                          "user_id = request_body.env_vars['SKYPILOT_USER_ID']\n"
                          "KeyError: 'SKYPILOT_USER_ID'\n", ctype="text/plain; charset=utf-8")
        else:
            uid, user = env["SKYPILOT_USER_ID"], env.get("SKYPILOT_USER")
            if user is None:
                def missing():
                    raise KeyError("SKYPILOT_USER")
                work = missing
        rid = str(uuid.uuid4())
        body_json = sky_json(req)
        with self.lock:
            self.posts[name] = self.posts.get(name, 0) + 1
            self.requests[rid] = {
                "request_id": rid, "name": "sky." + name, "status": "PENDING",
                "entrypoint": sky_pickle("entry-" + name, 36),
                "request_body": sky_pickle(body_json, len(body_json) + 400),
                "request_body_json": body_json, "return_value": "null", "error": "null",
                "created_at": time.time(), "user_id": uid, "user_name": user,
                "pid": 48213, "schedule_type": "long" if name in ("launch", "exec", "down") else "short",
                "cluster_name": cluster, "work": work, "env": env or {}}
        threading.Thread(target=self.finish, args=(rid,), daemon=True).start()
        h.send(200, b"null", headers={"X-Skypilot-Request-ID": rid})

    def cluster(self, name, user, nodes=1):
        """StatusResponse, exclude_none: as encoders.encode_status writes it."""
        now = int(time.time())
        return {"name": name, "launched_at": now - 3600, "handle": sky_pickle("handle-" + name, 6000),
                "last_use": "sky launch -c %s task.yaml --gpus A100:%d" % (name, nodes),
                "status": "UP", "autostop": 60, "to_down": False, "owner": ["AIDA5EXAMPLEUSERID1"],
                "metadata": {}, "cluster_hash": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
                "cluster_ever_up": True, "status_updated_at": now - 60, "user_hash": user[0],
                "user_name": user[1] or "unknown", "config_hash": hashlib.sha256(name.encode()).hexdigest(),
                "workspace": "default",
                "last_creation_yaml": "resources:\n  accelerators:\n    A100: %d\n  cloud: aws\nrun: "
                                      "python train.py\n" % nodes,
                "last_creation_command": "sky launch -c %s task.yaml" % name, "is_managed": False,
                "last_event": "Cluster is UP.",
                "resources_str": "%dx(gpus=A100:1, cpus=12, mem=85, a2-highgpu-1g, disk=256)" % nodes,
                "resources_str_full": "%dx(gpus=A100:1, cpus=12, mem=85, a2-highgpu-1g, disk=256, "
                                      "ports=None)" % nodes,
                "nodes": nodes, "cloud": "GCP", "region": "us-central1", "cpus": "12",
                "memory": "85", "accelerators": "{'A100': 1}",
                "cluster_name_on_cloud": "%s-%s" % (name, user[0]), "storage_mounts_metadata": "gAROLg=="}

    def launch(self, req, user):
        name = req["cluster_name"]
        if name.startswith("fail"):
            e = RuntimeError("Failed to provision all possible launchable resources. Relax the "
                             "task's resource requirements: 1x GCP({'A100': 8})\nTo keep retrying "
                             "until the cluster is up, use the `--retry-until-up` flag.")
            e.sky_type = "ResourcesUnavailableError"
            e.object_size = 6000 if name != "fail-big" else 40000
            raise e
        self.clusters[name] = self.cluster(name, user, nodes=2 if name.startswith("big") else 1)
        self.jobs += 1
        return {"job_id": self.jobs, "handle": sky_pickle("handle-" + name, 6000)}

    def handle(self, h, method, path):
        if path == "/api/health":
            h.body()
            return h.send(200, {"status": "healthy", "api_version": "27", "version": "0.11.1",
                                "version_on_disk": "0.11.1", "commit": "0e1f2a3c4d5e6f708192a3b4c5d6e7f801234567",
                                "basic_auth_enabled": False, "user": None,
                                "service_account_token_enabled": True,
                                "ingress_basic_auth_enabled": False, "latest_version": None})
        if path == "/_clusters" and method == "POST":
            spec = h.json_body()
            with self.lock:
                for i in range(int(spec.get("count", 0))):
                    n = "fleet-%03d" % i
                    self.clusters[n] = self.cluster(n, self.SERVER_USER, nodes=1 + i % 4)
            return h.send(200, {"clusters": len(self.clusters)})
        if path == "/_posts":
            h.body()
            return h.send(200, self.posts)
        if h.headers.get("Authorization") != "Bearer " + self.TOKEN:
            h.body()
            return h.send(401, {"detail": "Invalid or expired service account token"})
        if method == "POST" and path in ("/launch", "/down", "/status", "/exec", "/cost_report"):
            req = h.json_body()
            env = req.get("env_vars") or {}
            user = (env.get("SKYPILOT_USER_ID", self.SERVER_USER[0]), env.get("SKYPILOT_USER"))
            if path == "/launch":
                if not req.get("cluster_name") or not req.get("task"):
                    return h.send(422, {"detail": [{"type": "missing", "loc": ["body", "task"],
                                                    "msg": "Field required", "input": req}]})
                return self.submit(h, "launch", lambda: self.launch(req, user), req, req["cluster_name"])
            if path == "/down":
                def down():
                    if req["cluster_name"] not in self.clusters:
                        e = ValueError("Cluster '%s' does not exist." % req["cluster_name"])
                        e.sky_type = "ClusterDoesNotExist"
                        raise e
                    del self.clusters[req["cluster_name"]]
                    return None
                return self.submit(h, "down", down, req, req.get("cluster_name"))
            if path == "/status":
                names = req.get("cluster_names")
                return self.submit(h, "status", lambda: [c for n, c in sorted(self.clusters.items())
                                                         if names is None or n in names], req)
            if path == "/exec":
                def ex():
                    if req["cluster_name"] not in self.clusters:
                        e = ValueError("Cluster '%s' does not exist." % req["cluster_name"])
                        e.sky_type = "ClusterDoesNotExist"
                        raise e
                    self.jobs += 1
                    return {"job_id": self.jobs, "handle": self.clusters[req["cluster_name"]]["handle"]}
                return self.submit(h, "exec", ex, req, req.get("cluster_name"))
            return self.submit(h, "cost_report", lambda: [
                {"name": n, "launched_at": c["launched_at"], "duration": 3600, "num_nodes": c["nodes"],
                 "resources": sky_pickle("res-" + n, 900), "total_cost": 1.25, "status": c["status"]}
                for n, c in sorted(self.clusters.items())], req)
        if method == "GET" and path == "/api/status":
            ids = urllib.parse.parse_qs(urllib.parse.urlparse(h.path).query).get("request_ids", [])
            with self.lock:
                found = [self.payload(r, readable=True) for rid, r in self.requests.items()
                         if any(rid.startswith(i) for i in ids)]
            return h.send(200, sky_json(found).encode())
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
                            return h.send(500, sky_json({"detail": p}).encode())
                        return h.send(200, sky_json(p).encode())
                time.sleep(0.05)
            return h.send(503, {"detail": "Request %r should be retried" % rid})
        if method == "POST" and path == "/logs":
            return self.logs(h, h.json_body())
        h.body()
        return h.send(404, {"detail": "Not Found"})

    def logs(self, h, req):
        """stream_utils: 200 text/plain at once, the job's lines with
        SkyPilot's control lines; a cluster "long-S" streams for S seconds,
        a line every S/5, silent in between but for heartbeats."""
        name = req.get("cluster_name") or ""
        if name not in self.clusters:
            return h.send(404, {"detail": "Cluster %s not found" % name})
        h.send_response(200)
        h.send_header("Content-Type", "text/plain; charset=utf-8")
        h.send_header("Cache-Control", "no-cache, no-transform")
        h.send_header("X-Accel-Buffering", "no")
        h.send_header("X-Skypilot-Request-ID", str(uuid.uuid4()))
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

        def chunk(text):
            data = text.encode()
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()

        seconds = float(name[5:]) if name.startswith("long-") else 0.1
        chunk('<sky-payload>"<rich_init>Waiting for task resources on 1 node.</rich_init>"</sky-payload>\n')
        for i in range(5):
            chunk("(task, pid=%d) step %d of 5\n" % (4000 + i, i + 1))
            time.sleep(seconds / 10)
            if seconds > 1:   # a quiet job: the server's heartbeat keeps the line warm
                chunk('<sky-payload>"<heartbeat></heartbeat>"</sky-payload>\n')
            time.sleep(seconds / 10)
        chunk('<sky-payload>"<rich_stop></rich_stop>"</sky-payload>\n')
        h.wfile.write(b"0\r\n\r\n")
        return None


# ---------------------------------------------------------------------------
# maas: Canonical MAAS REST API 2.0 (OAuth 1.0 PLAINTEXT), answering in the
# shape of MAAS 3.x (src/maasserver/api/{machines,interfaces,blockdevices,
# partitions,subnets,vlans,pods,zones,resourcepools}.py): every key a real
# object has, nested objects rendered whole (a link carries its subnet,
# which carries its VLAN), pretty-printed with four spaces and in no
# stable key order, as piston's emitter writes them.

MAAS_API = "/MAAS/api/2.0/"
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def maas_shuffle(obj, rng):
    """Key order as MAAS gives it: none in particular (a set, per process)."""
    if isinstance(obj, dict):
        keys = list(obj)
        rng.shuffle(keys)
        return {k: maas_shuffle(obj[k], rng) for k in keys}
    if isinstance(obj, list):
        return [maas_shuffle(v, rng) for v in obj]
    return obj


def maas_vlan(vid, fabric, rack):
    return {"id": 5000 + vid, "name": "untagged" if vid == 0 else str(vid), "vid": vid,
            "fabric": "fabric-%d" % fabric, "fabric_id": fabric, "mtu": 1500,
            "primary_rack": rack, "secondary_rack": None, "dhcp_on": vid == 0,
            "external_dhcp": None, "relay_vlan": None, "space": "undefined",
            "resource_uri": MAAS_API + "vlans/%d/" % (5000 + vid)}


def maas_subnet(i, vid, rack):
    cidr = "10.%d.%d.0/24" % (16 + vid // 256, vid % 256)
    return {"id": i, "name": cidr, "description": "", "vlan": maas_vlan(vid, 0, rack),
            "space": "undefined", "cidr": cidr, "gateway_ip": cidr.replace("0/24", "254"),
            "dns_servers": [], "rdns_mode": 2, "active_discovery": False, "allow_dns": True,
            "allow_proxy": True, "managed": True, "disabled_boot_architectures": [],
            "resource_uri": MAAS_API + "subnets/%d/" % i}


def maas_iface(sid, i, name, kind, vid, links, parents=(), rack="bfdhyc"):
    mac = "52:54:00:%02x:%02x:%02x" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    params = ""
    if kind == "bond":
        params = {"bond_downdelay": 0, "bond_lacp_rate": "fast", "bond_miimon": 100,
                  "bond_mode": "802.3ad", "bond_num_grat_arp": 1, "bond_updelay": 0,
                  "bond_xmit_hash_policy": "layer3+4"}
    lk = []
    for n in range(links):
        sub = maas_subnet(vid + 1, vid, rack)
        link = {"id": i * 10 + n, "mode": "auto" if n == 0 else "static", "subnet": sub}
        link["ip_address"] = sub["cidr"].replace("0/24", str(10 + i % 200))
        lk.append(link)
    return {"system_id": sid, "id": i, "name": name, "type": kind,
            "vlan": maas_vlan(vid, 0, rack), "mac_address": mac, "parents": sorted(parents),
            "children": [], "tags": ["sriov"] if kind == "physical" and i % 3 == 0 else [],
            "enabled": True, "links": lk, "params": params,
            "discovered": [{"subnet": maas_subnet(vid + 1, vid, rack),
                            "ip_address": "10.16.%d.%d" % (vid % 256, 100 + i % 100)}] if links else None,
            "effective_mtu": 1500, "vendor": "Intel Corporation" if kind == "physical" else None,
            "product": "Ethernet Controller X710" if kind == "physical" else None,
            "firmware_version": "8.50" if kind == "physical" else None,
            "link_connected": True, "interface_speed": 10000 if kind == "physical" else 0,
            "link_speed": 10000 if kind == "physical" else 0, "numa_node": i % 2,
            "sriov_max_vf": 0,
            "resource_uri": MAAS_API + "nodes/%s/interfaces/%d/" % (sid, i)}


def maas_fs(fstype, label, mount):
    return {"fstype": fstype, "label": label, "uuid": str(uuid.uuid4()),
            "mount_point": mount, "mount_options": None}


def maas_disk(sid, i, name, size, parts):
    pl = []
    for n, (psize, fstype, mount) in enumerate(parts):
        pid = i * 10 + n
        pl.append({"system_id": sid, "device_id": i, "id": pid, "uuid": str(uuid.uuid4()),
                   "path": "/dev/disk/by-dname/%s-part%d" % (name, n + 1), "type": "partition",
                   "size": psize, "bootable": n == 0,
                   "filesystem": maas_fs(fstype, "efi" if n == 0 else "root", mount),
                   "used_for": "%s formatted filesystem mounted at %s" % (fstype, mount),
                   "tags": [],
                   "resource_uri": MAAS_API + "nodes/%s/blockdevices/%d/partition/%d" % (sid, i, pid)})
    used = sum(p[0] for p in parts)
    return {"system_id": sid, "id": i, "name": name, "uuid": None, "type": "physical",
            "path": "/dev/disk/by-dname/" + name, "model": "SAMSUNG MZ7LH960", "serial": "S4%08d" % i,
            "id_path": "/dev/disk/by-id/wwn-0x5002538e%08d" % i, "size": size, "block_size": 512,
            "available_size": size - used, "used_size": used,
            "used_for": ("GPT partitioned with %d partition%s" % (len(parts), "s" if len(parts) != 1 else ""))
                        if parts else "Unused",
            "tags": ["ssd", "sata"], "filesystem": None,
            "partition_table_type": "GPT" if parts else None, "partitions": pl,
            "firmware_version": "HXT7904Q", "storage_pool": None, "numa_node": 0,
            "resource_uri": MAAS_API + "nodes/%s/blockdevices/%d/" % (sid, i)}


def maas_named(kind, i, name, description=""):
    uri = MAAS_API + ("zones/%s/" % name if kind == "zone" else "resourcepool/%d/" % i)
    return {"name": name, "description": description, "id": i, "resource_uri": uri}


def maas_machine(sid, hostname, nics=1, bonds=0, vlans=0, disks=1, zone=None, pool=None,
                 status=(4, "Ready"), cores=4, memory=8192, tags=("virtual", "pod-console-logging")):
    """A machine as GET machines/{id}/ answers it: every key MAAS 3.7 sends."""
    ifaces, i = [], 1
    for n in range(nics):
        ifaces.append(maas_iface(sid, i, "eno%d" % (n + 1), "physical", 0, 1 if n == 0 else 0))
        i += 1
    for n in range(bonds):
        ifaces.append(maas_iface(sid, i, "bond%d" % n, "bond", 0, 1,
                                 parents=["eno%d" % (2 * n + 2), "eno%d" % (2 * n + 3)]))
        i += 1
    for n in range(vlans):
        ifaces.append(maas_iface(sid, i, "bond0.%d" % (100 + n), "vlan", 100 + n, 1,
                                 parents=["bond0"] if bonds else ["eno1"]))
        i += 1
    devs = [maas_disk(sid, 1, "sda", 960197124096,
                      [(536870912, "fat32", "/boot/efi"), (959658156032, "ext4", "/")])]
    for n in range(1, disks):
        devs.append(maas_disk(sid, n + 1, "sd%s" % chr(ord("a") + n), 3840755982336,
                              [(3840755982336 - 1048576, "xfs", "/srv/data%d" % n)] if n % 2 else []))
    ips = [l["ip_address"] for f in ifaces for l in f["links"]]
    hw = {k: "Unknown" for k in ("system_vendor", "system_product", "system_family",
                                 "system_version", "system_sku", "system_serial", "cpu_model",
                                 "mainboard_vendor", "mainboard_product", "mainboard_serial",
                                 "mainboard_version", "mainboard_firmware_vendor",
                                 "mainboard_firmware_date", "mainboard_firmware_version",
                                 "chassis_vendor", "chassis_type", "chassis_serial",
                                 "chassis_version")}
    hw.update(system_vendor="Supermicro", system_product="SYS-1029U-TRT",
              cpu_model="Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz")
    m = {"system_id": sid, "hostname": hostname, "description": "",
         "hardware_uuid": str(uuid.uuid4()),
         "domain": {"authoritative": True, "ttl": None, "id": 0, "resource_record_count": 0,
                    "is_default": True, "name": "maas", "resource_uri": MAAS_API + "domains/0/"},
         "fqdn": hostname + ".maas", "owner": None, "owner_data": {}, "workload_annotations": {},
         "locked": False, "cache_sets": [], "bcaches": [], "volume_groups": [], "raids": [],
         "bios_boot_method": "uefi", "boot_interface": ifaces[0], "architecture": "amd64/generic",
         "min_hwe_kernel": "", "hwe_kernel": None, "cpu_count": cores, "cpu_speed": 2100,
         "memory": memory, "swap_size": None,
         "storage": sum(d["size"] for d in devs) / 1e6, "status": status[0],
         "status_name": status[1], "status_message": status[1], "status_action": "",
         "osystem": "", "distro_series": "", "ephemeral_deploy": False, "error_description": "",
         "netboot": True, "power_type": "ipmi", "power_state": "off", "tag_names": list(tags),
         "address_ttl": None, "ip_addresses": ips, "interface_set": ifaces,
         "zone": zone or maas_named("zone", 1, "default"),
         "pool": pool or maas_named("pool", 0, "default", "Default pool"),
         "disable_ipv4": False, "boot_disk": devs[0], "blockdevice_set": devs,
         "physicalblockdevice_set": devs, "virtualblockdevice_set": [],
         "special_filesystems": [], "node_type": 0, "node_type_name": "Machine", "parent": None,
         "pod": None,
         "default_gateways": {"ipv4": {"gateway_ip": "10.16.0.254", "link_id": None},
                              "ipv6": {"gateway_ip": None, "link_id": None}},
         "current_commissioning_result_id": 29, "current_testing_result_id": 30,
         "current_installation_result_id": None, "hardware_info": hw,
         "numanode_set": [{"index": n, "memory": memory // 2, "cores": list(range(n * cores // 2, (n + 1) * cores // 2)),
                           "hugepages_set": [{"total": 0, "page_size": 2097152}]} for n in range(2)],
         "virtualmachine_id": None, "last_sync": None, "next_sync": None, "sync_interval": None,
         "enable_hw_sync": False, "enable_kernel_crash_dump": False, "is_dpu": False,
         "resource_uri": MAAS_API + "machines/%s/" % sid}
    for k in ("commissioning", "testing", "cpu_test", "memory_test", "network_test",
              "storage_test", "other_test", "interface_test"):
        m[k + "_status"] = 2 if k in ("commissioning", "testing", "storage_test") else -1
        m[k + "_status_name"] = "Passed" if m[k + "_status"] == 2 else "Unknown"
    return m


class Maas:
    KEY = ("ck", "tk", "ts")       # API key "ck:tk:ts"
    THRESHOLD = 300                # piston's OAuthServer.timestamp_threshold

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.rng = random.Random(20261204)
        self.nonces = set()
        self.last_compose = None
        self.last_deploy = None
        self.clock_offset = 0      # the server's clock ahead of the machine's
        self.compose_delay = 0.0
        self.zones = [maas_named("zone", 1, "default"), maas_named("zone", 2, "zone-a"),
                      maas_named("zone", 3, "zone-b")]
        self.pools = [maas_named("pool", 0, "default", "Default pool"),
                      maas_named("pool", 1, "prod", "production")]
        self.domains = [{"authoritative": True, "ttl": None, "id": 0, "resource_record_count": 0,
                         "is_default": True, "name": "maas", "resource_uri": MAAS_API + "domains/0/"}]
        z = {n["name"]: n for n in self.zones}
        p = {n["name"]: n for n in self.pools}

        def host(i, name, typ, zone, pool, tags, cores, mem, pools=1):
            sp = [{"id": "default" if n == 0 else str(uuid.UUID(int=i * 100 + n)),
                   "name": "default" if n == 0 else "pool-%d" % n, "type": ("dir", "lvm", "zfs")[n % 3],
                   "path": "/var/snap/lxd/common/lxd/storage-pools/%s" % ("default" if n == 0 else "pool-%d" % n),
                   "total": 1967845019648, "used": 0, "available": 1967845019648, "default": n == 0}
                  for n in range(pools)]
            return {"id": i, "name": name, "tags": ["pod-console-logging"] + tags, "type": typ,
                    "architectures": ["amd64/generic"],
                    "capabilities": ["composable", "dynamic_local_storage", "over_commit", "storage_pools"],
                    "total": {"cores": cores, "memory": mem, "local_storage": 1967845019648 * pools},
                    "used": {"cores": 0, "memory": 0, "local_storage": 0},
                    "available": {"cores": cores, "memory": mem, "local_storage": 1967845019648 * pools},
                    "zone": z[zone], "cpu_over_commit_ratio": 1.0, "memory_over_commit_ratio": 1.0,
                    "storage_pools": sp, "pool": p[pool], "host": {"system_id": "etn3be", "__incomplete__": True},
                    "default_macvlan_mode": None, "version": "5.21" if typ == "lxd" else "",
                    "resource_uri": MAAS_API + "vm-hosts/%d/" % i}
        self.hosts = {1: host(1, "lxd-a", "lxd", "zone-a", "default", ["gpu", "fast"], 32, 131072),
                      2: host(2, "virsh-b", "virsh", "zone-b", "default", [], 16, 65536),
                      3: host(3, "lxd-b", "lxd", "zone-b", "prod", ["gpu"], 64, 262144),
                      # what the first clients choked on: many tags, a long one, many pools
                      4: host(4, "lxd-rack7-" + "x" * 40, "lxd", "default", "prod",
                              ["rack-7", "row-b", "dc-fra1", "gpu", "nvme", "10g", "lacp",
                               "tier-1", "owner-platform-team", "maintenance-window-sunday-0200",
                               "a-tag-of-sixty-characters-which-is-long-but-allowed-by-maas"], 128, 1048576,
                              pools=12)}
        self.machines = {}
        big = maas_machine("k8dx3m", "rack7-node12", nics=8, bonds=2, vlans=3, disks=6, cores=64,
                           memory=524288, status=(6, "Deployed"), tags=("k8s", "gpu", "rack-7"))
        self.machines[big["system_id"]] = big
        small = maas_machine("sbfrtx", "vm1")
        self.machines[small["system_id"]] = small

    def fault(self, h, status, extra):
        h.send(status, "Injected fault %d" % status, ctype="text/plain", headers=extra)

    def now(self):
        return time.time() + self.clock_offset

    def send(self, h, status, obj):
        """Piston's JSON emitter: indent 4, raw UTF-8, no key order."""
        body = json.dumps(maas_shuffle(obj, self.rng), indent=4, ensure_ascii=False)
        h.send(status, body.encode(), ctype="application/json; charset=utf-8")

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
            return "Authorization Error: 'Invalid access token: %s'" % params.get("oauth_token")
        stamp = params.get("oauth_timestamp", "0")
        now = self.now()
        # piston3's OAuthServer._check_timestamp: only a timestamp too old
        if not stamp.isdigit() or now - int(stamp) > self.THRESHOLD:
            return ("Authorization Error: 'Expired timestamp: given %s and now %s has a greater "
                    "difference than threshold %d'" % (stamp, now, self.THRESHOLD))
        nonce = params.get("oauth_nonce", "")
        if not nonce or nonce in self.nonces:
            return "Authorization Error: 'Nonce already used: %s'" % nonce
        if params.get("oauth_signature") != "&" + ts:
            return "Authorization Error: 'Invalid signature'"
        self.nonces.add(nonce)
        return None

    def handle(self, h, method, path):
        raw = h.body()
        if path == "/_maas" and method == "POST":
            spec = json.loads(raw or b"{}")
            self.clock_offset = int(spec.get("clock_offset", self.clock_offset))
            self.compose_delay = float(spec.get("compose_delay", self.compose_delay))
            return h.send(200, {"ok": True})
        with self.lock:
            why = self.auth_error(h)
            if why:
                # piston's send_oauth_error: Django's default content type
                return h.send(401, why, ctype="text/html; charset=utf-8",
                              headers={"WWW-Authenticate": 'OAuth realm="OAuth"'})
            if not path.startswith(MAAS_API):
                return h.send(404, "Unknown API endpoint: %s" % path, ctype="text/plain; charset=utf-8")
            parts = [p for p in path[len(MAAS_API):].split("/") if p]
            form = dict(urllib.parse.parse_qsl(raw.decode())) if raw else {}
            multi = urllib.parse.parse_qs(raw.decode()) if raw else {}
            if parts == ["zones"] and method == "GET":
                return self.send(h, 200, sorted(self.zones, key=lambda n: n["name"]))
            if parts == ["resourcepools"] and method == "GET":
                return self.send(h, 200, sorted(self.pools, key=lambda n: n["name"]))
            if parts == ["domains"] and method == "GET":
                return self.send(h, 200, self.domains)
            if parts and parts[0] in ("vm-hosts", "pods"):
                if len(parts) == 1 and method == "GET":
                    return self.send(h, 200, [self.hosts[i] for i in sorted(self.hosts)])
                host = self.hosts.get(int(parts[1])) if len(parts) == 2 and parts[1].isdigit() else None
                if host is None:
                    return h.send(404, "No Pod matches the given query.", ctype="text/plain")
                if method == "GET":
                    return self.send(h, 200, host)
                if method == "POST" and h.query.get("op") == "compose":
                    return self.compose(h, host, form, multi)
            if len(parts) == 2 and parts[0] == "machines":
                m = self.machines.get(parts[1])
                if m is None:
                    return h.send(404, "No Machine matches the given query.", ctype="text/plain")
                if method == "GET":
                    return self.send(h, 200, m)
                if method == "POST" and h.query.get("op") == "deploy":
                    return self.deploy(h, m, form)
        return h.send(404, "Unknown API endpoint: %s" % path, ctype="text/plain; charset=utf-8")

    def choice(self, table, value):
        """A ModelChoiceField by primary key: a name is not a choice."""
        for n in table:
            if str(n["id"]) == value:
                return n
        return None

    def compose(self, h, host, form, multi):
        """ComposeMachineForm: what it takes, what it says when it will not."""
        self.last_compose = form
        errors = {}
        cores = form.get("cores", "1")
        memory = form.get("memory", "2048")
        if not cores.isdigit():
            errors["cores"] = ["Enter a whole number."]
        elif int(cores) < 1:
            errors["cores"] = ["Ensure this value is greater than or equal to 1."]
        if not memory.isdigit():
            errors["memory"] = ["Enter a whole number."]
        elif int(memory) < 1024:
            errors["memory"] = ["Ensure this value is greater than or equal to 1024."]
        zone = self.choice(self.zones, form["zone"]) if "zone" in form else host["zone"]
        pool = self.choice(self.pools, form["pool"]) if "pool" in form else host["pool"]
        if zone is None:
            errors["zone"] = [INVALID_CHOICE]
        if pool is None:
            errors["pool"] = [INVALID_CHOICE]
        if "domain" in form and self.choice(self.domains, form["domain"]) is None:
            errors["domain"] = [INVALID_CHOICE]
        for c in multi.get("pinned_cores", []):
            if not c.isdigit() or int(c) >= host["total"]["cores"]:
                errors["pinned_cores"] = ["Select a valid choice. %s is not one of the available "
                                          "choices." % c]
        if errors:
            # MAASAPIValidationError(form.errors): JSON, default separators
            return h.send(400, json.dumps(errors), ctype="application/json; charset=utf-8")
        cores, memory = int(cores), int(memory)
        if cores > host["available"]["cores"]:
            return h.send(503, "Unable to compose KVM instance in '%s'. CPU overcommit ratio is "
                          "1.0 and there are %d available resources; %d requested." % (
                              host["name"], host["available"]["cores"], cores), ctype="text/plain")
        if self.compose_delay:
            time.sleep(self.compose_delay)
        for k, v in (("cores", cores), ("memory", memory)):
            host["used"][k] += v
            host["available"][k] -= v
        sid = uuid.uuid4().hex[:6]
        m = maas_machine(sid, form.get("hostname") or "vm-%s" % sid, zone=zone, pool=pool,
                         cores=cores, memory=memory, tags=tuple(host["tags"]) + ("virtual",))
        m["pod"] = {"id": host["id"], "name": host["name"],
                    "resource_uri": MAAS_API + "pods/%d/" % host["id"]}
        self.machines[sid] = m
        return self.send(h, 200, {"system_id": sid, "resource_uri": m["resource_uri"]})

    def deploy(self, h, m, form):
        if m["status"] not in (4, 10):
            return h.send(409, "Can't deploy a machine that is in the '%s' state" % m["status_name"],
                          ctype="text/plain")
        self.last_deploy = dict(form, system_id=m["system_id"])
        m["distro_series"] = form.get("distro_series", "jammy")
        m["osystem"] = "ubuntu"
        m["status"], m["status_name"], m["status_message"] = 9, "Deploying", "Deploying"
        m["owner"] = "admin"
        return self.send(h, 200, m)


# ---------------------------------------------------------------------------
# plexd: the node agent's control plane (bearer tokens, gzip, signed events)

EVENT_TYPES = ["peer_added", "peer_removed", "peer_key_rotated", "peer_endpoint_changed",
               "policy_updated", "action_request", "session_revoked", "ssh_session_setup",
               "rotate_keys", "signing_key_rotated", "node_state_updated",
               "node_secrets_updated"]


# Ed25519 signing (RFC 8032, section 5.1), for the control plane's signed
# events: integers, extended coordinates, nothing but the standard library.
# Slow (milliseconds a signature) and not constant-time: a test tool's.
ED_P = 2 ** 255 - 19
ED_L = 2 ** 252 + 27742317777372353535851937790883648493
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P


def ed_add(a, b):
    """Sum of two points (X, Y, Z, T) on the twisted Edwards curve."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    pa = (y1 - x1) * (y2 - x2) % ED_P
    pb = (y1 + x1) * (y2 + x2) % ED_P
    pc = 2 * t1 * t2 * ED_D % ED_P
    pd = 2 * z1 * z2 % ED_P
    e, f, g, hh = pb - pa, pd - pc, pd + pc, pb + pa
    return (e * f % ED_P, g * hh % ED_P, f * g % ED_P, e * hh % ED_P)


def ed_mul(k, pt):
    acc = (0, 1, 1, 0)
    while k:
        if k & 1:
            acc = ed_add(acc, pt)
        pt = ed_add(pt, pt)
        k >>= 1
    return acc


def ed_encode(pt):
    x, y, z, _ = pt
    zi = pow(z, ED_P - 2, ED_P)
    x, y = x * zi % ED_P, y * zi % ED_P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def ed_base():
    y = 4 * pow(5, ED_P - 2, ED_P) % ED_P
    x2 = (y * y - 1) * pow(ED_D * y * y + 1, ED_P - 2, ED_P) % ED_P
    x = pow(x2, (ED_P + 3) // 8, ED_P)
    if (x * x - x2) % ED_P:
        x = x * pow(2, (ED_P - 1) // 4, ED_P) % ED_P
    if x & 1:
        x = ED_P - x
    return (x, y, 1, x * y % ED_P)


ED_B = ed_base()


class SigningKey:
    """An Ed25519 key from a 32-byte seed, as Go's ed25519.NewKeyFromSeed."""

    def __init__(self, seed):
        h = hashlib.sha512(seed).digest()
        a = int.from_bytes(h[:32], "little")
        a &= (1 << 254) - 8
        a |= 1 << 254
        self.a, self.prefix = a, h[32:]
        self.public = ed_encode(ed_mul(a, ED_B))

    def public_b64(self):
        return base64.b64encode(self.public).decode()

    def sign(self, msg):
        r = int.from_bytes(hashlib.sha512(self.prefix + msg).digest(), "little") % ED_L
        big_r = ed_encode(ed_mul(r, ED_B))
        k = int.from_bytes(hashlib.sha512(big_r + self.public + msg).digest(), "little") % ED_L
        return big_r + ((r + k * self.a) % ED_L).to_bytes(32, "little")


def signing_seed(n):
    """The control plane's n-th signing key (the Go signer of the tests takes
    the same seed: SHA-256 of "signing-N")."""
    return hashlib.sha256(("signing-%d" % n).encode()).digest()


def go_time(ns):
    """A time as Go's time.Time marshals itself (RFC3339Nano, UTC): the
    fraction without trailing zeros."""
    sec, frac = divmod(ns, 10 ** 9)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    if frac:
        text += ("." + "%09d" % frac).rstrip("0")
    return text + "Z"


def go_json(obj):
    """encoding/json as a Go control plane writes it: compact, <>& escaped,
    map keys sorted (struct fields keep their order: dicts here are built
    in the struct's order)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def go_list(items):
    """A nil slice is null to Go's encoder."""
    return items if items else None


def b64key(seed):
    """A 32-byte key in standard base64, as WireGuard and Ed25519 keys are."""
    return base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()


class Mesh:
    """A mesh shaped like a real one (plexd's internal/api/types.go): UUID
    node ids, 44-byte keys, CIDRs, endpoints of every kind a peer may have,
    policies with rules, data entries with JSON payloads, secret refs."""

    def __init__(self, peers=3, policies=1, rules=1, data=0, secret_refs=1, payload_bytes=64,
                 nsk_bytes=32):
        self.npeers, self.npolicies, self.nrules = peers, policies, rules
        self.ndata, self.nrefs, self.payload_bytes, self.nsk_bytes = data, secret_refs, payload_bytes, nsk_bytes

    def peer(self, i):
        mesh_ip = "100.64.%d.%d" % (i // 250, 1 + i % 250)
        endpoint = ("203.0.113.%d:51820" % (i % 250), "[2001:db8::%x]:51820" % i,
                    "edge-%d.sites.example.net:51820" % i, "")[i % 4]
        ips = [mesh_ip + "/32"] + (["10.%d.0.0/16" % (i % 250), "192.168.%d.0/24" % (i % 250)]
                                   if i % 10 == 0 else [])
        return {"id": str(uuid.UUID(int=0x0190a8b8 << 96 | i)), "public_key": b64key("peer%d" % i),
                "mesh_ip": mesh_ip, "endpoint": endpoint, "allowed_ips": ips,
                "psk": b64key("psk%d" % i) if i % 3 else ""}

    def peers(self):
        return go_list([self.peer(i) for i in range(1, self.npeers + 1)])

    def policies(self):
        out = []
        for p in range(self.npolicies):
            rules = [{"src": self.peer(1 + (p + r) % max(self.npeers, 1))["id"] if r % 2 else "*",
                      "dst": "*", "port": (22, 443, 0, 51820)[r % 4],
                      "protocol": ("tcp", "tcp", "", "udp")[r % 4], "action": "allow"}
                     for r in range(self.nrules)]
            out.append({"id": "pol-%d" % (p + 1), "rules": go_list(rules)})
        return go_list(out)

    def data(self):
        pad = "x" * max(0, self.payload_bytes - 60)
        return go_list([{"key": "config/app-%d" % d, "content_type": "application/json",
                         "payload": {"enabled": True, "level": "<warn>", "pad": pad, "seq": d},
                         "version": d + 1, "updated_at": "2026-11-30T08:15:42.117Z"}
                        for d in range(self.ndata)])

    def secret_refs(self):
        return go_list([{"key": "db" if r == 0 else "secret-%d" % r, "version": 3 + r}
                        for r in range(self.nrefs)])


class Plexd:
    BOOTSTRAP = "boot-demo-token"

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.nodes = {}
        self.mesh = Mesh()
        self.events = []            # (id, envelope json) for every node
        self.emitted = 0
        # the signing keys: events are signed with keys[-1]; after a
        # rotation the one before is accepted until its transition ends
        self.keys = [SigningKey(signing_seed(0))]
        self.transition = None      # transition_expires of the previous key
        self.received = {"results": [], "acks": [], "metrics": 0, "logs": 0, "audit": 0,
                         "drift": 0, "reports": 0, "capabilities": None, "endpoint": None,
                         "heartbeats": 0, "deregistered": []}
        self.artifact = bytes((i * 7 + 3) & 0xff for i in range(300000))
        self.secrets = {"db": 24, "tls-bundle": 46 * 1024, "too-big": 50 * 1024}

    def fault(self, h, status, extra):
        h.send(status, "injected fault %d" % status, ctype="text/plain", headers=extra)

    def signing_keys(self):
        """SigningKeys as the state and signing_key_rotated carry them."""
        keys = {"current": self.keys[-1].public_b64()}
        if len(self.keys) > 1:
            keys["previous"] = self.keys[-2].public_b64()
            keys["transition_expires"] = self.transition
        return keys

    def envelope(self, i, typ):
        """An event as plexd's control plane signs it: Ed25519 over
        json.Marshal of event_type, event_id, issued_at, nonce, payload."""
        key = self.keys[-1]
        if typ == "signing_key_rotated":
            self.keys.append(SigningKey(signing_seed(len(self.keys))))
            self.transition = go_time(time.time_ns() + 600 * 10 ** 9)
            payload = self.signing_keys()
        else:
            payload = {"seq": i, "type": typ, "note": "<b>&</b>"}
        body = {"event_type": typ, "event_id": "evt-%d" % i, "issued_at": go_time(time.time_ns()),
                "nonce": uuid.uuid4().hex, "payload": payload}
        body["signature"] = base64.b64encode(key.sign(go_json(body).encode())).decode()
        return go_json(body)

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
            if spec.get("replayed") and self.events:
                # the last event again, as an attacker would resend it
                self.events.append((len(self.events) + 1, self.events[-1][1]))
            if spec.get("tampered"):
                # an event changed on the way: its payload is not what was signed
                i = len(self.events) + 1
                env = json.loads(self.envelope(i, "action_request"))
                env["payload"] = {"action": "reboot"}
                self.events.append((i, go_json(env)))

    def inject(self, spec):
        """Admin: envelopes as given (signed elsewhere), in order."""
        with self.lock:
            for data in spec.get("data", []):
                i = len(self.events) + 1
                self.events.append((i, data))

    def node_for(self, h, node_id):
        auth = h.headers.get("Authorization", "")
        node = self.nodes.get(node_id)
        if node is None:
            return None, (404, "node not found: %s" % node_id)
        if auth != "Bearer " + node["token"]:
            return None, (401, "invalid node token")
        return node, None

    def reply(self, h, status, obj):
        body = (go_json(obj) + "\n").encode()   # json.Encoder.Encode adds the newline
        gz = "gzip" in h.headers.get("Accept-Encoding", "") and len(body) > 256
        if gz:
            h.server.stats["gzip_responses"] = h.server.stats.get("gzip_responses", 0) + 1
        h.send(status, body, gz=gz)

    def state(self):
        m = self.mesh
        return {"peers": m.peers(), "policies": m.policies(),
                "signing_keys": self.signing_keys(),
                "metadata": {"rack": "r1", "region": "fra", "site": "lab"},
                "data": m.data(), "secret_refs": m.secret_refs()}

    def handle(self, h, method, path):
        parts = [p for p in path.split("/") if p]
        if path == "/_emit" and method == "POST":
            self.emit(h.json_body())
            return h.send(200, {"events": len(self.events)})
        if path == "/_inject" and method == "POST":
            self.inject(h.json_body())
            return h.send(200, {"events": len(self.events)})
        if path == "/_mesh" and method == "POST":
            spec = h.json_body()
            with self.lock:
                self.mesh = Mesh(**spec)
            return h.send(200, {"state_bytes": len(go_json(self.state()))})
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
                nid = str(uuid.UUID(int=0x0190a8b9 << 96 | n))
                # the node secret key: base64 of random bytes (32 in plexd)
                nsk = base64.b64encode(os.urandom(self.mesh.nsk_bytes)).decode()
                self.nodes[nid] = {"token": nsk, "hostname": req["hostname"],
                                   "public_key": req["public_key"]}
                peers = self.mesh.peers()
            return self.reply(h, 201, {
                "node_id": nid, "mesh_ip": "100.64.0.%d" % (n + 1),
                "signing_public_key": self.keys[-1].public_b64(),
                "node_secret_key": nsk, "peers": peers})
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
            return self.reply(h, 200, {"updated_peers": self.mesh.peers()})
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
            r["heartbeat_timestamp"] = req.get("timestamp")
            if req.get("node_id") != nid or "T" not in req.get("timestamp", ""):
                return h.send(400, "bad heartbeat", ctype="text/plain")
            return self.reply(h, 200, {"reconcile": r["heartbeats"] % 5 == 0, "rotate_keys": False})
        if rest == ["deregister"] and method == "POST":
            r["deregistered"].append(nid)
            node["token"] = "revoked"
            return h.send(200, {})
        if rest == ["state"] and method == "GET":
            with self.lock:
                st = self.state()
            return self.reply(h, 200, st)
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
            size = self.secrets.get(rest[1])
            if size is None:
                return h.send(404, "secret not found: %s" % rest[1], ctype="text/plain")
            # AES-256-GCM output (ciphertext and 16-byte tag) in base64, a
            # 12-byte nonce in base64
            blob = hashlib.sha256(rest[1].encode()).digest() * (size // 32 + 2)
            return self.reply(h, 200, {"key": rest[1],
                                       "ciphertext": base64.b64encode(blob[:size + 16]).decode(),
                                       "nonce": base64.b64encode(blob[:12]).decode(), "version": 3})
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
    plexd = Plexd()
    # plexd_mtls: the same control plane behind mutual TLS (the boot test's
    # node reaches it so); faults are set per listener
    protos = [("vmm", Vmm(), mtls_context(a.certs)), ("pool", Pool(), None), ("sky", Sky(), None), ("maas", Maas(), None),
              ("plexd", plexd, None), ("plexd_mtls", plexd, mtls_context(a.certs))]
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
