#!/bin/sh
# `make test-cross`: the ARM builds under qemu-user. For each triple: the
# unit tests, an mTLS request to nginx, an SSE stream through forced
# disconnects, and a vmm call over mTLS to the reference control plane,
# all run by the ARM static binaries against the loopback servers.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
# inside `make test` the servers are up already (tests/run.sh)
if [ -z "${TT_CP_VMM_PORT:-}" ]; then
    tt_env_start build/cross-env >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
    trap tt_env_stop EXIT INT TERM
fi
C="$TT_ENV_DIR/certs"
pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1: $2"; }

for t in "$@"; do
    case "$t" in
        arm-linux-gnueabihf) q=qemu-arm ;;
        aarch64-linux-gnu) q=qemu-aarch64 ;;
        *) bad "$t" "no qemu for this triple"; continue ;;
    esac
    d=build/cross-$t
    if ! command -v $q >/dev/null; then bad "$t" "$q not installed"; continue; fi
    file "$d/tether" | grep -q "statically linked" && ok "$t/static-binary" || bad "$t/static-binary" "$(file "$d/tether")"
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
    file "$m" | grep -q "statically linked" && ok "$t/mbedtls-static-binary" || bad "$t/mbedtls-static-binary" "$(file "$m")"
    out=$($q "$m" vmm status --address "127.0.0.1:$TT_CP_VMM_PORT" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" 2>&1)
    echo "$out" | grep -q '"hostname":"host-a"' && ok "$t/mbedtls-vmm-tls13" || bad "$t/mbedtls-vmm-tls13" "$out"
    out=$($q "$m" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" \
        "https://localhost:$TT_GNUTLS_PORT/" 2>&1)
    echo "$out" | grep -q 'GnuTLS' && ok "$t/mbedtls-gnutls13-mtls" || bad "$t/mbedtls-gnutls13-mtls" "$(echo "$out" | head -c 300)"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
