#!/bin/sh
# The lwIP integration test: a network namespace with a TAP device, the
# test servers inside it (on loopback, forwarded to the TAP address), and
# build/lwip/lwip_test running lwIP in-process on that TAP device. Names
# are answered by tests/servers/dnsd.py on 10.7.0.1:53 (lwIP's resolver
# is pointed there): at once, slowly, late, never, or NXDOMAIN.
# Ends with "N passed, N failed" (or "0 passed, 0 failed, 1 skipped" with
# the reason when namespaces or TAP are not available).
cd "$(dirname "$0")/../.." || exit 1
skip() { echo "SKIP lwip: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace and a TAP device"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip(8)"
ns=tt-lwip-$$
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
trap 'ip netns del "$ns" 2>/dev/null' EXIT INT TERM
ip netns exec "$ns" sh -c '
    set -e
    ip link set lo up
    ip tuntap add dev tap0 mode tap
    ip addr add 10.7.0.1/24 dev tap0
    ip link set tap0 up
    . tests/env.sh
    tt_env_start build/lwip-env >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
    trap tt_env_stop EXIT
    rm -f build/lwip-env/fwd.ready
    python3 tests/lwip/forward.py 10.7.0.1 build/lwip-env/fwd.ready \
        "$TT_NGINX_PORT" "$TT_MTLS_PORT" "$TT_SSE_PORT" >build/lwip-env/fwd.log 2>&1 &
    echo $! > build/lwip-env/fwd.pid
    rm -f build/lwip-env/dnsd.ready
    python3 tests/servers/dnsd.py 10.7.0.1 53 build/lwip-env/dnsd.ready \
        ok.tt.test=10.7.0.1 slow.tt.test=slow:700:10.7.0.1 never.tt.test=never \
        late.tt.test=slow:1500:10.7.0.99 slow2.tt.test=slow:1000:10.7.0.1 \
        turn.tt.test=slow:500:10.7.0.1 turn2.tt.test=slow:500:10.7.0.1 \
        >build/lwip-env/dnsd.log 2>&1 &
    echo $! > build/lwip-env/dnsd.pid
    i=0; while [ ! -s build/lwip-env/fwd.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    i=0; while [ ! -s build/lwip-env/dnsd.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    PRECONFIGURED_TAPIF=tap0 timeout 120 ${TT_LWIP_WRAP:-} build/lwip/lwip_test
'
