#!/bin/sh
# make install into a clean prefix, then README's first C example built
# outside the tree against the installed files only
# (cc get.c $(pkg-config --cflags --libs tether)) and run against nginx;
# DESTDIR staging; the man page. Needs tests/env.sh's servers (TT_NGINX_PORT).
# Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
pass=0; fail=0
check() { # NAME COMMAND...
    name=$1; shift
    if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL install/$name"; fi
}
prefix=$top/build/install-test
rm -rf "$prefix" "$top/build/install-dest"
make --no-print-directory NODEPS=1 install PREFIX="$prefix" >build/install.log 2>&1 ||
    { echo "FAIL install/make-install"; tail -5 build/install.log; echo "0 passed, 1 failed"; exit 1; }
for f in lib/libtether.a lib/pkgconfig/tether.pc include/tether/client.h bin/tether \
         share/man/man1/tether.1; do
    check "has-$f" test -s "$prefix/$f"
done
check destdir sh -c "make --no-print-directory NODEPS=1 install DESTDIR='$top/build/install-dest' \
    PREFIX=/usr >/dev/null 2>&1 && test -s '$top/build/install-dest/usr/lib/libtether.a' \
    && grep -q '^prefix=/usr$' '$top/build/install-dest/usr/lib/pkgconfig/tether.pc'"
check man-page sh -c "grep -q '^\.TH TETHER 1' '$prefix/share/man/man1/tether.1'"

# the example: copied out of the tree, nothing but the prefix on the paths
work=$(mktemp -d /tmp/tether-example.XXXXXX)
awk '/^```c$/{n++; f=(n==1); next} /^```$/{f=0} f' README.md > "$work/get.c"
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs tether)
check pkg-config-flags test -n "$flags"
check example-builds sh -c "cd '$work' && cc -std=c99 -Wall -Wextra -Werror get.c $flags -o get"
check example-fetches sh -c "test \"\$('$work/get' http://127.0.0.1:$TT_NGINX_PORT/hello.txt)\" = 'hello, tether'"
"$work/get" http://127.0.0.1:1/ >/dev/null 2>"$work/err"; rc=$?
check example-network-error-exit-3 test "$rc" = 3
check example-names-host grep -q '127.0.0.1' "$work/err"
"$work/get" http://127.0.0.1:"$TT_NGINX_PORT"/no-such-file >/dev/null 2>&1; rc=$?
check example-http-404-exit-1 test "$rc" = 1
rm -rf "$work"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
