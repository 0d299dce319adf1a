#!/bin/sh
# Build musl for one cross triple with Debian's cross gcc, and a compiler
# that links it: Debian has no musl cross toolchain, and a static glibc
# binary cannot resolve names (NSS is loaded at run time). musl comes
# from bookworm's source package (1.2.3), static only, installed into
# build/third_party/musl-TRIPLE, with bin/TRIPLE-musl-gcc: the cross gcc
# with musl's specs (musl's headers and crt files instead of glibc's).
#   tools/build-musl.sh TRIPLE        (arm-linux-gnueabihf, aarch64-linux-gnu)
set -eu
t=$1
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/third_party/musl"
prefix="$top/build/third_party/musl-$t"
wrapper="$prefix/bin/$t-musl-gcc"
[ -x "$wrapper" ] && exit 0
command -v "$t-gcc" >/dev/null || { echo "build-musl.sh: $t-gcc missing (make deps)" >&2; exit 1; }
[ -f "$src/.unpacked" ] || "$top/tools/fetch-src.sh" musl/bookworm

# out of tree: one source, a build folder per triple
obj="$top/build/third_party/musl-build-$t"
rm -rf "$obj" "$prefix"
mkdir -p "$obj"
cd "$obj"
log="$obj/build.log"
{
    "$src/configure" --target="$t" CROSS_COMPILE="$t-" --prefix="$prefix" \
        --disable-shared --enable-wrapper=gcc &&
    make -j2 && make install
} >"$log" 2>&1 || { echo "build-musl.sh: musl for $t failed:" >&2; tail -20 "$log" >&2; exit 1; }

# musl's own wrapper calls plain gcc; ours calls the triple's
cat > "$wrapper.tmp" <<EOF
#!/bin/sh
exec $t-gcc "\$@" -specs "$prefix/lib/musl-gcc.specs"
EOF
chmod +x "$wrapper.tmp"
mv "$wrapper.tmp" "$wrapper"
echo "  MUSL    $wrapper (musl $(cat "$src/VERSION"))"
