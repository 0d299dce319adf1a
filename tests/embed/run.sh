#!/bin/sh
# tether.mk from an outside Makefile (tests/embed/Makefile): TLS off, an
# HTTP GET program (README's first example) built and run against nginx.
# Needs tests/env.sh's servers. Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
out=$top/build/embed
pass=0; fail=0
check() { # NAME COMMAND...
    name=$1; shift
    if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL embed/$name"; fi
}
rm -rf "$out"; mkdir -p "$out"
awk '/^```c$/{n++; f=(n==1); next} /^```$/{f=0} f' README.md > "$out/get.c"
check builds sh -c "make --no-print-directory -C tests/embed APP='$out/get.c' OUT='$out' \
    >'$out/build.log' 2>&1 || { tail -5 '$out/build.log'; false; }"
check no-tls-inside sh -c "! nm '$out/get' | grep -q ' br_ssl'"
check no-tls-sources sh -c "! grep -q 'core/tls' '$out/build.log'"
check fetches sh -c "test \"\$('$out/get' http://127.0.0.1:$TT_NGINX_PORT/hello.txt)\" = 'hello, tether'"
"$out/get" https://127.0.0.1:"$TT_NGINX_PORT"/ >/dev/null 2>"$out/err"
check https-refused grep -q 'this build has no TLS' "$out/err"
vars=$(make -s -f tether.mk TETHER_DIR=. TT_FEATURE_TLS=0 TT_FEATURE_SSE=0 tether-vars)
check vars-list-sources sh -c "echo '$vars' | grep -q '^TETHER_SRCS=.*core/client.c'"
check vars-leave-out-tls sh -c "! echo '$vars' | grep -q 'tls\|sse.c\|bearssl'"
check vars-carry-switches sh -c "echo '$vars' | grep -q '^TETHER_APP_CFLAGS=.*-DTT_FEATURE_TLS=0'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
