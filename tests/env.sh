# Loopback servers for the tests, the demo and the benchmarks.
# Source this file, then:
#   tt_env_start DIR     start nginx and the misbehaving server under DIR;
#                        exports TT_ENV_DIR TT_NGINX_PORT TT_BAD_PORT and
#                        TT_BAD_TLS_PORT (the fault server's TLS mode)
#   tt_env_stop          stop what tt_env_start started
# Everything listens on 127.0.0.1 (and ::1 when the host has IPv6).
# TLS: throwaway certificates from tools/gen-certs.sh in $TT_ENV_DIR/certs;
# nginx serves https on TT_TLS_PORT (EC chain with an intermediate, session
# cache), TT_MTLS_PORT (client certificate required), TT_RSA_PORT, and one
# port per broken certificate (TT_WRONGNAME_PORT, TT_NOIP_PORT,
# TT_EXPIRED_PORT, TT_NOTYET_PORT, TT_OTHERCA_PORT); `openssl s_server` runs
# on TT_SSERVER_PORT (-Verify, -www), TT_TLS13_PORT (TLS 1.3 only) and
# TT_CBC_PORT (CBC suites only), TT_SHA1_PORT (a SHA-1 signed certificate),
# TT_WEAKRSA_PORT (an RSA-1024 key) and TT_RENEG_PORT (TLS 1.2; renegotiates
# when "r" is written to $TT_ENV_DIR/reneg.in).

tt_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

tt_wait_port() { # port [seconds]
    python3 - "$1" "${2:-10}" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

tt_have_ipv6() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null
}

tt_make_www() { # dir
    www="$1"
    mkdir -p "$www/chunked" "$www/dav"
    # nginx workers run as an unprivileged user when started by root
    chmod a+rwx "$www/dav"
    printf 'hello, tether\n' > "$www/hello.txt"
    cp "$www/hello.txt" "$www/chunked/hello.txt"
    python3 - "$www" <<'PY'
import json, os, sys
www = sys.argv[1]
item = {"name": "worker-1", "state": "running", "cpus": 2, "memory_mb": 2048}
doc = json.dumps({"data": [dict(item, name="worker-%d" % i) for i in range(7)]})
doc = doc[:1024 - 1] if len(doc) >= 1024 else doc + " " * (1023 - len(doc))
open(os.path.join(www, "1k.json"), "w").write(doc + "\n")
block = bytes(range(256)) * 4096          # 1 MiB
with open(os.path.join(www, "3mb.bin"), "wb") as f:
    for _ in range(3):
        f.write(block)
with open(os.path.join(www, "chunked", "big.txt"), "w") as f:
    for i in range(20000):
        f.write("line %06d of the chunked body\n" % i)
# VM lists in a control-plane envelope, ~175 bytes per VM (20,000: 3.5 MB)
for n in (2000, 20000):
    with open(os.path.join(www, "vms-%d.json" % n), "w") as f:
        f.write('{"data": {"total": %d, "vms": [' % n)
        for i in range(n):
            vm = {"id": "8c5f%04x-1f0e-4d6b-9a1e-%012x" % (i % 65536, i),
                  "name": "vm-%05d" % i, "state": ("running", "stopped")[i % 2],
                  "cpus": 1 + i % 8, "memory_mb": 1024 * (1 + i % 4),
                  "host": "host-%c" % "abcd"[i % 4], "ip": "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),
                  "tags": ["batch", "t\u00e9st"]}
            f.write(("," if i else "") + "\n  " + json.dumps(vm, ensure_ascii=False))
        f.write('\n]}, "error": null}\n')
PY
}

tt_nginx_conf() { # dir port
    dir="$1"; port="$2"; c="$TT_ENV_DIR/certs"
    v6=""; v6tls=""
    tt_have_ipv6 && v6="listen [::1]:$port;" && v6tls="listen [::1]:$TT_TLS_PORT ssl;"
    cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 512; }
