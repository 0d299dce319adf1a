#!/bin/sh
# Run the JSON libFuzzer target for SECONDS and report like a test:
#   tests/fuzz/run.sh FUZZER SECONDS
# The seed corpus is tests/fuzz/corpus/json plus JSONTestSuite when present;
# what libFuzzer learns goes to build/fuzz/corpus-json (not committed). A
# crashing input is written to tests/fuzz/regress/json/, where `make test`
# replays it from then on: commit it with the fix.
cd "$(dirname "$0")/../.." || exit 1
fuzzer=$1; seconds=${2:-300}
suite=${TT_JSON_SUITE:-../shared/conformance/json/test_parsing}
mkdir -p build/fuzz/corpus-json tests/fuzz/regress/json
extra=""
[ -d "$suite" ] && extra="$suite"
log=build/fuzz/fuzz-json-$$.log
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix=tests/fuzz/regress/json/ \
    build/fuzz/corpus-json tests/fuzz/corpus/json $extra >"$log" 2>&1
rc=$?
runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
if [ $rc = 0 ]; then
    echo "fuzz-json: ${runs:-?} inputs in ${seconds}s, ${cov:-cov: ?}, no crash"
    echo "1 passed, 0 failed"
else
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -10
    echo "fuzz-json: crash (exit $rc); the input is in tests/fuzz/regress/json/; log $log"
    echo "0 passed, 1 failed"
fi
[ $rc = 0 ]
