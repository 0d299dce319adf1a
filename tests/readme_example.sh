#!/bin/sh
# The README's C example must compile against the library as it is.
# Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
out=build/readme
mkdir -p "$out"
awk '/^```c$/{f=1; n++; next} /^```$/{f=0} f{print > ("'$out'/example" n ".c")}' README.md
pass=0; fail=0
for f in "$out"/example*.c; do
    [ -f "$f" ] || continue
    if cc -std=c99 -Wall -Wextra -Werror -Iinclude \
          -c "$f" -o "${f%.c}.o" 2>"${f%.c}.err"; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL readme/$(basename "$f"):"; cat "${f%.c}.err"
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