http {
    types { text/plain txt; application/json json; application/octet-stream bin; }
    default_type application/octet-stream;
    log_format tether '\$connection \$connection_requests \$request_method \$request_uri \$status \$ssl_session_reused';
    access_log $dir/access.log tether;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    server {
        listen 127.0.0.1:$port;
        $v6
        root $dir/www;
        etag on;
        location /chunked/ {
            # sub_filter drops Content-Length: nginx answers chunked
            sub_filter 'no-such-text' 'x';
            sub_filter_types *;
        }
        location /dav/ {
            dav_methods PUT DELETE;
            create_full_put_path on;
            client_max_body_size 16m;
        }
        location = /r301 { return 301 /hello.txt; }
        location = /r302 { return 302 /hello.txt; }
        location = /r303 { return 303 /hello.txt; }
        location = /r307 { return 307 /dav/redirected.txt; }
        location = /r308 { return 308 /dav/redirected.txt; }
        location = /rabs { return 302 http://127.0.0.1:$port/hello.txt; }
        location = /loop { return 302 /loop; }
        location = /chain1 { return 302 /chain2; }
        location = /chain2 { return 302 /chain3; }
        location = /chain3 { return 302 /hello.txt; }
        location = /204 { return 204; }
        location = /404 { return 404; }
        location = /500 { return 500 "server error\n"; }
        location = /close { keepalive_timeout 0; return 200 "closing\n"; }
    }
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:TT:1m;
    ssl_session_tickets off;
$(tt_tls_server "$TT_TLS_PORT" server-chain.pem server.key "$v6tls")
$(tt_tls_server "$TT_MTLS_PORT" server-chain.pem server.key "" "ssl_verify_client on; ssl_client_certificate $c/client-ca.pem; ssl_verify_depth 2;")
$(tt_tls_server "$TT_RSA_PORT" server-rsa.pem server-rsa.key)
$(tt_tls_server "$TT_WRONGNAME_PORT" wrongname.pem wrongname.key)
$(tt_tls_server "$TT_NOIP_PORT" noip.pem noip.key)
$(tt_tls_server "$TT_EXPIRED_PORT" expired.pem expired.key)
$(tt_tls_server "$TT_NOTYET_PORT" notyet.pem notyet.key)
$(tt_tls_server "$TT_OTHERCA_PORT" other-server.pem other-server.key)
$(tt_tls_server "$TT_NGINX13_PORT" server-chain.pem server.key "" "ssl_protocols TLSv1.3; ssl_verify_client on; ssl_client_certificate $c/client-ca.pem; ssl_verify_depth 2;")
}
CONF
}

# one https server block: port cert key [extra listen] [extra directives]
tt_tls_server() {
    cat <<SRV
    server {
        listen 127.0.0.1:$1 ssl;
        $4
        root $dir/www;
        ssl_certificate $c/$2;
        ssl_certificate_key $c/$3;
        $5
        location = /whoami { return 200 "\$ssl_client_s_dn\n"; }
    }
SRV
}

