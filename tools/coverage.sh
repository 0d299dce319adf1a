#!/bin/sh
# Line and branch coverage of core/ and port/, built with gcc --coverage at
# -O0 in build/cov (make coverage). Measured twice: after the unit,
# integration and CLI suites (tests written for behaviour), then with the
# committed fuzz corpora and saved crash inputs replayed through their
# property checks, as make test replays them. Prints per-file figures of
# the second, and the totals of both; the HTML report is in build/cov/html.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
B=build/cov
LC="--rc lcov_branch_coverage=1 --quiet"
find "$B" -name '*.gcda' -delete 2>/dev/null
tt_env_start "$B/env" || exit 1
trap tt_env_stop EXIT INT TERM

# capture NAME: core.NAME.info and lib.NAME.info from the counts so far
capture() {
    lcov $LC --capture --directory "$B/obj" --output-file "$B/all.info" 2>/dev/null &&
    lcov $LC --extract "$B/all.info" "$PWD/core/*" "$PWD/port/posix/*" \
        --output-file "$B/lib.$1.info" 2>/dev/null &&
    lcov $LC --extract "$B/all.info" "$PWD/core/*" --output-file "$B/core.$1.info" 2>/dev/null
}

summary() { # NAME LABEL
    for g in core lib; do
        name=$g; [ $g = lib ] && name="core+port"
        lcov --rc lcov_branch_coverage=1 --summary "$B/$g.$1.info" 2>&1 |
            sed -nE "s/^ *(lines|branches)\.*: *([0-9.]+%) \(([0-9]+) of ([0-9]+).*/$2: $name \1 \2 (\3 of \4)/p"
    done
}

rc=0
"$B/tests/unit" >"$B/unit.log" 2>&1 || rc=1
"$B/tests/integ" >"$B/integ.log" 2>&1 || rc=1
tests/cli/test_cli.sh "$B/tether" >"$B/cli.log" 2>&1 || rc=1
for l in unit integ cli; do
    printf '%-8s %s\n' "$l" "$(grep -E '^[0-9]+ passed' "$B/$l.log" | tail -1)"
done
capture tests || exit 1
for t in json sse url http bind pem proto x509; do
    "$B/tests/fuzz_replay_$t" tests/fuzz/regress/$t tests/fuzz/corpus/$t || rc=1
done >"$B/fuzz.log" 2>&1
printf '%-8s %s inputs replayed\n' fuzz \
    "$(sed -nE 's/^([0-9]+) passed.*/\1/p' "$B/fuzz.log" | awk '{s+=$1} END {print s}')"
capture all || exit 1
genhtml $LC --branch-coverage --output-directory "$B/html" "$B/lib.all.info" >/dev/null 2>&1
echo "per file, tests and fuzz corpora (lines, functions, branches):"
lcov $LC --list "$B/lib.all.info" 2>/dev/null | grep '|' | grep -v '^=\|^\[' | sed 's/^/  /'
summary tests "tests"
summary all "tests + fuzz corpora"
exit $rc
