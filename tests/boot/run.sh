#!/bin/sh
# make boot-test: boot Debian's own kernels under qemu-system (TCG) with an
# initramfs holding only busybox, a static musl tether and tests/boot/init,
# a boot hook that talks plexd over mutual TLS to the reference control
# plane. The guest's NIC is a TAP device in a network namespace made here;
# the control plane, a DNS server and a forwarder from the TAP address to
# the control plane's loopback port run inside it. The forwarder starts
# only once the guest's link is up, so the hook must wait for it.
#   tests/boot/run.sh [x86_64] [aarch64]      (default: both)
# Prints one result line per architecture, then "N passed, N failed" (or
# "0 passed, 0 failed, 1 skipped" with the reason when this machine cannot
# boot a guest: no root, no TAP, no qemu-system).
cd "$(dirname "$0")/../.." || exit 1
skip() { echo "SKIP boot: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace and a TAP device"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip(8)"
arches=${*:-x86_64 aarch64}
for a in $arches; do
    command -v "qemu-system-$a" >/dev/null || skip "no qemu-system-$a (tools/deps.sh boot installs it)"
done

pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1: $2"; }
W=$(pwd)/build/boot-test
rm -rf "$W"; mkdir -p "$W"
# a guest hung in a way the hook cannot see still ends here
BOOT_TIMEOUT=${TT_BOOT_TIMEOUT:-180}

# Debian's kernels and busybox: a machine that can boot a guest must get
# them, so a failure here is a failure, not a skip
for d in amd64 arm64; do
    tools/fetch-deb.sh $d build/boot/$d linux-image-$d busybox-static >&2 || {
        echo "FAIL boot: cannot fetch Debian's $d kernel and busybox"; echo "0 passed, 1 failed"; exit 1; }
done

ns=tt-boot-$$
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null; ip netns del "$ns" 2>/dev/null' EXIT INT TERM
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add dev tap0 mode tap
in_ns ip addr add 10.9.0.1/24 dev tap0
in_ns ip link set tap0 up

# the control plane (certificates made here; the node's go into the
# initramfs), and a DNS server that knows the control plane's name
tools/gen-certs.sh "$W/certs" >/dev/null || { bad setup "gen-certs"; echo "$pass passed, $fail failed"; exit 1; }
C=$W/certs
in_ns python3 tools/refcp.py --certs "$C" --port-file "$W/ports" >"$W/refcp.log" 2>&1 &
echo $! > "$W/refcp.pid"
in_ns python3 tests/servers/dnsd.py 10.9.0.1 53 "$W/dns.ready" cp.tether.test=10.9.0.1 \
    >"$W/dnsd.log" 2>&1 &
echo $! > "$W/dnsd.pid"
i=0; while { [ ! -s "$W/ports" ] || [ ! -s "$W/dns.ready" ]; } && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$W/ports" "$1"; }
PLAIN=$(port plexd) && MTLS=$(port plexd_mtls) || { bad setup "refcp did not start: $(cat "$W/refcp.log")"; echo "$pass passed, $fail failed"; exit 1; }
# the control plane's own side, from inside the namespace
cp_plain() { in_ns curl -s "$@"; }
cp_mtls() { in_ns curl -s --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" \
    --resolve "localhost:$MTLS:127.0.0.1" "$@"; }
SHA=$(cp_plain -f "http://127.0.0.1:$PLAIN/v1/artifacts/plexd/1.2.3/linux/any" | sha256sum | cut -d' ' -f1)

# boot ARCH: the guest's serial console goes to $W/ARCH.serial
boot() {
    a=$1; s=$W/$a.serial
    case "$a" in
        x86_64)
            pkg=build/boot/amd64; bin=build/tether-static; mods="virtio_pci virtio_net"; bmc=""
            set -- -M pc -device virtio-net-pci,netdev=n0,romfile=; console=ttyS0 ;;
        aarch64)
            # the BMC agent is an ARMv7 program: arm64 kernels run it (AArch32)
            pkg=build/boot/arm64; bin=build/cross-aarch64-linux-gnu-mbedtls/tether
            mods="virtio_mmio virtio_net"; bmc=build/cross-arm-linux-gnueabihf-bmc/tether
            set -- -M virt -cpu cortex-a57 -device virtio-net-device,netdev=n0; console=ttyAMA0 ;;
    esac
    tests/boot/mkinitramfs.sh "$pkg" "$bin" "$C" "$W/$a.cpio.gz" $mods ${bmc:+-- "$bmc"} || return 1
    kernel=$(ls "$pkg"/boot/vmlinuz-* | head -1)
    # a fresh control plane for each guest: state, events (the stream is
    # cut every 2 events on the mTLS listener), an action to acknowledge
    cp_mtls -X POST "https://localhost:$MTLS/_reset" >/dev/null
    cp_mtls -X POST -d '{"drop_events_every": 2}' "https://localhost:$MTLS/_faults" >/dev/null
    cp_plain -X POST -d '{"count": 6, "types": ["peer_added", "action_request", "policy_updated",
        "node_state_updated", "peer_removed", "rotate_keys"]}' "http://127.0.0.1:$PLAIN/_emit" >/dev/null
    start=$(date +%s.%N)
    in_ns timeout "$BOOT_TIMEOUT" "qemu-system-$a" "$@" -m 256 -smp 1 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$W/$a.cpio.gz" -rtc base=1970-01-01 \
        -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
        -append "console=$console panic=-1 quiet tt.ip=10.9.0.2/24 tt.dns=10.9.0.1 tt.cp=cp.tether.test tt.port=$MTLS tt.sha=$SHA" \
        </dev/null >"$s" 2>&1 &
    echo $! > "$W/qemu.pid"
    # the control plane comes up a moment after the guest's link
    i=0; while ! grep -aq "TT-BOOT net-up" "$s" && kill -0 "$(cat "$W/qemu.pid")" 2>/dev/null; do
        sleep 0.2; i=$((i+1)); [ $i -lt $((BOOT_TIMEOUT*5)) ] || break
    done
    sleep 2
    in_ns python3 tests/lwip/forward.py 10.9.0.1 "$W/fwd.ready" "$MTLS" >"$W/fwd.log" 2>&1 &
    echo $! > "$W/fwd.pid"
    wait "$(cat "$W/qemu.pid")"
    awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }" > "$W/$a.wall"
    kill "$(cat "$W/fwd.pid")" 2>/dev/null; wait "$(cat "$W/fwd.pid")" 2>/dev/null
    rm -f "$W/fwd.pid" "$W/qemu.pid" "$W/fwd.ready"
}

