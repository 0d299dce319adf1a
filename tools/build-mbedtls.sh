#!/bin/sh
# Compile Mbed TLS 3.6 from Debian's source package (trixie: the release
# that has 3.6) with tether's configuration (config/mbedtls/) into one
# static library. Every library file is compiled; the linker takes only
# what core/tls_mbedtls.c reaches.
#   tools/build-mbedtls.sh CC AR OUT_LIB "CFLAGS" [SRC]
set -eu
cc=$1; ar=$2; out=$3; cflags=$4
top=$(cd "$(dirname "$0")/.." && pwd)
src=${5:-"$top/build/third_party/mbedtls"}
# SRC given: that tree (a firmware tree's own copy); else Debian's source
[ -n "${5:-}" ] || [ -f "$src/.unpacked" ] || "$top/tools/fetch-src.sh" mbedtls/trixie
obj="$(dirname "$out")/obj"
rm -rf "$obj"
mkdir -p "$obj"
threads=
case "$($cc -dM -E - </dev/null)" in *__linux__*) threads=-DTT_MBEDTLS_THREADS ;; esac
for f in "$src"/library/*.c; do
    $cc $cflags $threads -I"$top/config/mbedtls" -I"$src/include" -I"$src/library" \
        '-DMBEDTLS_CONFIG_FILE="tt_mbedtls_config.h"' -c "$f" -o "$obj/$(basename "$f" .c).o" &
    # two at a time
    [ "$(jobs -p | wc -l)" -lt 2 ] || wait -n 2>/dev/null || wait
done
wait
rm -f "$out"
$ar rcs "$out" "$obj"/*.o
echo "  MBEDTLS $out (TLS 1.2 and 1.3)"
