#!/bin/sh
# The C examples of README.md and docs/*.md (every ```c block) must compile
# against the library as it is. Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
out=build/readme
rm -rf "$out"; mkdir -p "$out"
# README.md's blocks are example1.c, example2.c, ...; docs/NAME.md's are
# docs-NAME-1.c, ...
extract() { # FILE PREFIX
    awk -v out="$out" -v pre="$2" \
        '/^```c$/{f=1; n++; next} /^```$/{f=0} f{print > (out "/" pre n ".c")}' "$1"
}
extract README.md example
for md in docs/*.md; do
    [ -f "$md" ] || continue
    extract "$md" "docs-$(basename "$md" .md)-"
done
pass=0; fail=0
for f in "$out"/*.c; do
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
