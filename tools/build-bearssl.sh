#!/bin/sh
# Compile BearSSL from Debian's source package with the project's compiler
# and flags into a static library (Debian's libbearssl.a is built with
# _FORTIFY_SOURCE and does not link with musl or cross toolchains).
#   tools/build-bearssl.sh CC AR OUT_LIB "CFLAGS" [SRC]
set -eu
cc=$1; ar=$2; out=$3; cflags=$4
top=$(cd "$(dirname "$0")/.." && pwd)
src=${5:-"$top/build/third_party/bearssl"}
# SRC given: that tree (a firmware tree's own copy); else Debian's source
[ -n "${5:-}" ] || [ -f "$src/.unpacked" ] || "$top/tools/fetch-src.sh" bearssl/bookworm
obj="$(dirname "$out")/obj"
rm -rf "$obj"
mkdir -p "$obj"
jobs=$(nproc 2>/dev/null || echo 2)
# one object per source file, named after its path
find "$src/src" -name '*.c' | sort | while read -r f; do
    rel=${f#"$src/src/"}
    echo "$f $obj/$(echo "$rel" | tr / _ | sed 's/\.c$/.o/')"
done | xargs -P "$jobs" -n 2 sh -c "$cc $cflags -I'$src/inc' -I'$src/src' -c \"\$0\" -o \"\$1\""
rm -f "$out"
$ar rcs "$out" "$obj"/*.o
echo "  BEARSSL $out ($(ls "$obj" | wc -l) objects)"