tt_env_start() { # dir
    TT_ENV_DIR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    rm -rf "$TT_ENV_DIR"
    mkdir -p "$TT_ENV_DIR/nginx/tmp" "$TT_ENV_DIR/bad"
    tt_make_www "$TT_ENV_DIR/nginx/www"
    tools/gen-certs.sh "$TT_ENV_DIR/certs" || return 1
    TT_NGINX_PORT=$(tt_free_port)
    for v in TLS MTLS RSA WRONGNAME NOIP EXPIRED NOTYET OTHERCA SSERVER TLS13 CBC SHA1 WEAKRSA \
        RENEG GNUTLS NGINX13 GO13 RSA12; do
        eval "TT_${v}_PORT=$(tt_free_port)"
        eval "export TT_${v}_PORT"
    done
    tt_nginx_conf "$TT_ENV_DIR/nginx" "$TT_NGINX_PORT"
    nginx -e "$TT_ENV_DIR/nginx/error.log" -c "$TT_ENV_DIR/nginx/nginx.conf" \
        >"$TT_ENV_DIR/nginx/stdout.log" 2>&1 &
    echo $! > "$TT_ENV_DIR/nginx.pid"
    python3 tests/servers/badserver.py "$TT_ENV_DIR/bad/port" "$TT_ENV_DIR/certs/server-chain.pem" \
        "$TT_ENV_DIR/certs/server.key" "$TT_ENV_DIR/certs/client-ca.pem" \
        >"$TT_ENV_DIR/bad/log" 2>&1 &
    echo $! > "$TT_ENV_DIR/bad.pid"
    i=0
    while [ ! -s "$TT_ENV_DIR/bad/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    read -r TT_BAD_PORT TT_BAD_TLS_PORT < "$TT_ENV_DIR/bad/port" 2>/dev/null
    export TT_ENV_DIR TT_NGINX_PORT TT_BAD_PORT TT_BAD_TLS_PORT
    mkdir -p "$TT_ENV_DIR/sse"
    python3 tests/servers/sseserver.py "$TT_ENV_DIR/sse/port" "$TT_ENV_DIR/certs/server-chain.pem" \
        "$TT_ENV_DIR/certs/server.key" >"$TT_ENV_DIR/sse/log" 2>&1 &
    echo $! > "$TT_ENV_DIR/sse.pid"
    i=0
    while [ ! -s "$TT_ENV_DIR/sse/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    read -r TT_SSE_PORT TT_SSE_TLS_PORT < "$TT_ENV_DIR/sse/port" || {
        echo "tests/env.sh: sseserver did not start:" >&2; cat "$TT_ENV_DIR/sse/log" >&2; return 1; }
    export TT_SSE_PORT TT_SSE_TLS_PORT
    tt_refcp_start || return 1
    tt_sserver "$TT_SSERVER_PORT" sserver -Verify 1 -verify_return_error -CAfile "$TT_ENV_DIR/certs/client-ca.pem" -www
    tt_sserver "$TT_TLS13_PORT" tls13 -tls1_3 -www
    tt_sserver "$TT_CBC_PORT" cbc -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA -www
    # OpenSSL itself would refuse to serve these at its default security level
    tt_sserver "$TT_SHA1_PORT" sha1 -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' -www \
        -cert "$TT_ENV_DIR/certs/sha1.pem" -key "$TT_ENV_DIR/certs/sha1.key"
    tt_sserver "$TT_WEAKRSA_PORT" weakrsa -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' -www \
        -cert "$TT_ENV_DIR/certs/weak-rsa.pem" -key "$TT_ENV_DIR/certs/weak-rsa.key"
    tt_sserver "$TT_RSA12_PORT" rsa12 -tls1_2 -www \
        -cert "$TT_ENV_DIR/certs/server-rsa.pem" -key "$TT_ENV_DIR/certs/server-rsa.key"
    tt_reneg_start || return 1
    # gnutls-serv: TLS 1.3 only, a client certificate required
    gnutls-serv --http --port "$TT_GNUTLS_PORT" --x509certfile "$TT_ENV_DIR/certs/server-chain.pem" \
        --x509keyfile "$TT_ENV_DIR/certs/server.key" --x509cafile "$TT_ENV_DIR/certs/client-ca.pem" \
        --require-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' \
        </dev/null >"$TT_ENV_DIR/gnutls.log" 2>&1 &
    echo $! > "$TT_ENV_DIR/gnutls.pid"
    # a Go server as the vmm host sets one up: MinVersion TLS 1.3, client
    # certificate required (tests/servers/gotls.go, Debian's golang-go)
    tt_gotls_build || return 1
    build/go/gotls "$TT_GO13_PORT" "$TT_ENV_DIR/certs/server-chain.pem" "$TT_ENV_DIR/certs/server.key" \
        "$TT_ENV_DIR/certs/client-ca.pem" >"$TT_ENV_DIR/gotls.log" 2>&1 &
    echo $! > "$TT_ENV_DIR/gotls.pid"
    for p in "$TT_SSERVER_PORT" "$TT_TLS13_PORT" "$TT_CBC_PORT" "$TT_SHA1_PORT" \
        "$TT_WEAKRSA_PORT" "$TT_RENEG_PORT" "$TT_GNUTLS_PORT" "$TT_GO13_PORT" "$TT_RSA12_PORT"; do
        tt_wait_port "$p" || { echo "tests/env.sh: openssl s_server, gnutls-serv or gotls did not start" >&2; return 1; }
    done
    if ! tt_wait_port "$TT_NGINX_PORT"; then
        echo "tests/env.sh: nginx did not start:" >&2
        cat "$TT_ENV_DIR/nginx/error.log" "$TT_ENV_DIR/nginx/stdout.log" >&2
        return 1
    fi
    [ -n "$TT_BAD_PORT" ] || { echo "tests/env.sh: badserver did not start" >&2; return 1; }
    return 0
}

# build/go/gotls, rebuilt when its source is newer (caches under build/go)
tt_gotls_build() {
    [ build/go/gotls -nt tests/servers/gotls.go ] && return 0
    mkdir -p build/go
    GOCACHE="$PWD/build/go/cache" GOPATH="$PWD/build/go/path" GO111MODULE=off \
        go build -o build/go/gotls tests/servers/gotls.go
}

# openssl s_server on 127.0.0.1:PORT with the EC server chain (a later
# -cert/-key wins): port name args
tt_sserver() {
    port=$1; name=$2; shift 2
    c="$TT_ENV_DIR/certs"
    openssl s_server -accept "127.0.0.1:$port" -cert "$c/server.pem" -key "$c/server.key" \
        -cert_chain "$c/inter-ca.pem" -quiet "$@" </dev/null >"$TT_ENV_DIR/$name.log" 2>&1 &
    echo $! > "$TT_ENV_DIR/$name.pid"
}

# A TLS 1.2 s_server that takes commands on a FIFO: "r" asks the client
# connected at that moment to renegotiate. The FIFO is held open by a
# sleeping writer so that the server never reads an end of input.
tt_reneg_start() {
    c="$TT_ENV_DIR/certs"
    rm -f "$TT_ENV_DIR/reneg.in"
    mkfifo "$TT_ENV_DIR/reneg.in" || return 1
    sleep 100000 > "$TT_ENV_DIR/reneg.in" &
    echo $! > "$TT_ENV_DIR/reneg-holder.pid"
    openssl s_server -accept "127.0.0.1:$TT_RENEG_PORT" -tls1_2 -cert "$c/server.pem" \
        -key "$c/server.key" -cert_chain "$c/inter-ca.pem" <"$TT_ENV_DIR/reneg.in" \
        >"$TT_ENV_DIR/reneg.log" 2>&1 &
    echo $! > "$TT_ENV_DIR/reneg.pid"
}

# the reference control plane (tools/refcp.py): TT_CP_<PROTO>_PORT
tt_refcp_start() {
    mkdir -p "$TT_ENV_DIR/refcp"
    python3 tools/refcp.py --certs "$TT_ENV_DIR/certs" --port-file "$TT_ENV_DIR/refcp/ports" \
        >"$TT_ENV_DIR/refcp/log" 2>&1 &
    echo $! > "$TT_ENV_DIR/refcp.pid"
    i=0
    while [ ! -s "$TT_ENV_DIR/refcp/ports" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    if [ ! -s "$TT_ENV_DIR/refcp/ports" ]; then
        echo "tests/env.sh: refcp did not start:" >&2; cat "$TT_ENV_DIR/refcp/log" >&2; return 1
    fi
    eval "$(python3 -c 'import json,sys
for k, v in json.load(open(sys.argv[1])).items(): print("export TT_CP_%s_PORT=%d" % (k.upper(), v))' \
        "$TT_ENV_DIR/refcp/ports")"
}

tt_env_stop() {
    for f in "$TT_ENV_DIR"/*.pid; do
        [ -f "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null
    done
    wait 2>/dev/null
    return 0
}
