#!/bin/sh
# Runs every test of `make test` and prints one closing line:
#   N passed, N failed[, N skipped]
# Test binaries and the servers they need are built/started by the caller
# (the Makefile) and by tests/env.sh here.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh

P=0; F=0; S=0
LOG=build/test-logs
rm -rf "$LOG"; mkdir -p "$LOG"

# run NAME COMMAND...: run a test program, show its failures, add its
# closing line to the totals
run() {
    name=$1; shift
    out="$LOG/$name.log"
    printf '%-28s ' "$name"
    "$@" >"$out" 2>&1
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -z "$line" ]; then
        echo "no result line (exit $rc); see $out"
        tail -20 "$out" | sed 's/^/    /'
        F=$((F+1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
    P=$((P+p)); F=$((F+f)); S=$((S+${s:-0}))
    if [ "$f" != 0 ] && [ $rc = 0 ]; then F=$((F+1)); fi
    if [ "$f" = 0 ] && [ $rc != 0 ]; then F=$((F+1)); echo "(exit $rc) "; fi
    echo "$line"
    grep -E '^(FAIL|SKIP)' "$out" | sed 's/^/    /'
    grep -E 'ERROR: AddressSanitizer|runtime error:' "$out" | head -5 | sed 's/^/    /'
}

if ! tt_env_start build/test-env; then
    echo "0 passed, 1 failed"
    exit 1
fi
trap tt_env_stop EXIT INT TERM

run unit                build/tests/unit
run unit-asan           build/asan/tests/unit
run unit-small-config   build/small/tests/unit
run unit-no-ed25519     env TT_TEST=plexd_verify build/no-ed25519/tests/unit
run unit-inflate-only   env TT_TEST=plexd build/inflate-only/tests/unit
run unit-http-only      build/http-only/tests/unit
run integ-http-only     build/http-only/tests/integ
run unit-http-sse       build/http-sse/tests/unit
run integ-http-sse      build/http-sse/tests/integ
run integration         env TT_INTEG_LONG=1 build/tests/integ
run integration-asan    build/asan/tests/integ
run integration-small   build/small/tests/integ
run unit-tiny-profile   build/tiny/tests/unit
run integ-tiny-profile  build/tiny/tests/integ
run cli                 tests/cli/test_cli.sh build/tether
run cli-asan            tests/cli/test_cli.sh build/asan/tether
run unit-mbedtls        build/mbedtls/tests/unit
run integration-mbedtls build/mbedtls/tests/integ
run cli-mbedtls         tests/cli/test_cli.sh build/mbedtls/tether
run unit-musl-static    build/musl/tests/unit
run integration-musl    build/musl/tests/integ
run cli-musl-static     tests/cli/test_cli.sh build/tether-static
run dns-stub            tests/cli/test_dns.sh build/tether
run dns-stub-asan       tests/cli/test_dns.sh build/asan/tether
run dns-stub-musl       tests/cli/test_dns.sh build/tether-static
run arm-qemu            tools/test-cross.sh arm-linux-gnueabihf aarch64-linux-gnu
run lwip-tap-netns      tests/lwip/run.sh
run boot-qemu           tests/boot/run.sh
run readme-example      tests/readme_example.sh
run public-headers      tests/headers.sh
run install-pkg-config  tests/install.sh
run packaging-bmc       tests/packaging.sh
run embed-tether-mk     tests/embed/run.sh
run feature-switches    tests/features.sh
suite=${TT_JSON_SUITE:-../shared/conformance/json/test_parsing}
[ -d "$suite" ] || suite=""
run fuzz-regress-json   build/asan/tests/fuzz_replay_json tests/fuzz/regress/json tests/fuzz/corpus/json $suite
mkdir -p tests/fuzz/regress/sse tests/fuzz/regress/url tests/fuzz/regress/http \
    tests/fuzz/regress/bind tests/fuzz/regress/pem tests/fuzz/regress/proto tests/fuzz/regress/x509
for t in sse url http bind pem proto x509; do
    run "fuzz-regress-$t" build/asan/tests/fuzz_replay_$t tests/fuzz/regress/$t tests/fuzz/corpus/$t
done
# a short run of every fuzz target (make fuzz-run for long ones)
for t in json sse url http bind pem proto x509; do
    run "fuzz-$t-20s" tests/fuzz/run.sh $t build/fuzz/fuzz_$t 20
done
run no-recursion        sh -c 'tools/check-recursion.sh && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"'
run no-allocator        sh -c 'tools/check-alloc.sh build/obj/core/*.o build/obj/core/api/*.o build/obj/port/posix/*.o 2>/dev/null && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"'
run no-allocator-mbedtls sh -c 'tools/check-alloc.sh build/mbedtls/obj/core/*.o build/mbedtls/obj/core/api/*.o build/third_party/lib-cc/mbedtls/obj/*.o 2>/dev/null && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"'

echo
if [ "$S" -gt 0 ]; then
    echo "$P passed, $F failed, $S skipped"
else
    echo "$P passed, $F failed"
fi
[ "$F" = 0 ]
