#!/bin/sh
# Every feature switch builds on its own and in combination: for each
# switch, the library without it (everything else on) and the library with
# only it and what it needs; each is compiled and linked whole
# (build/features/NAME/link-check). Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
ALL="TLS GZIP GZIP_REQUEST ED25519 SSE JSON_WRITE JSON_BIND JSON_STREAM VMM PLEXD MAAS SKYPILOT POOLMGR"
# what each needs (include/tether/config.h refuses a switch without them)
needs() {
    case $1 in
        GZIP_REQUEST) echo GZIP ;;
        VMM) echo TLS JSON_BIND JSON_WRITE ;;
        PLEXD) echo SSE JSON_BIND JSON_WRITE ;;
        POOLMGR) echo JSON_BIND ;;
        MAAS) echo JSON_BIND JSON_WRITE ;;
        SKYPILOT) echo JSON_BIND JSON_WRITE ;;
    esac
}
pass=0; fail=0
build() {
    name=$1; shift
    log=build/features/$name.log
    mkdir -p build/features
    if make -j2 --no-print-directory NODEPS=1 BUILD=build/features/$name OPT=-O0 \
            "$@" build/features/$name/link-check >"$log" 2>&1; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL features/$name ($*):"; tail -5 "$log" | sed 's/^/    /'
    fi
}
for f in $ALL; do
    build "without-$f" "TT_FEATURE_$f=0"
    keep="$f $(needs "$f")"
    set --
    for g in $ALL; do
        case " $keep " in *" $g "*) ;; *) set -- "$@" "TT_FEATURE_$g=0" ;; esac
    done
    build "only-$f" "TT_FEATURE_$f=1" "$@"
done
build none $(for g in $ALL; do printf 'TT_FEATURE_%s=0 ' "$g"; done)
for t in TLS GZIP JSON_STREAM; do
    build "mbedtls-without-$t" TLS=mbedtls "TT_FEATURE_$t=0"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
