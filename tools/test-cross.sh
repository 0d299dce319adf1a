#!/bin/sh
# `make test-cross`: the ARM builds under qemu-user. For each triple: the
# unit tests, an mTLS request to nginx, an SSE stream through forced
# disconnects, and a vmm call over mTLS to the reference control plane,
# all run by the ARM static binaries against the loopback servers; that
# they are static musl binaries, and name resolution as on a BMC:
# localhost from /etc/hosts, cp.tether.test from a DNS server named in
# /etc/resolv.conf (tests/servers/dnsd.py), for mTLS and an event stream.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
started=0
# inside `make test` the servers are up already (tests/run.sh)
if [ -z "${TT_CP_VMM_PORT:-}" ]; then
    tt_env_start build/cross-env >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
    started=1
fi
C="$TT_ENV_DIR/certs"
R="$TT_ENV_DIR/resolv"
cleanup() {
    [ -f "$R/dnsd.pid" ] && kill "$(cat "$R/dnsd.pid")" 2>/dev/null
    [ $started = 0 ] || tt_env_stop
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1: $2"; }

# musl reads /etc/hosts and /etc/resolv.conf, and asks port 53 only: the
# binaries run in a mount namespace (root: unshare -m) with private
# copies of both bound over the real ones, and dnsd listens on port 53 of
# a loopback address of its own (the network namespace stays shared, so
# the test servers stay reachable). Tried on a few addresses, in case one
# is taken by a concurrent run.
resolv_start() {
    rm -rf "$R"; mkdir -p "$R"
    printf '127.0.0.1 localhost\n' > "$R/hosts"
    for i in 1 2 3 4 5; do
        a=127.53.$(( ($$ + i) % 250 + 1 )).1
        python3 tests/servers/dnsd.py "$a" 53 "$R/ready" cp.tether.test=127.0.0.1 \
            >"$R/dnsd.log" 2>&1 &
        echo $! > "$R/dnsd.pid"
        n=0
        while [ ! -s "$R/ready" ] && kill -0 "$(cat "$R/dnsd.pid")" 2>/dev/null && [ $n -lt 100 ]; do
            sleep 0.05; n=$((n+1))
        done
        if [ -s "$R/ready" ]; then
            printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$a" > "$R/resolv.conf"
            in_ns true >"$R/ns.log" 2>&1 || { resolv_err="no mount namespace: $(cat "$R/ns.log")"; return 1; }
            return 0
        fi
        kill "$(cat "$R/dnsd.pid")" 2>/dev/null; rm -f "$R/dnsd.pid"
    done
    resolv_err="dnsd could not listen on port 53: $(tail -1 "$R/dnsd.log")"
    return 1
}
# in_ns CMD...: CMD with the private /etc/hosts and /etc/resolv.conf
in_ns() {
    u=-m; [ "$(id -u)" = 0 ] || u=-rm
    unshare $u sh -c 'mount --bind "$0/hosts" /etc/hosts && mount --bind "$0/resolv.conf" /etc/resolv.conf &&
        exec "$@"' "$R" "$@"
}
resolv_err=""
resolv_start || true

# a static musl binary: no glibc inside (its ABI note makes file say
# "for GNU/Linux"; its symbols carry GLIBC versions), musl's strerror text
is_musl() {
    f=$(file "$1")
    case "$f" in *"statically linked"*) ;; *) echo "$f"; return 1 ;; esac
    case "$f" in *GNU/Linux*) echo "glibc ABI note: $f"; return 1 ;; esac
    ! grep -q GLIBC "$1" || { echo "GLIBC strings inside"; return 1; }
    grep -q "No error information" "$1" || { echo "no musl strings inside"; return 1; }
}

# resolv_checks TRIPLE QEMU BEARSSL_CLI MBEDTLS_CLI
resolv_checks() {
    if [ -n "$resolv_err" ]; then
        bad "$1/resolver" "$resolv_err"
        return
    fi
    set -- "$1" "$2" "$3" "$4" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key"
    t=$1; q=$2; b=$3; m=$4; shift 4
    out=$(in_ns $q "$b" "$@" "https://localhost:$TT_MTLS_PORT/whoami" 2>&1)
    echo "$out" | grep -q "CN=" && ok "$t/localhost-from-hosts-file" || bad "$t/localhost-from-hosts-file" "$out"
    out=$(in_ns $q "$b" "$@" "https://cp.tether.test:$TT_MTLS_PORT/whoami" 2>&1)
    echo "$out" | grep -q "CN=" && ok "$t/dns-mtls-request" || bad "$t/dns-mtls-request" "$out"
    out=$(in_ns $q "$m" "$@" "https://cp.tether.test:$TT_MTLS_PORT/whoami" 2>&1)
    echo "$out" | grep -q "CN=" && ok "$t/mbedtls-dns-mtls-request" || bad "$t/mbedtls-dns-mtls-request" "$out"
    n=$(in_ns $q "$b" events -s --max-events 20 "$@" \
        "https://cp.tether.test:$TT_SSE_TLS_PORT/events?n=20&drop=6" 2>&1 | grep -c '"data":"event-')
    [ "$n" = 20 ] && ok "$t/dns-tls-events-through-disconnects" || bad "$t/dns-tls-events-through-disconnects" "$n events"
    # a name dnsd does not know: NXDOMAIN, said as such
    out=$(in_ns $q "$b" "http://nowhere.tether.test:$TT_SSE_PORT/" 2>&1)
    echo "$out" | grep -q "could not resolve" && ok "$t/dns-nxdomain" || bad "$t/dns-nxdomain" "$out"
}

