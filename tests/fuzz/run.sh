#!/bin/sh
# Run one libFuzzer target for SECONDS and report like a test:
#   tests/fuzz/run.sh NAME FUZZER SECONDS [RUNS]
# (NAME: json sse url http bind pem proto; RUNS: stop after that many
# executions instead, the time still being a limit).
# Seeds: tests/fuzz/corpus/NAME, plus JSONTestSuite for json and bind and
# the test certificates of tests/env.sh for pem when present;
# what libFuzzer learns goes to build/fuzz/corpus-NAME (not committed). A
# crashing input is written to tests/fuzz/regress/NAME/, where `make test`
# replays it from then on: commit it with the fix.
cd "$(dirname "$0")/../.." || exit 1
name=$1; fuzzer=$2; seconds=${3:-300}; runs=${4:-}
mkdir -p "build/fuzz/corpus-$name" "tests/fuzz/regress/$name"
extra=""
suite=${TT_JSON_SUITE:-../shared/conformance/json/test_parsing}
case "$name" in
    json|bind) [ -d "$suite" ] && extra="$suite" ;;
    pem) [ -n "${TT_ENV_DIR:-}" ] && [ -d "$TT_ENV_DIR/certs" ] && extra="$TT_ENV_DIR/certs"
         [ -z "$extra" ] && [ -d build/test-env/certs ] && extra=build/test-env/certs ;;
esac
# credentials are a few KiB; longer inputs only slow the PEM target down
maxlen=16384
[ "$name" = pem ] && maxlen=4096
limit="-max_total_time=$seconds"
[ -n "$runs" ] && limit="$limit -runs=$runs"
log=build/fuzz/fuzz-$name-$$.log
"$fuzzer" $limit -max_len=$maxlen -timeout=10 -rss_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="tests/fuzz/regress/$name/" \
    "build/fuzz/corpus-$name" "tests/fuzz/corpus/$name" $extra >"$log" 2>&1
rc=$?
done_runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
if [ $rc = 0 ]; then
    echo "fuzz-$name: ${done_runs:-?} inputs, ${cov:-cov: ?}, no crash"
    echo "1 passed, 0 failed"
    rm -f "$log"
else
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -10
    echo "fuzz-$name: crash (exit $rc); the input is in tests/fuzz/regress/$name/; log $log"
    echo "0 passed, 1 failed"
fi
[ $rc = 0 ]
