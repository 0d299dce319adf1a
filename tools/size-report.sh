#!/bin/sh
# `make size-report`: tether's footprint, measured.
#  1. core/ without TLS for a Cortex-M4 (arm-none-eabi-gcc, newlib, the
#     FreeRTOS memory-statistics flags): text+data and bss per object, the
#     method of coreHTTP's published size table;
#  2. BearSSL and tether's TLS glue compiled the same way, linked with
#     --gc-sections so that only what the configured suites use counts;
#  3. RAM of the structures per profile (host build of tools/sizes.c);
#  4. the static musl x86-64 CLI, stripped, and what each part costs;
#  5. every static musl CLI (x86-64, armhf, aarch64; BearSSL and Mbed
#     TLS), stripped;
#  6. the BMC agent: size, fixed RAM, and its peak RSS from the last
#     make boot-test.
set -eu
cd "$(dirname "$0")/.."
out=build/size-report
rm -rf "$out"
mkdir -p "$out/m4" "$out/tls"
CC=arm-none-eabi-gcc
# -fno-short-enums: arm-none-eabi makes enums as small as their values,
# and core/json.c checks at compile time that tt_json_token (ints) is
# jsmn's token (an enum first): a Cortex-M build of json.c fails without
# it (to be fixed in json.h, not here)
FLAGS="-std=gnu99 -DNDEBUG -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -fno-short-enums"
INC="-Iinclude -Icore -Ibuild/third_party/jsmn -Ibuild/third_party/bearssl/inc"
CORE="errors url http client timefmt json json_scan json_bind json_write json_stream sse sse_stream backoff"

echo "== Cortex-M4, -Os, core without TLS (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion))"
for f in $CORE; do
    $CC $FLAGS $INC -DTT_FEATURE_TLS=0 -DTT_FEATURE_GZIP=0 -ffunction-sections -fdata-sections \
        -c core/$f.c -o "$out/m4/$f.o"
done
arm-none-eabi-size $(for f in $CORE; do echo "$out/m4/$f.o"; done) | python3 tools/size_table.py \
    --goal 8192 --label "core without TLS" --anchors

echo
echo "== Cortex-M4, -Os, TLS: tether's glue and BearSSL (only the configured suites, --gc-sections)"
for f in tls tls_common tls_x509 tls_load; do
    $CC $FLAGS $INC -DTT_FEATURE_TLS=1 -ffunction-sections -fdata-sections -c core/$f.c -o "$out/tls/$f.o"