# bmc_checks TRIPLE QEMU CLI: the BMC agent build (make bmc: the bmc
# profile, plexd and events only) registers as a plexd node, heartbeats,
# reads its state and downloads an artifact with its SHA-256 checked
bmc_checks() {
    t=$1; q=$2; b=$3
    why=$(is_musl "$b") && ok "$t/bmc-static-musl-binary" || bad "$t/bmc-static-musl-binary" "$why"
    out=$($q "$b" --help 2>&1)
    if echo "$out" | grep -q "^  plexd" && ! echo "$out" | grep -q "^  vmm"; then
        ok "$t/bmc-commands"
    else
        bad "$t/bmc-commands" "$(echo "$out" | grep '^  [a-z]')"
    fi
    X="http://127.0.0.1:$TT_CP_PLEXD_PORT"
    out=$($q "$b" plexd register --public-key cHVi --hostname "bmc-$t" --url "$X" \
        --token boot-demo-token 2>&1)
    node=$(echo "$out" | sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p')
    nsk=$(echo "$out" | sed -n 's/.*"node_secret_key":"\([^"]*\)".*/\1/p')
    [ -n "$node" ] && ok "$t/bmc-plexd-register" || bad "$t/bmc-plexd-register" "$out"
    set -- --url "$X" --node-id "$node" --token "$nsk"
    out=$($q "$b" plexd heartbeat "$@" 2>&1) && ok "$t/bmc-plexd-heartbeat" || bad "$t/bmc-plexd-heartbeat" "$out"
    out=$($q "$b" plexd state "$@" 2>&1)
    echo "$out" | grep -q '"peers":\[' && ok "$t/bmc-plexd-state" || bad "$t/bmc-plexd-state" "$(echo "$out" | head -c 300)"
    out=$($q "$b" plexd artifact 1.2.3 linux arm64 -o "$TT_ENV_DIR/bmc-artifact" "$@" 2>&1)
    sum=$(sha256sum "$TT_ENV_DIR/bmc-artifact" 2>/dev/null | cut -d' ' -f1)
    out=$($q "$b" plexd artifact 1.2.3 linux arm64 -o "$TT_ENV_DIR/bmc-artifact2" \
        --sha256 "sha256:$sum" "$@" 2>&1) && [ -n "$sum" ] &&
        ok "$t/bmc-plexd-artifact-sha256" || bad "$t/bmc-plexd-artifact-sha256" "$out"
}

for t in "$@"; do
    case "$t" in
        arm-linux-gnueabihf) q=qemu-arm ;;
        aarch64-linux-gnu) q=qemu-aarch64 ;;
        *) bad "$t" "no qemu for this triple"; continue ;;
    esac
    d=build/cross-$t
    if ! command -v $q >/dev/null; then bad "$t" "$q not installed"; continue; fi
    why=$(is_musl "$d/tether") && ok "$t/static-musl-binary" || bad "$t/static-musl-binary" "$why"
    line=$($q "$d/tests/unit" 2>&1 | tail -1)
    case "$line" in
        *" passed, 0 failed"*) ok "$t/unit ($line)" ;;
        *) bad "$t/unit" "$line" ;;
    esac
    out=$($q "$d/tether" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" \
        --resolve "localhost:$TT_MTLS_PORT:127.0.0.1" "https://localhost:$TT_MTLS_PORT/whoami" 2>&1)
    echo "$out" | grep -q "CN=" && ok "$t/mtls-request" || bad "$t/mtls-request" "$out"
    n=$($q "$d/tether" events -s --max-events 30 "http://127.0.0.1:$TT_SSE_PORT/events?n=30&drop=7" 2>&1 | grep -c '"data":"event-')
    [ "$n" = 30 ] && ok "$t/sse-through-disconnects" || bad "$t/sse-through-disconnects" "$n events"
    # vmm asks for TLS 1.3: BearSSL (1.2 only) says so, and reaches the
    # host when told --tlsv1.2
    out=$($q "$d/tether" vmm status --address "127.0.0.1:$TT_CP_VMM_PORT" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" 2>&1)
    echo "$out" | grep -q 'TLS 1.3 is required' && ok "$t/vmm-tls13-refused" || bad "$t/vmm-tls13-refused" "$out"
    out=$($q "$d/tether" vmm status --tlsv1.2 --address "127.0.0.1:$TT_CP_VMM_PORT" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" 2>&1)
    echo "$out" | grep -q '"hostname":"host-a"' && ok "$t/vmm-mtls-tls12" || bad "$t/vmm-mtls-tls12" "$out"
    # the Mbed TLS build: vmm over TLS 1.3 by default, and TLS 1.3-only
    # servers that require a client certificate (gnutls-serv, Go)
    m=build/cross-$t-mbedtls/tether
    why=$(is_musl "$m") && ok "$t/mbedtls-static-musl-binary" || bad "$t/mbedtls-static-musl-binary" "$why"
    out=$($q "$m" vmm status --address "127.0.0.1:$TT_CP_VMM_PORT" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" 2>&1)
    echo "$out" | grep -q '"hostname":"host-a"' && ok "$t/mbedtls-vmm-tls13" || bad "$t/mbedtls-vmm-tls13" "$out"
    out=$($q "$m" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" \
        "https://localhost:$TT_GNUTLS_PORT/" 2>&1)
    echo "$out" | grep -q 'GnuTLS' && ok "$t/mbedtls-gnutls13-mtls" || bad "$t/mbedtls-gnutls13-mtls" "$(echo "$out" | head -c 300)"
    resolv_checks "$t" "$q" "$d/tether" "$m"
    [ -f "$d-bmc/tether" ] && bmc_checks "$t" "$q" "$d-bmc/tether"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
