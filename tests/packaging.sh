#!/bin/sh
# tools/packaging builds what it says: Buildroot's make options (tether.mk
# there), with its download folder played by the Debian orig tarballs the
# build fetched, make the BMC agent without apt and without the tree's own
# unpacked copies; tether.hash matches those files. (Yocto's recipe passes
# the same variables.) Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
W=build/packaging
P=tools/packaging/buildroot/tether
T=build/third_party
pass=0; fail=0
ok() { pass=$((pass+1)); [ -n "${TT_VERBOSE:-}" ] && echo "ok packaging/$1"; return 0; }
bad() { fail=$((fail+1)); echo "FAIL packaging/$1: $2"; }

# every hash line against the file the build has
while read -r algo sum file; do
    case "$algo" in sha256) ;; *) continue ;; esac
    case "$file" in
        jsmn.h) f=$T/jsmn/jsmn.h ;;
        LICENSE) f=LICENSE ;;
        *) f=$T/$file ;;
    esac
    got=$(sha256sum "$f" 2>/dev/null | cut -d' ' -f1)
    [ "$got" = "$sum" ] && ok "hash-$file" || bad "hash-$file" "$f: ${got:-missing}"
done < "$P/tether.hash"

rm -rf "$W"; mkdir -p "$W/deps/jsmn"
for f in bearssl_0.6+dfsg.1.orig.tar.xz zlib_1.2.13.dfsg.orig.tar.bz2 libsodium_1.0.18.orig.tar.gz; do
    tar -xf "$T/$f" -C "$W/deps" || bad "unpack-$f" "tar failed"
done
cp "$T/jsmn/jsmn.h" "$W/deps/jsmn/"
# TETHER_MAKE_OPTS as Buildroot would expand it, with the host's compiler
opts=$(sed -n '/^TETHER_MAKE_OPTS/,/^$/p' "$P/tether.mk" | sed 's/\\$//' | tr '\n' ' ' |
    sed -e 's/^TETHER_MAKE_OPTS = //' -e 's/CC="$(TARGET_CC)" AR="$(TARGET_AR)"//' \
        -e "s|\$(TETHER_DEPS_DIR)|$PWD/$W/deps|g" -e "s|BUILD=[^ ]*|BUILD=$W/build|")
if eval "make --no-print-directory $opts TETHER_LIBDIR=$PWD/$W/lib cli" >"$W/build.log" 2>&1; then
    ok build
else
    bad build "$(tail -3 "$W/build.log")"
fi
v=$("$W/build/tether" -V 2>&1)
echo "$v" | grep -q "profile: bmc" && echo "$v" | grep -q "features:.* plexd" &&
    ! echo "$v" | grep -q " vmm" && ok bmc-features || bad bmc-features "$v"
# the libraries were compiled afresh from those trees (TETHER_LIBDIR is new)
[ -f "$W/lib/bearssl/libbearssl.a" ] && [ -f "$W/lib/sodium-ed25519/libsodium-ed25519.a" ] &&
    ok own-trees || bad own-trees "no libraries in $W/lib"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
