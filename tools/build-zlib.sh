#!/bin/sh
# Compile the parts of zlib that tether uses (deflate and inflate, no file
# I/O) from Debian's source package with the project's compiler into a
# static library. Z_SOLO: zlib never calls malloc; tether hands it memory
# from a fixed arena (core/gzip.c).
#   tools/build-zlib.sh CC AR OUT_LIB "CFLAGS" [SRC]
set -eu
cc=$1; ar=$2; out=$3; cflags=$4
top=$(cd "$(dirname "$0")/.." && pwd)
src=${5:-"$top/build/third_party/zlib"}
# SRC given: that tree (a firmware tree's own copy); else Debian's source
[ -n "${5:-}" ] || [ -f "$src/.unpacked" ] || "$top/tools/fetch-src.sh" zlib/bookworm
obj="$(dirname "$out")/obj"
rm -rf "$obj"
mkdir -p "$obj"
for f in adler32 crc32 deflate inflate inftrees inffast trees zutil; do
    $cc $cflags -DZ_SOLO -I"$src" -c "$src/$f.c" -o "$obj/$f.o"
done
rm -f "$out"
$ar rcs "$out" "$obj"/*.o
echo "  ZLIB    $out"
