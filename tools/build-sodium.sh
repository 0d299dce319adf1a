#!/bin/sh
# Compile the part of libsodium that verifies Ed25519 signatures (and
# nothing else: no key generation, no signing, no randomness, no allocator,
# no sodium_init) from Debian's source package with the project's compiler
# into a static library. The four helpers those files take from
# libsodium's utils.c and sign.c are tether's own (core/ed25519.c).
#   tools/build-sodium.sh CC AR OUT_LIB "CFLAGS" [SRC]
set -eu
cc=$1; ar=$2; out=$3; cflags=$4
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${5:-"$top/build/third_party/libsodium"}
# SRC given: that tree (a firmware tree's own copy); else Debian's source
[ -n "${5:-}" ] || [ -f "$tree/.unpacked" ] || "$top/tools/fetch-src.sh" libsodium/bookworm
src="$tree/src/libsodium"
obj="$(dirname "$out")/obj"
rm -rf "$obj"
mkdir -p "$obj"
# what libsodium's configure would have found: 128-bit integers select the
# 64-bit field arithmetic (x86-64, aarch64), else the 32-bit one (ARMv7)
defs="-DCONFIGURED=1"
predef=$($cc $cflags -dM -E - </dev/null)
case "$predef" in *__SIZEOF_INT128__*) defs="$defs -DHAVE_TI_MODE=1" ;; esac
case "$predef" in
    *"__BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__"*) defs="$defs -DNATIVE_LITTLE_ENDIAN=1" ;;
esac
for f in crypto_sign/ed25519/ref10/open.c crypto_core/ed25519/ref10/ed25519_ref10.c \
         crypto_hash/sha512/cp/hash_sha512_cp.c crypto_verify/sodium/verify.c; do
    $cc $cflags -std=c99 $defs -I"$src/include/sodium" -I"$src/crypto_sign/ed25519/ref10" \
        -c "$src/$f" -o "$obj/$(basename "$f" .c).o"
done
rm -f "$out"
$ar rcs "$out" "$obj"/*.o
echo "  SODIUM  $out (Ed25519 verification)"
