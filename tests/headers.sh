#!/bin/sh
# The public headers are self-contained: each compiles alone with one -I
# (include/) and no third-party header anywhere on the path, in the full
# build, the Mbed TLS build and the smallest one (where the protocol
# headers must refuse with their #error). Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL headers: $*"; }
small="-DTT_FEATURE_TLS=0 -DTT_FEATURE_GZIP=0 -DTT_FEATURE_ED25519=0 -DTT_FEATURE_SSE=0
 -DTT_FEATURE_JSON_WRITE=0 -DTT_FEATURE_JSON_BIND=0 -DTT_FEATURE_JSON_STREAM=0"
for h in include/tether/*.h; do
    n=$(basename "$h")
    for mode in full mbedtls small; do
        case $mode in full) d= ;; mbedtls) d=-DTT_TLS_MBEDTLS=1 ;; small) d=$small ;; esac
        out=$(printf '#include <tether/%s>\ntypedef int unit_not_empty;\n' "$n" |
            cc -std=c99 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes $d -Iinclude \
                -fsyntax-only -x c - 2>&1)
        rc=$?
        case "$mode:$n" in
            small:vmm.h|small:plexd.h|small:maas.h|small:skypilot.h|small:poolmgr.h)
                if [ $rc != 0 ] && echo "$out" | grep -q "this build has no"; then ok
                else bad "$n ($mode) should refuse with its #error"; fi ;;
            *)  if [ $rc = 0 ]; then ok; else bad "$n ($mode):"; echo "$out" | head -5; fi ;;
        esac
    done
done
# nothing of a third-party library is named, let alone included
if grep -rn bearssl include/ || grep -rnE '#include +[<"](mbedtls|zlib|jsmn|sodium|bearssl)' include/; then
    bad "a third-party name in include/"
else
    ok
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