done
find build/third_party/bearssl/src -name '*.c' | while read -r f; do
    o="$out/tls/bearssl_$(echo "${f#build/third_party/bearssl/src/}" | tr / _ | sed 's/\.c$/.o/')"
    echo "$f $o"
done | xargs -P "$(nproc)" -n 2 sh -c "$CC $FLAGS -ffunction-sections -fdata-sections -Ibuild/third_party/bearssl/inc -Ibuild/third_party/bearssl/src -c \"\$0\" -o \"\$1\""
arm-none-eabi-ar rcs "$out/tls/libbearssl.a" "$out"/tls/bearssl_*.o
# a stub that opens a TLS connection keeps exactly what tether uses alive
cat > "$out/tls/stub.c" <<'C'
#include "tether/tls.h"
int tt_stub_keep(tt_tls_conn *t, const tt_tls_config *c, const tt_port *p, tt_tls_store *s,
                 tt_error *e);
int tt_stub_keep(tt_tls_conn *t, const tt_tls_config *c, const tt_port *p, tt_tls_store *s,
                 tt_error *e)
{
    static tt_sock k;
    static tt_url u;
    char buf[16];
    return tt_tls_add_anchors_pem(s, "", 0, e) + tt_tls_add_chain_pem(s, "", 0, e) +
           tt_tls_add_key_pem(s, "", 0, e) + tt_tls_open(t, c, p, &k, &u, 0, 0, 0, e) +
           tt_tls_send(t, buf, 1, 0, e) + (int)tt_tls_recv(t, buf, sizeof buf, 0, 0, e);
}
C
$CC $FLAGS $INC -DTT_FEATURE_TLS=1 -ffunction-sections -fdata-sections -c "$out/tls/stub.c" -o "$out/tls/stub.o"
$CC $FLAGS -nostartfiles --specs=nosys.specs -Wl,--gc-sections -Wl,-e,tt_stub_keep \
    -Wl,-Map="$out/tls/tls.map" -Wl,--undefined=tt_stub_keep -o "$out/tls/tls.elf" \
    "$out/tls/stub.o" "$out/tls/tls.o" "$out/tls/tls_common.o" "$out/tls/tls_x509.o" "$out/tls/tls_load.o" \
    "$out/m4/errors.o" "$out/m4/url.o" "$out/m4/timefmt.o" "$out/tls/libbearssl.a" 2>"$out/tls/link.log" || { cat "$out/tls/link.log"; exit 1; }
python3 tools/size_map.py "$out/tls/tls.map" arm

echo
echo "== RAM of the structures per profile (x86-64 host build; pointers are 8 bytes)"
for p in default linux bmc tiny; do
    opt=""
    [ "$p" = default ] || opt="-include config/profiles/$p.h"
    cc -std=c99 -O0 $opt -Iinclude -Icore -Ibuild/third_party/jsmn \
        -Ibuild/third_party/bearssl/inc -Ibuild/third_party/zlib tools/sizes.c -o "$out/sizes-$p"
    "$out/sizes-$p"
done

echo
echo "== static musl x86-64 CLI"
python3 tools/size_map.py build/musl-mbedtls/tether.map x86
echo "build/tether-static: $(wc -c < build/tether-static) bytes stripped (goal 184320)"

echo
echo "== static musl CLIs, stripped (make static, make cross-build)"
# stripped NAME STRIP BINARY: one row cell, the binary's stripped bytes
stripped() {
    [ -f "$3" ] || { echo "missing"; return; }
    $2 -o "$out/$1" "$3" && wc -c < "$out/$1"
}
printf '%-22s %12s %12s\n' target BearSSL "Mbed TLS"
printf '%-22s %12s %12s\n' x86-64 "$(stripped x86-64 strip build/musl-small/tether)" \
    "$(stripped x86-64-mbedtls strip build/musl-mbedtls/tether)"
for t in arm-linux-gnueabihf aarch64-linux-gnu; do
    printf '%-22s %12s %12s\n' "$t" "$(stripped "$t" "$t-strip" "build/cross-$t/tether")" \
        "$(stripped "$t-mbedtls" "$t-strip" "build/cross-$t-mbedtls/tether")"
done

echo
echo "== BMC agent (make bmc: bmc profile, plexd + events only, BearSSL, ARMv7)"
b=build/cross-arm-linux-gnueabihf-bmc/tether
if [ -f "$b" ]; then
    echo "stripped: $(stripped bmc-armhf arm-linux-gnueabihf-strip "$b") bytes"
    # the statics the process holds whatever it does: .data and .bss
    arm-linux-gnueabihf-size "$b" | awk 'NR == 2 { printf "fixed RAM (data + bss): %d bytes\n", $2 + $3 }'
    # measured by the boot test's hook (busybox time -v) in the aarch64
    # guest, where the arm64 kernel runs the ARMv7 agent
    r=build/boot-test/aarch64.result
    if [ -f "$r" ] && grep -q '^bmc=ok' "$r"; then
        echo "peak RSS during a boot (make boot-test, $(date -r "$r" +%F)): $(sed -n 's/^bmc=ok //p' "$r")"
    else
        echo "peak RSS during a boot: not measured yet (make boot-test measures it)"
    fi
else
    echo "missing: $b (make cross-build builds it)"
fi

echo
echo "== goals (issue 18): measured above, the gap where one is not met"
# goal NAME MEASURED LIMIT WHAT-WOULD-CLOSE-IT
goal() {
    if [ -z "$2" ]; then
        printf '  %-52s not measured (%s)\n' "$1" "a build above is missing"
    elif [ "$2" -le "$3" ]; then
        printf '  %-52s %8d <= %8d  met\n' "$1" "$2" "$3"
    else
        printf '  %-52s %8d >  %8d  NOT met by %d: %s\n' "$1" "$2" "$3" $(($2 - $3)) "$4"
    fi
}
size_of() { [ -f "$1" ] && wc -c < "$1"; }
m4() { # the Cortex-M4 text+data of some of core's objects
    for f in "$@"; do echo "$out/m4/$f.o"; done | xargs arm-none-eabi-size | awk 'NR > 1 { s += $1 + $2 } END { print s }'
}
parts() { [ -f "$1" ] && python3 tools/size_map.py "$1" x86 --parts; }
largest() { # the three largest of some of core's objects on the M4
    for f in "$@"; do echo "$out/m4/$f.o"; done | xargs arm-none-eabi-size |
        awk 'NR > 1 { n = $6; sub(/.*\//, "", n); print $1 + $2, n }' | sort -rn | head -3 |
        awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }'
}
own=$([ -f build/musl-small/tether.map ] && python3 tools/size_map.py build/musl-small/tether.map x86 --own)
goal "tether's own code in the static CLI (x86-64, BearSSL)" "$own" 61440 \
    "$(parts build/musl-small/tether.map | sed 's/, BearSSL.*//')"
goal "static musl CLI, everything, BearSSL (x86-64)" "$(size_of "$out/x86-64")" 256000 \
    "$(parts build/musl-small/tether.map)"
goal "static musl CLI, everything, Mbed TLS (x86-64)" "$(size_of "$out/x86-64-mbedtls")" 358400 \
    "$(parts build/musl-mbedtls/tether.map)"
goal "plexd agent, BearSSL (make bmc, ARMv7)" "$(size_of "$out/bmc-armhf")" 174080 \
    "the whole CLI with its plexd commands, BearSSL, zlib, libsodium and musl (no link map for it yet)"
goal "core: HTTP client + SSE parser + JSON validator (M4)" "$(m4 errors url http client sse json_scan)" 8192 \
    "largest: $(largest errors url http client sse json_scan)"
goal "core, all of it, no TLS (M4)" "$(m4 $CORE)" 24576 "largest: $(largest $CORE)"
mtls=$("$out/sizes-default" | sed -n 's/.*mTLS connection RAM: tt_client with one connection *\([0-9]*\).*/\1/p')
conn=$("$out/sizes-default" | sed -n 's/.*tt_tls_conn (one TLS connection[^)]*) *\([0-9]*\).*/\1/p')
goal "RAM of one mTLS connection, default profile (BearSSL)" "$mtls" 28672 \
    "tt_tls_conn $conn (its 16 KiB record buffer), the rest tt_client's"
