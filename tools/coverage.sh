#!/bin/sh
# Line and branch coverage of core/ and port/ from the unit, integration and
# CLI suites, built with gcc --coverage at -O0 in build/cov (make coverage).
# Prints one summary line per file group and the totals; the HTML report is
# in build/cov/html.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
B=build/cov
E=build/cov-ed25519   # the Ed25519 verifier, a build option of its own
find "$B" "$E" -name '*.gcda' -delete 2>/dev/null
tt_env_start "$B/env" || exit 1
trap tt_env_stop EXIT INT TERM
rc=0
"$B/tests/unit" >"$B/unit.log" 2>&1 || rc=1
"$B/tests/integ" >"$B/integ.log" 2>&1 || rc=1
tests/cli/test_cli.sh "$B/tether" >"$B/cli.log" 2>&1 || rc=1
TT_TEST=plexd_verify "$E/tests/unit" >"$B/ed25519.log" 2>&1 || rc=1
for l in unit integ cli ed25519; do
    printf '%-6s %s\n' "$l" "$(grep -E '^[0-9]+ passed' "$B/$l.log" | tail -1)"
done
LC="--rc lcov_branch_coverage=1 --quiet"
lcov $LC --capture --directory "$B/obj" --output-file "$B/main.info" 2>/dev/null || exit 1
lcov $LC --capture --directory "$E/obj/core" --output-file "$B/ed.info" 2>/dev/null || exit 1
lcov $LC -a "$B/main.info" -a "$B/ed.info" --output-file "$B/all.info" 2>/dev/null || exit 1
lcov $LC --extract "$B/all.info" "$PWD/core/*" "$PWD/port/posix/*" --output-file "$B/lib.info" 2>/dev/null
lcov $LC --extract "$B/all.info" "$PWD/core/*" --output-file "$B/core.info" 2>/dev/null
genhtml $LC --branch-coverage --output-directory "$B/html" "$B/lib.info" >/dev/null 2>&1
echo "per file (lines, branches):"
lcov $LC --list "$B/lib.info" 2>/dev/null | grep '|' | grep -v '^=\|^\[' | sed 's/^/  /'
for g in core lib; do
    name=$g; [ $g = lib ] && name="core+port"
    lcov --rc lcov_branch_coverage=1 --summary "$B/$g.info" 2>&1 |
        sed -nE "s/^ *(lines|branches)\.*: *([0-9.]+%) \(([0-9]+) of ([0-9]+).*/$name \1 \2 (\3 of \4)/p"
done
exit $rc