# marker STEP: the value of a step's marker, without the console's \r; a
# marker, not a line: escape codes or kernel messages may come before it
marker() { tr -d '\r' < "$W/$a.serial" | grep -ao "TT-BOOT $1 .*" | head -1 | cut -d' ' -f3-; }
check() { # ARCH: every step of the hook, then what the control plane saw
    a=$1
    steps="net-up tls control-plane clock-1970-refused clock-from-server register identity heartbeat state artifact-sha256 events ack result"
    [ "$a" = aarch64 ] && steps="$steps bmc-agent"
    # both architectures boot an Mbed TLS build: every step speaks TLS 1.3 only
    case "$(marker tls)" in
        *--tlsv1.3*) ok "$a/tls-1.3-only" ;;
        *) bad "$a/tls-1.3-only" "$(marker tls)" ;;
    esac
    y=$(marker clock)
    [ "$y" = year=1970 ] && ok "$a/clock-starts-at-1970" || bad "$a/clock-starts-at-1970" "${y:-no marker}"
    for st in $steps; do
        m=$(marker "$st")
        case "$m" in
            ok*) ok "$a/$st ${m#ok }" ;;
            "") bad "$a/$st" "no marker; the console's end: $(tr -d '\r' < "$W/$a.serial" | tail -5 | tr '\n' '|')" ;;
            *) bad "$a/$st" "$m" ;;
        esac
    done
    got=$(cp_plain "http://127.0.0.1:$PLAIN/_received")
    ts=$(echo "$got" | sed -n 's/.*"heartbeat_timestamp": *"\([0-9]*\)-.*/\1/p')
    [ "$ts" = "$(date -u +%Y)" ] && ok "$a/heartbeat-timestamp-from-server-clock" ||
        bad "$a/heartbeat-timestamp-from-server-clock" "year ${ts:-none}"
    echo "$got" | grep -q '"execution_id": *"evt-2"' && ok "$a/ack-and-result-received" ||
        bad "$a/ack-and-result-received" "$got"
    drops=$(cp_mtls "https://localhost:$MTLS/_stats" | sed -n 's/.*"drops": *\([0-9]*\).*/\1/p')
    [ "${drops:-0}" -ge 2 ] && ok "$a/events-across-forced-disconnects ($drops cuts)" ||
        bad "$a/events-across-forced-disconnects" "${drops:-0} cuts"
    init=$(marker start | sed -n 's/^uptime=//p')
    up=$(marker done | sed -n 's/^uptime=//p')
    before=$(marker mem-before); after=$(marker mem-after)
    bmc=$(marker bmc-agent)
    {
        echo "arch=$a"
        echo "boot_to_init_s=$init"
        echo "boot_to_done_s=$up"
        echo "qemu_wall_s=$(cat "$W/$a.wall")"
        echo "mem_before=$before"
        echo "mem_after=$after"
        echo "bmc=$bmc"
        echo "initramfs_bytes=$(wc -c < "$W/$a.cpio.gz")"
    } > "$W/$a.result"
    echo "boot $a: kernel start to /init ${init:-?} s, to hook done ${up:-?} s (qemu ${a} TCG, $(cat "$W/$a.wall") s wall), guest memory ${before:-?} -> ${after:-?}${bmc:+; BMC agent ${bmc#ok }}"
}

for a in $arches; do
    if boot "$a"; then check "$a"; else bad "$a/initramfs" "could not be built"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
