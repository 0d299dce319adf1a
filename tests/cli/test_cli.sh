#!/bin/sh
# The tether CLI against the loopback servers (tests/env.sh must be started).
# Usage: tests/cli/test_cli.sh path/to/tether
# Ends with "N passed, N failed".
T="${1:-build/tether}"
N="http://127.0.0.1:$TT_NGINX_PORT"
B="http://127.0.0.1:$TT_BAD_PORT"
W="$TT_ENV_DIR/cli"
mkdir -p "$W"
pass=0; fail=0

ok() { pass=$((pass+1)); [ -n "${TT_VERBOSE:-}" ] && echo "ok cli/$1"; return 0; }
bad() { fail=$((fail+1)); echo "FAIL cli/$1: $2"; }

# every run of the binary is bounded: a hung one fails its check (exit
# 124), it does not hang the suite
limit() { timeout -k 5 "${TT_CLI_TIMEOUT:-60}" "$@"; }

# check NAME EXPECTED_EXIT COMMAND...: runs the command, stdout in $W/out,
# stderr in $W/err, and compares the exit code
check_exit() {
    name=$1; want=$2; shift 2
    limit "$@" >"$W/out" 2>"$W/err"
    got=$?
    if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "exit $got, want $want ($(head -c 200 "$W/err"))"; fi
}
check_grep() { # name file pattern
    if grep -q -- "$3" "$2"; then ok "$1"; else bad "$1" "'$3' not in $2"; fi
}
check_no_grep() {
    if grep -q -- "$3" "$2"; then bad "$1" "'$3' found in $2"; else ok "$1"; fi
}
ms() { echo $(($(date +%s%N) / 1000000)); }  # date, not python: its start-up would be timed too

check_exit get 0 "$T" "$N/hello.txt"
if cmp -s "$W/out" "$TT_ENV_DIR/nginx/www/hello.txt"; then ok get-body; else bad get-body "body differs"; fi

check_exit help 0 "$T" --help
for p in vmm plexd maas sky pool; do check_grep "help-lists-$p" "$W/out" "^  $p "; done
# a protocol command accepts only the options its help names
check_exit proto-typo 2 "$T" pool health --urll http://127.0.0.1:1
check_grep proto-typo-named "$W/err" "unknown option --urll"
check_exit proto-bogus 2 "$T" vmm status --bogus 1
check_exit proto-prefix 2 "$T" sky status --ur http://127.0.0.1:1
# numbers are read whole and in range
check_exit number-not-a-number 2 "$T" --max-redirs 3x "$N/hello.txt"
check_exit number-negative 2 "$T" events --max-events -1 "$N/hello.txt"
check_exit number-overflow 2 "$T" events --max-events 99999999999999999999 "$N/hello.txt"
check_exit number-setting 2 "$T" sky status --retries 1e3 --url http://127.0.0.1:1

check_exit no-scheme 0 "$T" "127.0.0.1:$TT_NGINX_PORT/hello.txt"
check_grep no-scheme-body "$W/out" "hello, tether"

check_exit output-file 0 "$T" -o "$W/3mb" "$N/3mb.bin"
if cmp -s "$W/3mb" "$TT_ENV_DIR/nginx/www/3mb.bin"; then ok output-file-body; else bad output-file-body "3 MB file differs"; fi
[ -s "$W/out" ] && bad output-file-stdout "stdout not empty" || ok output-file-stdout

check_exit include 0 "$T" -i "$N/hello.txt"
head -1 "$W/out" | grep -q '^HTTP/1.1 200 OK' && ok include-status || bad include-status "$(head -1 "$W/out")"
check_grep include-header "$W/out" "Content-Length: 14"
check_grep include-body "$W/out" "hello, tether"

check_exit head 0 "$T" -I "$N/3mb.bin"
head -1 "$W/out" | grep -q '^HTTP/1.1 200 OK' && ok head-status || bad head-status "$(head -1 "$W/out")"
check_grep head-length "$W/out" "Content-Length: 3145728"
# the head and nothing after it: its last line is the empty one
[ "$(tail -c 4 "$W/out" | od -An -c | tr -d ' ')" = '\r\n\r\n' ] && [ "$(wc -c < "$W/out")" -lt 1024 ] &&
    ok head-no-body || bad head-no-body "$(wc -c < "$W/out") bytes"

check_exit verbose 0 "$T" -v -H "Authorization: Bearer sky_verysecret" -H "X-Api-Key: k123" "$N/hello.txt"
check_grep verbose-request "$W/err" "> GET /hello.txt HTTP/1.1"
check_grep verbose-response "$W/err" "< HTTP/1.1 200 OK"
check_grep verbose-redacted "$W/err" "Authorization: \[redacted\]"
check_no_grep verbose-no-token "$W/err" "sky_verysecret"
check_no_grep verbose-no-key "$W/err" "k123"

check_exit redirect-not-followed 0 "$T" "$N/r301"
check_no_grep redirect-not-followed-body "$W/out" "hello, tether"
check_exit redirect-followed 0 "$T" -L "$N/r301"
check_grep redirect-followed-body "$W/out" "hello, tether"
check_exit redirect-limit 7 "$T" -L --max-redirs 1 "$N/chain1"
check_exit redirect-loop 6 "$T" -L "$N/loop"

check_exit fail-404 8 "$T" -f "$N/404"
[ -s "$W/out" ] && bad fail-404-no-body "body printed with -f" || ok fail-404-no-body
check_grep fail-404-message "$W/err" "HTTP 404 Not Found"
check_exit no-fail-404 0 "$T" "$N/404"
check_grep no-fail-404-body "$W/out" "404"

check_exit data 0 "$T" -d "a=1&b=2" "$B/echo"
check_grep data-method "$W/out" "^POST /echo"
check_grep data-ctype "$W/out" "content-type: application/x-www-form-urlencoded"
check_grep data-body "$W/out" "^a=1&b=2"

printf '{"name":"worker-1"}' > "$W/body.json"
check_exit data-file 0 "$T" -X PUT -H "Content-Type: application/json" -d @"$W/body.json" "$B/echo"
check_grep data-file-method "$W/out" "^PUT /echo"
check_grep data-file-length "$W/out" "content-length: 19"
check_grep data-file-ctype "$W/out" "content-type: application/json"
check_grep data-file-body "$W/out" '"name":"worker-1"'

printf 'from stdin' | "$T" -d @- "$B/echo" >"$W/out" 2>"$W/err"
[ $? = 0 ] && ok data-stdin || bad data-stdin "exit code"
check_grep data-stdin-chunked "$W/out" "transfer-encoding: chunked"
check_grep data-stdin-body "$W/out" "from stdin"

# feed_fifo TEXT: $W/fifo, with a writer that gives TEXT to its reader
# (killed by unfeed, should the reader never come)
feed_fifo() {
    rm -f "$W/fifo" && mkfifo "$W/fifo"
    (printf '%s' "$1" > "$W/fifo") &
    FEED=$!
}
unfeed() { kill $FEED 2>/dev/null; wait $FEED 2>/dev/null; }
# a FIFO (a pipe, a device) has no length before its end: sent whole, chunked
feed_fifo 'through a fifo'
check_exit data-fifo 0 "$T" -d @"$W/fifo" "$B/echo"
unfeed
check_grep data-fifo-chunked "$W/out" "transfer-encoding: chunked"
check_grep data-fifo-body "$W/out" "^through a fifo"

check_exit put-dav 0 "$T" -X PUT -d "stored" "$N/dav/cli.txt"
check_exit get-dav 0 "$T" "$N/dav/cli.txt"
check_grep get-dav-body "$W/out" "^stored$"

t0=$(ms)
check_exit max-time 4 "$T" -m 1 "$B/stall-before-head"
t1=$(ms)
[ $((t1 - t0)) -lt 1600 ] && ok max-time-prompt || bad max-time-prompt "took $((t1 - t0)) ms"
check_grep max-time-message "$W/err" "timed out"

check_exit refused 3 "$T" "http://127.0.0.1:1/"
check_grep refused-message "$W/err" "connection refused"
check_exit resolve-fail 3 "$T" "http://no-such-host.invalid/"
check_exit resolve-override 0 "$T" --resolve "ctl.invalid:$TT_NGINX_PORT:127.0.0.1" "http://ctl.invalid:$TT_NGINX_PORT/hello.txt"
check_grep resolve-override-body "$W/out" "hello, tether"
check_exit garbage 6 "$T" "$B/garbage"
check_exit huge-header 7 "$T" "$B/huge-header"
check_exit reset 3 "$T" "$B/reset-mid-body"
check_exit bad-url 2 "$T" "ftp://x/"
check_exit bad-url-space 2 "$T" "http://h/a b"
check_exit bad-header 2 "$T" -H "NoColon" "$N/"
check_exit unknown-option 2 "$T" --no-such-option "$N/"
check_exit no-url 2 "$T"
check_exit bad-timeout 2 "$T" -m abc "$N/"
check_exit output-unwritable 1 "$T" -o /nonexistent/dir/file "$N/hello.txt"
check_exit help 0 "$T" --help
check_grep help-exit-codes "$W/out" "Exit codes"
check_exit version 0 "$T" --version
check_grep version-text "$W/out" "^tether "

# The option tables: one per command drives parsing, --help and the man page.
# A misspelt option names the nearest one; a bad number is refused whole.
check_exit typo-suggest 2 "$T" pool health --urll http://127.0.0.1:1
check_grep typo-suggest-msg "$W/err" "unknown option --urll for 'tether pool'; did you mean --url?"
check_exit typo-suggest-request 2 "$T" --max-redir 3 "$N/hello.txt"
check_grep typo-suggest-request-msg "$W/err" "unknown option --max-redir for 'tether'; did you mean --max-redirs?"
check_exit typo-suggest-events 2 "$T" events --idle-timout 5 "$N/hello.txt"
check_grep typo-suggest-events-msg "$W/err" "did you mean --idle-timeout?"
check_exit typo-short 2 "$T" -Z "$N/hello.txt"
check_grep typo-short-msg "$W/err" "unknown option -Z for 'tether'"
check_exit typo-far 2 "$T" vmm status --bogus 1
check_no_grep typo-far-no-guess "$W/err" "did you mean"
check_exit typo-other-command 2 "$T" pool health --cacert /x --url http://127.0.0.1:1
check_grep typo-other-command-msg "$W/err" "for 'tether pool'"
check_exit number-range 2 "$T" --tls-min-rsa-bits 100 "$N/hello.txt"
check_grep number-range-msg "$W/err" "bad --tls-min-rsa-bits '100' for 'tether': a whole number, 512 to 16384"
check_exit number-junk 2 "$T" vmm create x --cpus 2x --address 127.0.0.1:1
check_grep number-junk-msg "$W/err" "bad --cpus '2x' for 'tether vmm'"
check_exit number-empty 2 "$T" plexd result e1 --exit-code "" --url http://127.0.0.1:1
check_exit number-overflow-int 2 "$T" maas compose 3 --cores 4294967296 --memory 1 --url http://127.0.0.1:1
check_exit number-seconds 2 "$T" sky status --timeout soon --url http://127.0.0.1:1
check_grep number-seconds-msg "$W/err" "bad --timeout 'soon' for 'tether sky'"
check_exit number-missing 2 "$T" events "$N/hello.txt" --max-events
check_grep number-missing-msg "$W/err" "option --max-events needs a value"
# tether --help: every command, one line each, and each one's --help
check_exit help-commands 0 "$T" --help
for c in events vmm plexd maas sky pool; do
    check_grep "help-lists-$c-line" "$W/out" "^  $c  *[a-zA-Z]"
done
# each command's --help names every option of its table (which the man
# page lists, from the same table)
limit "$T" --man > "$W/tether.1" 2>"$W/err"
for c in - events vmm plexd maas sky pool; do
    if [ "$c" = - ]; then sec=".SH REQUESTS"; else sec=".SH \"TETHER $(echo "$c" | tr a-z A-Z)\""; fi
    awk -v sec="$sec" '/^\.SH/ { on = ($0 == sec) } on && prev == ".TP" { print } { prev = $0 }' \
        "$W/tether.1" | sed -e 's/.*\\fB\\-\\-//' -e 's/\\fR.*//' -e 's/\\-/-/g' > "$W/opts"
    if [ "$c" = - ]; then limit "$T" --help; else limit "$T" "$c" --help; fi >"$W/out" 2>"$W/err"
    missing=""
    while read -r o; do
        grep -q -- "--$o\([^a-z0-9.-]\|$\)" "$W/out" || missing="$missing --$o"
    done < "$W/opts"
    if [ "$(wc -l < "$W/opts")" -lt 4 ]; then bad "help-options-$c" "only $(wc -l < "$W/opts") options in the man page"
    elif [ -n "$missing" ]; then bad "help-options-$c" "not in --help:$missing"
    else ok "help-options-$c"; fi
done
check_exit help-vmm-exit-codes 0 "$T" vmm --help
check_grep help-vmm-exit-codes-text "$W/out" "^  10  cancelled"
# -V: version, TLS backend, features and the libraries' versions
check_exit version-features 0 "$T" -V
check_grep version-tls "$W/out" "^tls: \(BearSSL 0\.6\|Mbed TLS 3\.6\) (TLS 1\.2"
check_grep version-gzip "$W/out" "^gzip: zlib [0-9]"
check_grep version-ed25519 "$W/out" "^ed25519: "
check_exit version-not-a-command-option 2 "$T" pool -V
# tether --man: a roff page with every section, that groff renders
# without a warning
check_exit man 0 "$T" --man
for s in '^\.TH TETHER 1 ' '^\.SH NAME' '^\.SH SYNOPSIS' '^\.SH DESCRIPTION' '^\.SH REQUESTS' \
    '^\.SH "TETHER EVENTS"' '^\.SH "TETHER VMM"' '^\.SH "TETHER PLEXD"' '^\.SH "TETHER MAAS"' \
    '^\.SH "TETHER SKY"' '^\.SH "TETHER POOL"' '^\.SH "EXIT STATUS"' '^\.SH "SEE ALSO"'; do
    check_grep "man-section-$s" "$W/out" "$s"
done
n=0; while [ $n -le 10 ]; do check_grep "man-exit-$n" "$W/out" "^\.B $n\$"; n=$((n+1)); done
check_no_grep man-no-stray-control-lines "$W/out" "^[.'][^A-Za-z\\]"
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$W/out" 2>"$W/err"
    [ $? = 0 ] && [ ! -s "$W/err" ] && ok man-groff || bad man-groff "$(head -c 300 "$W/err")"
    groff -man -Tutf8 -P-bcou "$W/out" 2>/dev/null | grep -q "^EXIT STATUS" && ok man-renders || bad man-renders "no EXIT STATUS"
else
    echo "SKIP cli/man-groff: groff is not installed (the page's structure is checked above)"
fi
if command -v man >/dev/null; then
    MANWIDTH=80 man --warnings -l "$W/out" >/dev/null 2>"$W/err"
    [ $? = 0 ] && [ ! -s "$W/err" ] && ok man-l || bad man-l "$(head -c 300 "$W/err")"
else
    echo "SKIP cli/man-l: man is not installed"
fi

# TLS
C="$TT_ENV_DIR/certs"
S="https://localhost:$TT_TLS_PORT"
check_exit tls-get 0 "$T" --cacert "$C/root-ca.pem" "$S/hello.txt"
check_grep tls-get-body "$W/out" "hello, tether"
check_exit tls-ip 0 "$T" --cacert "$C/root-ca.pem" "https://127.0.0.1:$TT_TLS_PORT/hello.txt"
check_exit tls-untrusted 5 "$T" "$S/hello.txt"
check_grep tls-untrusted-reason "$W/err" "untrusted certificate"
check_exit tls-mtls 0 "$T" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" "https://localhost:$TT_MTLS_PORT/whoami"
check_grep tls-mtls-dn "$W/out" "CN=node-ec"
check_exit tls-expired 5 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_EXPIRED_PORT/"
check_grep tls-expired-reason "$W/err" "certificate expired: the server's certificate was valid until "
check_exit tls-name 5 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_WRONGNAME_PORT/"
check_grep tls-name-reason "$W/err" "name mismatch"
check_exit tls-insecure 0 "$T" -k "https://localhost:$TT_EXPIRED_PORT/hello.txt"
check_grep tls-insecure-warns "$W/err" "WARNING: --insecure"
"$T" -s -k "https://localhost:$TT_EXPIRED_PORT/hello.txt" >"$W/out" 2>"$W/err"
check_grep tls-insecure-warns-even-silent "$W/err" "WARNING: --insecure"
check_exit tls-pin 0 "$T" --pinnedpubkey "sha256//$(cat "$C/server.pin")" "$S/hello.txt"
check_exit tls-pin-mismatch 5 "$T" --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "$S/hello.txt"
check_grep tls-pin-reason "$W/err" "pin mismatch"
check_exit tls-bad-pin 2 "$T" --pinnedpubkey "md5//x" "$S/hello.txt"
check_exit tls-cert-required 5 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_SSERVER_PORT/"
check_grep tls-cert-required-reason "$W/err" "requires a client certificate"
# TLS 1.3: a build with it reaches a 1.3-only server (openssl s_server
# -tls1_3) and, told --tlsv1.3, refuses a 1.2-only one; a BearSSL build
# says the server requires 1.3
if "$T" -V | grep -q "TLS 1.3"; then
    TLS13=1
    check_exit tls13-reached 0 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_TLS13_PORT/"
    check_exit tls-version 5 "$T" --tlsv1.3 --cacert "$C/root-ca.pem" "https://localhost:$TT_CBC_PORT/"
    check_grep tls-version-reason "$W/err" "protocol_version"
    check_exit tls13-mtls 0 "$T" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" \
        --key "$C/client-ec.key" "https://localhost:$TT_SSERVER_PORT/"
else
    TLS13=0
    check_exit tls-version 5 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_TLS13_PORT/"
    check_grep tls-version-reason "$W/err" "requires TLS 1.3"
    check_exit tls-version-flag 2 "$T" --tlsv1.3 "$S/hello.txt"
fi
# every refusal of a server: exit 5 and its reason, 100 runs out of 100
tls_refused() { # name pattern command...
    name=$1; pat=$2; shift 2
    n=0; wrong=0; last=""
    while [ $n -lt 100 ]; do
        limit "$@" >"$W/out" 2>"$W/err"
        rc=$?
        if [ $rc != 5 ] || ! grep -q -- "$pat" "$W/err"; then
            wrong=$((wrong+1)); last="exit $rc: $(head -c 200 "$W/err")"
        fi
        n=$((n+1))
    done
    if [ $wrong = 0 ]; then ok "$name"; else bad "$name" "$wrong of 100 runs wrong, last $last"; fi
}
tls_refused tls-100-untrusted "untrusted certificate" "$T" "$S/hello.txt"
tls_refused tls-100-expired "certificate expired: the server's certificate was valid until 2021-01-01" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_EXPIRED_PORT/"
tls_refused tls-100-not-yet-valid "not yet valid: the server's certificate is valid from 2099-01-01" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_NOTYET_PORT/"
tls_refused tls-100-wrong-host "name mismatch: it does not name localhost" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_WRONGNAME_PORT/"
tls_refused tls-100-client-cert "requires a client certificate and none was given" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_SSERVER_PORT/"
# a TLS 1.3-only server that requires a client certificate: reached with
# EC and RSA keys (the EC answer shows BODY), refused without one
tls13_mtls_server() { # name url body
    check_exit "$1-mtls-ec" 0 "$T" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" \
        --key "$C/client-ec.key" "$2"
    check_grep "$1-body" "$W/out" "$3"
    check_exit "$1-mtls-rsa" 0 "$T" --cacert "$C/root-ca.pem" --cert "$C/client-rsa.pem" \
        --key "$C/client-rsa.key" "$2"
    tls_refused "tls-100-$1-no-cert" "requires a client certificate and none was given" \
        "$T" --cacert "$C/root-ca.pem" "$2"
}
# gnutls-serv, TLS 1.3 only, a client certificate required
G="https://localhost:$TT_GNUTLS_PORT/"
if [ $TLS13 = 1 ]; then
    # its alert comes encrypted, after the client's handshake, then a reset
    tls13_mtls_server gnutls13 "$G" "GnuTLS"
    tls_refused tls-100-version "protocol_version" \
        "$T" --tlsv1.3 --cacert "$C/root-ca.pem" "https://localhost:$TT_CBC_PORT/"
    # nginx with ssl_protocols TLSv1.3 and ssl_verify_client on
    check_exit nginx13-mtls 0 "$T" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" \
        --key "$C/client-ec.key" "https://localhost:$TT_NGINX13_PORT/whoami"
    check_grep nginx13-client-dn "$W/out" "CN=node-ec"
    # nginx answers a missing certificate with an HTTP 400 page, not an alert
    check_exit nginx13-no-cert 8 "$T" -f --cacert "$C/root-ca.pem" "https://localhost:$TT_NGINX13_PORT/whoami"
    # Go's crypto/tls with MinVersion 1.3 and a required client certificate
    tls13_mtls_server go13 "https://localhost:$TT_GO13_PORT/" "go tls 304 client node-ec"
    tls_refused tls-100-go13-tls-max-12 "protocol_version" \
        "$T" --tls-max 1.2 --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" \
        --key "$C/client-ec.key" "https://localhost:$TT_GO13_PORT/"
else
    tls_refused tls-100-gnutls13 "this build offers TLS 1.2 only" \
        "$T" --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" "$G"
    tls_refused tls-100-version "requires TLS 1.3" \
        "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_TLS13_PORT/"
    tls_refused tls-100-nginx13 "requires TLS 1.3" "$T" --cacert "$C/root-ca.pem" \
        --cert "$C/client-ec.pem" --key "$C/client-ec.key" "https://localhost:$TT_NGINX13_PORT/whoami"
    tls_refused tls-100-go13 "requires TLS 1.3" "$T" --cacert "$C/root-ca.pem" \
        --cert "$C/client-ec.pem" --key "$C/client-ec.key" "https://localhost:$TT_GO13_PORT/"
fi
tls_refused tls-100-sha1 "weak signature: the server's certificate is signed with SHA-1" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_SHA1_PORT/"
tls_refused tls-100-weak-rsa "weak key: .* fewer than 2048" \
    "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_WEAKRSA_PORT/"
tls_refused tls-100-weak-rsa-insecure "weak key: the server's RSA key has 1024 bits, fewer than 2048" \
    "$T" -k "https://localhost:$TT_WEAKRSA_PORT/"
check_exit tls-weak-rsa-allowed 0 "$T" --cacert "$C/root-ca.pem" --tls-min-rsa-bits 1024 \
    "https://localhost:$TT_WEAKRSA_PORT/"
# a TLS 1.2-only RSA server signs its key exchange with the first scheme
# of the client's list it can use: reached with either backend (Mbed TLS
# verifies RSA-PSS only in TLS 1.3, so its list puts PKCS#1 first)
check_exit tls12-rsa-server 0 "$T" --cacert "$C/root-ca.pem" "https://localhost:$TT_RSA12_PORT/"
check_grep tls12-rsa-server-version "$W/out" "TLSv1.2"
# a renegotiation asked for in the middle of an answer: refused, and named
seen=$(grep -c "GET / HTTP" "$TT_ENV_DIR/reneg.log")
"$T" -m 10 --cacert "$C/root-ca.pem" "https://localhost:$TT_RENEG_PORT/" >"$W/out" 2>"$W/err" &
tpid=$!
n=0
while [ "$(grep -c "GET / HTTP" "$TT_ENV_DIR/reneg.log")" = "$seen" ] && [ $n -lt 50 ]; do
    sleep 0.1; n=$((n+1))
done
sleep 0.2
echo r > "$TT_ENV_DIR/reneg.in"
wait $tpid
rc=$?
[ $rc = 5 ] && ok tls-renegotiation || bad tls-renegotiation "exit $rc ($(head -c 200 "$W/err"))"
check_grep tls-renegotiation-reason "$W/err" "the server asked to renegotiate the session"
check_exit tls-resolve 0 "$T" --cacert "$C/root-ca.pem" --resolve "ctl.example:$TT_TLS_PORT:127.0.0.1" "https://localhost:$TT_TLS_PORT/hello.txt"
check_exit tls-missing-cacert 2 "$T" --cacert /nonexistent.pem "$S/"
check_exit tls-key-without-cert 2 "$T" --key "$C/client-ec.key" "$S/"
check_exit tls-fixed-time 0 "$T" --cacert "$C/root-ca.pem" --tls-time 1593561600 "https://localhost:$TT_EXPIRED_PORT/hello.txt"

# SIGINT during a stalled request: prompt exit with the cancelled code
"$T" -m 30 "$B/stall-before-head" >"$W/out" 2>"$W/err" &
pid=$!
sleep 0.3
t0=$(ms)
kill -INT $pid
wait $pid
rc=$?
t1=$(ms)
[ $rc = 10 ] && ok sigint-exit || bad sigint-exit "exit $rc"
[ $((t1 - t0)) -lt 1000 ] && ok sigint-prompt || bad sigint-prompt "took $((t1 - t0)) ms"

# tether events: JSON lines, replay, --exec, statuses, SIGINT
E="http://127.0.0.1:$TT_SSE_PORT"
check_exit events-run 0 "$T" events "$E/events?n=50&drop=20"
[ "$(wc -l < "$W/out")" = 50 ] && ok events-all-lines || bad events-all-lines "$(wc -l < "$W/out") lines"
check_grep events-json-line "$W/out" '^{"type":"message","id":"1","data":"event-1"}$'
check_grep events-last-line "$W/out" '^{"type":"message","id":"50","data":"event-50"}$'
[ "$(cut -d'"' -f8 "$W/out" | sort -n | uniq | wc -l)" = 50 ] && ok events-exactly-once || bad events-exactly-once "duplicates"
check_grep events-reconnect-note "$W/err" "reconnecting in"
check_exit events-max 0 "$T" events --max-events 3 "$E/events?n=50"
[ "$(wc -l < "$W/out")" = 3 ] && ok events-max-lines || bad events-max-lines "$(wc -l < "$W/out") lines"
check_exit events-last-id 0 "$T" events --last-event-id 47 "$E/events?n=50"
head -1 "$W/out" | grep -q '"id":"48"' && ok events-last-id-resumes || bad events-last-id-resumes "$(head -1 "$W/out")"
check_exit events-exec 0 "$T" events --max-events 2 --exec "cat > \"$W/ev-\$TETHER_EVENT_ID-\$TETHER_EVENT_TYPE\"" "$E/events?n=9"
[ "$(cat "$W/ev-2-message" 2>/dev/null)" = "event-2" ] && ok events-exec-env-stdin || bad events-exec-env-stdin "no $W/ev-2-message"
check_exit events-exec-fails 0 "$T" events --max-events 1 --exec "exit 3" "$E/events?n=9"
check_grep events-exec-fails-reported "$W/err" "command failed"
check_exit events-404 8 "$T" events "$E/status/404"
check_exit events-bad-url 2 "$T" events "ftp://x/"
check_exit events-no-url 2 "$T" events
check_exit events-drop 0 "$T" events "$E/big?size=100000"
[ "$(wc -l < "$W/out")" = 4 ] && ok events-drop-rest-arrives || bad events-drop-rest-arrives "$(wc -l < "$W/out") lines"
check_grep events-drop-reported "$W/err" "100000 bytes of data"
"$T" events --idle-timeout 60 "$E/silent" >"$W/out" 2>"$W/err" &
pid=$!
sleep 0.5
t0=$(ms)
kill -INT $pid
wait $pid
rc=$?
t1=$(ms)
[ $rc = 10 ] && ok events-sigint-exit || bad events-sigint-exit "exit $rc"
[ $((t1 - t0)) -lt 1000 ] && ok events-sigint-prompt || bad events-sigint-prompt "took $((t1 - t0)) ms"
check_grep events-sigint-got-event "$W/out" '"id":"1"'

# the protocol commands against the reference control plane
C="$TT_ENV_DIR/certs"
VM="127.0.0.1:$TT_CP_VMM_PORT"
curl -s -X POST --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key" \
    -d '{}' "https://$VM/_reset" >/dev/null
# the host's API is TLS 1.3 unless lowered: a BearSSL build says so, and
# the rest of these runs lower it (--tlsv1.2, TETHER_VMM_TLS_MIN, tls_min)
if [ $TLS13 = 1 ]; then
    check_exit vmm-health 0 "$T" vmm health --address "$VM" --name host-a --cacert "$C/root-ca.pem" \
        --cert "$C/client-ec.pem" --key "$C/client-ec.key"
    VMM_MIN=1.3
else
    check_exit vmm-tls13-default 5 "$T" vmm health --address "$VM" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key"
    check_grep vmm-tls13-default-msg "$W/err" "TLS 1.3 is required"
    check_exit vmm-health 0 "$T" vmm health --tlsv1.2 --address "$VM" --name host-a \
        --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key"
    VMM_MIN=1.2
fi
cat > "$W/vmm.conf" <<CONF
# vmm settings
address = $VM
name = host-a
ca = $C/root-ca.pem
cert = $C/client-ec.pem
key = $C/client-ec.key
tls_min = $VMM_MIN
CONF
check_exit vmm-create-config 0 "$T" vmm create cli-1 --cpus 2 --memory-mb 1024 --dns 9.9.9.9 --config "$W/vmm.conf"
check_grep vmm-create-json "$W/out" '"name":"cli-1","state":"stopped","cpus":2'
check_exit vmm-create-five-dns 2 "$T" vmm create cli-5 --cpus 1 --memory-mb 64 --dns 1.1.1.1 \
    --dns 1.0.0.1 --dns 8.8.8.8 --dns 8.8.4.4 --dns 9.9.9.9 --config "$W/vmm.conf"
check_grep vmm-create-five-dns-msg "$W/err" "at most 4 DNS servers"
TETHER_VMM_ADDRESS="$VM" TETHER_VMM_NAME=host-a TETHER_VMM_CA="$C/root-ca.pem" \
TETHER_VMM_CERT="$C/client-ec.pem" TETHER_VMM_KEY="$C/client-ec.key" TETHER_VMM_TLS_MIN=$VMM_MIN \
    check_exit vmm-env-list 0 "$T" vmm list
check_grep vmm-env-list-json "$W/out" '"name":"cli-1"'
check_exit vmm-start 0 "$T" vmm start cli-1 --config "$W/vmm.conf"
check_exit vmm-delete-running 9 "$T" vmm delete cli-1 --config "$W/vmm.conf"
check_grep vmm-delete-running-msg "$W/err" "host-a: vm is running: cli-1"
check_exit vmm-delete-force 0 "$T" vmm delete cli-1 --force --config "$W/vmm.conf"
check_exit vmm-not-found 9 "$T" vmm get cli-1 --config "$W/vmm.conf"
check_grep vmm-not-found-msg "$W/err" "host-a: vm not found: cli-1"
check_exit vmm-down 3 "$T" vmm status --config "$W/vmm.conf" --address 127.0.0.1:1
check_exit vmm-no-address 2 "$T" vmm status
check_exit vmm-bad-config 2 "$T" vmm status --config /nonexistent

P="http://127.0.0.1:$TT_CP_POOL_PORT"
check_exit pool-health 0 "$T" pool health --url "$P"
check_grep pool-health-json "$W/out" '"status":"ok"'
check_exit pool-status-unauth 8 "$T" pool status pool-0 --url "$P"
POOL_MANAGERD_URL="$P" LLORCH_API_TOKEN=llorch-demo-token check_exit pool-status 0 "$T" pool status pool-0
check_grep pool-status-json "$W/out" '"live":true,"ready":true,"active_leases":2'
check_exit pool-unavailable 3 "$T" pool available --url http://127.0.0.1:1

# --retry, as a boot hook waits for its control plane: transient answers
# (two 503s with Retry-After: 1) are held back and retried, the third
# answer is the one shown; the waits follow Retry-After
curl -s -X POST -d '{"status": 503, "count": 2, "retry_after": 1}' "$P/_faults" >/dev/null
t0=$(ms)
check_exit retry-503 0 "$T" --retry 3 --retry-delay 0.1 "$P/health"
took=$(($(ms) - t0))
check_grep retry-503-body "$W/out" '"status": "ok"'
check_no_grep retry-503-held "$W/out" 'injected fault'
[ "$(grep -c 'HTTP 503; retrying in 1.000 s' "$W/err")" = 2 ] && ok retry-503-said || bad retry-503-said "$(cat "$W/err")"
[ "$took" -ge 1900 ] && ok retry-after-honoured || bad retry-after-honoured "$took ms"
# a body from standard input cannot go twice: no retry, the answer shown
curl -s -X POST -d '{"status": 503, "count": 1}' "$P/_faults" >/dev/null
echo '{}' | limit "$T" --retry 3 --retry-delay 0.1 -d @- "$P/health" >"$W/out" 2>"$W/err"
grep -q "injected fault 503" "$W/out" && ok retry-stdin-shown || bad retry-stdin-shown "$(cat "$W/out" "$W/err")"
# nor can a FIFO's
curl -s -X POST -d '{"status": 503, "count": 1}' "$P/_faults" >/dev/null
feed_fifo '{}'
check_exit retry-fifo 0 "$T" --retry 2 --retry-delay 0.1 -d @"$W/fifo" "$P/health"
unfeed
check_grep retry-fifo-shown "$W/out" "injected fault 503"
check_no_grep retry-fifo-not-retried "$W/err" retrying
# out of retries: the last answer stands (-f: exit 8)
curl -s -X POST -d '{"status": 503, "count": 2}' "$P/_faults" >/dev/null
check_exit retry-exhausted 8 "$T" -f --retry 1 --retry-delay 0.1 "$P/health"
curl -s -X POST -d '{}' "$P/_faults" >/dev/null
# a refused connection is transient only when asked; --retry-max-time ends it
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
check_exit retry-refused-not-transient 3 "$T" --retry 5 --retry-delay 0.1 "http://127.0.0.1:$CLOSED/"
check_no_grep retry-refused-not-transient-msg "$W/err" retrying
t0=$(ms)
check_exit retry-connrefused 3 "$T" --retry 3 --retry-connrefused --retry-delay 0.2 "http://127.0.0.1:$CLOSED/"
took=$(($(ms) - t0))
[ "$(grep -c 'connection refused; retrying' "$W/err")" = 3 ] && [ "$took" -ge 550 ] &&
    ok retry-connrefused-count || bad retry-connrefused-count "$took ms: $(cat "$W/err")"
t0=$(ms)
check_exit retry-max-time 3 "$T" --retry 1000 --retry-connrefused --retry-max-time 1 "http://127.0.0.1:$CLOSED/"
took=$(($(ms) - t0))
[ "$took" -lt 2500 ] && ok retry-max-time-bound || bad retry-max-time-bound "$took ms"
# a Retry-After of 10^9 s is waited for 10 min at most, the backoff's
# longest (the wait, once announced, is interrupted: exit 10)
curl -s -X POST -d '{"status": 503, "count": 1, "retry_after": 1000000000}' "$P/_faults" >/dev/null
check_exit retry-after-huge 10 timeout -k 5 -s INT --preserve-status 1.5 "$T" --retry 1 --retry-delay 0.1 "$P/health"
check_grep retry-after-capped "$W/err" "HTTP 503; retrying in 600.000 s, 1 left"
# with --retry-max-time the budget decides: the 0.1 s of --retry-delay
curl -s -X POST -d '{"status": 503, "count": 1, "retry_after": 1000000000}' "$P/_faults" >/dev/null
t0=$(ms)
check_exit retry-after-huge-budget 0 "$T" --retry 1 --retry-delay 0.1 --retry-max-time 2 "$P/health"
took=$(($(ms) - t0))
check_grep retry-after-huge-budget-wait "$W/err" "retrying in 0.100 s"
[ "$took" -lt 1500 ] && ok retry-after-huge-budget-time || bad retry-after-huge-budget-time "$took ms"
# a try that would start after --retry-max-time is not made: the first
# 503 took 0.7 s, the 0.1 s wait no longer fits 0.5 s; the held answer
# is then an HTTP error (exit 8), not an empty success
curl -s -X POST -d '{"status": 503, "count": 5, "delay_ms": 700}' "$P/_faults" >/dev/null
check_exit retry-max-time-held 8 "$T" --retry 3 --retry-delay 0.1 --retry-max-time 0.5 "$P/health"
check_no_grep retry-max-time-held-once "$W/err" retrying
check_grep retry-max-time-held-said "$W/err" "no time left to retry"
# so for timeouts: tries of 0.5 s at 0 and 0.6 s fit 1 s, one at 1.2 s not
curl -s -X POST -d '{"delay_ms": 1500}' "$P/_faults" >/dev/null
check_exit retry-max-time-tries 4 "$T" -m 0.5 --retry 5 --retry-delay 0.1 --retry-max-time 1 "$P/health"
[ "$(grep -c retrying "$W/err")" = 1 ] && ok retry-max-time-two-tries || bad retry-max-time-two-tries "$(cat "$W/err")"
curl -s -X POST -d '{}' "$P/_faults" >/dev/null
# -i: a head that reached the output is not printed again by a retry
# (the answer stalls after its head, before any body byte)
check_exit retry-head-written 4 "$T" -i -m 0.5 --retry 2 --retry-delay 0.1 "$B/body?cut=41&act=stall"
[ "$(grep -c '^HTTP/1.1 200 OK' "$W/out")" = 1 ] && ok retry-head-once || bad retry-head-once "$(cat "$W/out")"
check_no_grep retry-head-not-retried "$W/err" retrying
# a server that comes up while tether waits (the network of a booting device)
mkdir -p "$W/late" && echo "late hello" > "$W/late/hello.txt"
(sleep 1; cd "$W/late" && exec python3 -m http.server "$CLOSED" --bind 127.0.0.1) >/dev/null 2>&1 &
LATE=$!
check_exit retry-late-server 0 "$T" --retry 30 --retry-all-errors --retry-delay 0.2 "http://127.0.0.1:$CLOSED/hello.txt"
check_grep retry-late-server-body "$W/out" "late hello"
kill $LATE 2>/dev/null
check_exit retry-bad-number 2 "$T" --retry -1 "$P/health"

S="http://127.0.0.1:$TT_CP_SKY_PORT"
printf 'run: echo hi\n' > "$W/task.yaml"
export SKYPILOT_SERVICE_ACCOUNT_TOKEN=sky_demo_token
check_exit sky-health 0 "$T" sky health --url "$S"
SKYPILOT_API_SERVER_URL="$S" check_exit sky-launch 0 "$T" sky launch cli-c --task "$W/task.yaml"
check_grep sky-launch-json "$W/out" '"status":"SUCCEEDED",.*"result":{"job_id":[0-9]*,"handle":"gASV'
# the request's record as its table prints it: the server's fields too
check_grep sky-launch-record "$W/out" '"name":"sky.launch",.*"cluster_name":"cli-c",.*"created_at":[0-9]'
# who asked: SKYPILOT_USER_ID (a hash of the machine id unless given) and SKYPILOT_USER
RID=$(sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p' "$W/out")
curl -s -H "Authorization: Bearer sky_demo_token" "$S/api/status?request_ids=$RID" > "$W/req.json"
check_grep sky-launch-user-id "$W/req.json" '"user_id":"[0-9a-f]\{8\}"'
SKYPILOT_USER_ID=feedbeef SKYPILOT_USER=ops check_exit sky-launch-user 0 "$T" sky launch cli-u --task "$W/task.yaml" --url "$S" --detach
RID=$(sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p' "$W/out")
curl -s -H "Authorization: Bearer sky_demo_token" "$S/api/status?request_ids=$RID" > "$W/req.json"
check_grep sky-launch-user-id-given "$W/req.json" '"user_id":"feedbeef"'
check_grep sky-launch-user-given "$W/req.json" '"user_name":"ops"'
check_exit sky-launch-detach 0 "$T" sky launch cli-d --task "$W/task.yaml" --detach --url "$S"
check_grep sky-detach-id "$W/out" '"request_id":"'
check_exit sky-launch-fails 9 "$T" sky launch fail-x --task "$W/task.yaml" --url "$S"
check_grep sky-launch-fails-msg "$W/err" "failed: ResourcesUnavailableError: Failed to provision"
check_grep sky-launch-fails-line "$W/out" '"error_type":"ResourcesUnavailableError"'
check_exit sky-logs 0 "$T" sky logs cli-c --url "$S"
check_grep sky-logs-text "$W/out" "step 5 of 5"
check_no_grep sky-logs-no-control "$W/out" "sky-payload"
# a job that runs 12 s, followed with a 2 s request timeout
check_exit sky-launch-long 0 "$T" sky launch long-12 --task "$W/task.yaml" --url "$S"
check_exit sky-logs-follow 0 "$T" sky logs long-12 --follow --timeout 2 --idle-timeout 6 --url "$S"
[ "$(grep -c '^(task' "$W/out")" = 5 ] && ok sky-logs-follow-lines || bad sky-logs-follow-lines "$(cat "$W/out")"
check_exit sky-logs-idle 4 "$T" sky logs long-12 --follow --idle-timeout 0.5 --url "$S"
# a status of forty clusters with their pickled handles: a line each
curl -s -X POST -d '{"count": 40}' "$S/_clusters" >/dev/null
check_exit sky-status-many 0 "$T" sky status --url "$S"
[ "$(grep -c '"name":"fleet-' "$W/out")" = 40 ] && ok sky-status-lines || bad sky-status-lines "$(wc -l < "$W/out") lines"
check_no_grep sky-status-no-handle "$W/out" "gASV"
check_grep sky-status-request "$W/out" '"name":"sky.status","status":"SUCCEEDED"'
SKYPILOT_SERVICE_ACCOUNT_TOKEN=sky_wrong check_exit sky-unauthorized 9 "$T" sky status --url "$S"
SKYPILOT_MAX_RETRIES=x check_exit sky-bad-env 2 "$T" sky health --url "$S"
unset SKYPILOT_SERVICE_ACCOUNT_TOKEN

M="http://127.0.0.1:$TT_CP_MAAS_PORT/MAAS"
# the suite runs once per build against one server: each starts from MAAS's
# first state (a machine deployed by the last run is "Deploying" still)
curl -s -X POST -d '{}' "http://127.0.0.1:$TT_CP_MAAS_PORT/_reset" >/dev/null
check_exit maas-hosts 0 "$T" maas hosts --type lxd --url "$M" --api-key ck:tk:ts
[ "$(wc -l < "$W/out")" = 3 ] && ok maas-hosts-filtered || bad maas-hosts-filtered "$(wc -l < "$W/out") hosts"
check_grep maas-hosts-tags "$W/out" '"tags":\["pod-console-logging","rack-7"'
check_grep maas-hosts-pools "$W/out" '"name":"pool-11"'
check_exit maas-hosts-by-tag 0 "$T" maas hosts --tag maintenance-window-sunday-0200 --url "$M" --api-key ck:tk:ts
[ "$(wc -l < "$W/out")" = 1 ] && ok maas-hosts-by-tag-one || bad maas-hosts-by-tag-one "$(wc -l < "$W/out") hosts"
MAAS_URL="$M" MAAS_API_KEY=ck:tk:ts check_exit maas-compose 0 "$T" maas compose 3 --cores 2 --memory 2048 --hostname cli-vm --zone zone-b --pool prod
check_grep maas-compose-json "$W/out" '"system_id":"'
curl -s "$M/../_stats" > "$W/stats.json"
check_grep maas-compose-zone-id "$W/stats.json" '"zone": "3"'
check_exit maas-compose-bad-zone 8 "$T" maas compose 3 --cores 2 --memory 2048 --zone 99 --url "$M" --api-key ck:tk:ts
check_grep maas-compose-bad-zone-msg "$W/err" "HTTP 400 Bad Request: zone: Select a valid choice"
check_exit maas-compose-user-data 2 "$T" maas compose 3 --cores 2 --memory 2048 --user-data "$W/task.yaml" --url "$M" --api-key ck:tk:ts
check_grep maas-compose-user-data-msg "$W/err" "user data goes with 'maas deploy'"
check_exit maas-compose-too-big 8 "$T" maas compose 2 --cores 999 --memory 1024 --url "$M" --api-key ck:tk:ts
check_grep maas-compose-text "$W/err" "HTTP 503 Service Unavailable: Unable to compose"
check_exit maas-bad-key 8 "$T" maas hosts --url "$M" --api-key ck:tk:nope
# a 68 KB machine: one JSON document, every interface, link and disk
check_exit maas-machine 0 "$T" maas machine k8dx3m --url "$M" --api-key ck:tk:ts
python3 - "$W/out" > "$W/counts" <<'PY' && ok maas-machine-json || bad maas-machine-json "$(cat "$W/counts")"
import json, sys
m = json.load(open(sys.argv[1]))
ifs, devs = m["interface_set"], m["blockdevice_set"]
assert m["system_id"] == "k8dx3m" and m["status_name"] == "Deployed", m
assert len(ifs) == 13 and sum(len(i.get("links", [])) for i in ifs) == 6, ifs
assert len(devs) == 6 and sum(len(d.get("partitions", [])) for d in devs) == 5, devs
assert ifs[8]["name"] == "bond0" and ifs[8]["parents"] == ["eno2", "eno3"]
assert ifs[0]["links"][0]["subnet"]["cidr"] == "10.16.0.0/24"
PY
printf '#cloud-config\nruncmd: [echo hi]\n' > "$W/user-data"
check_exit maas-deploy 0 "$T" maas deploy sbfrtx --user-data "$W/user-data" --distro-series noble --url "$M" --api-key ck:tk:ts
check_grep maas-deploy-status "$W/out" '"status_name":"Deploying"'
curl -s "$M/../_stats" > "$W/stats.json"
check_grep maas-deploy-user-data "$W/stats.json" '"user_data": "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtlY2hvIGhpXQo="'

X="http://127.0.0.1:$TT_CP_PLEXD_PORT"
# the integration suites leave events (and rotated keys) behind
curl -s -X POST -d '{}' "$X/_reset" >/dev/null
check_exit plexd-register 0 "$T" plexd register --public-key cHVi --hostname cli-node --url "$X" --token boot-demo-token
NODE=$(sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p' "$W/out")
NSK=$(sed -n 's/.*"node_secret_key":"\([^"]*\)".*/\1/p' "$W/out")
SIGNING_KEY=$(sed -n 's/.*"signing_public_key":"\([^"]*\)".*/\1/p' "$W/out")
export PLEXD_URL="$X" PLEXD_NODE_ID="$NODE" PLEXD_TOKEN="$NSK"
check_exit plexd-heartbeat 0 "$T" plexd heartbeat
check_exit plexd-state 0 "$T" plexd state
check_grep plexd-state-json "$W/out" '"peers":\[{"id":"0190a8b8-0000-0000-0000-000000000001"'
# a mesh of 600 peers: one JSON document with all of them
curl -s -X POST -d '{"peers": 600, "policies": 4, "rules": 25, "data": 8, "secret_refs": 12}' "$X/_mesh" >/dev/null
check_exit plexd-state-large 0 "$T" plexd state
python3 - "$W/out" > "$W/counts" <<'PY' && ok plexd-state-large-json || bad plexd-state-large-json "$(cat "$W/counts")"
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s["peers"]) == 600 and len(s["policies"]) == 4, len(s["peers"])
assert sum(len(p["rules"]) for p in s["policies"]) == 100
assert len(s["data"]) == 8 and len(s["secret_refs"]) == 12
assert s["metadata"] == {"rack": "r1", "region": "fra", "site": "lab"}
PY
curl -s -X POST -d '{}' "$X/_mesh" >/dev/null
check_exit plexd-secret-large 0 "$T" plexd secret tls-bundle
check_exit plexd-secret-too-large 7 "$T" plexd secret too-big
check_grep plexd-secret-too-large-msg "$W/err" "ciphertext: string of 68288 bytes, longer than its 65536-byte buffer"
check_exit plexd-artifact 0 "$T" plexd artifact 1.2.3 linux arm64 -o "$W/plexd.bin"
SUM=$(sha256sum "$W/plexd.bin" | cut -d' ' -f1)
check_grep plexd-artifact-sum "$W/out" "\"sha256\":\"$SUM\""
check_exit plexd-artifact-digest 0 "$T" plexd artifact 1.2.3 linux arm64 -o "$W/plexd2.bin" --sha256 "sha256:$SUM"
check_exit plexd-artifact-bad-digest 6 "$T" plexd artifact 1.2.3 linux arm64 -o "$W/plexd3.bin" --sha256 "$(echo "$SUM" | tr 0-9a-f 1-9a-f0)"
check_grep plexd-artifact-bad-msg "$W/err" "checksum mismatch"
[ -e "$W/plexd3.bin" ] && bad plexd-artifact-bad-removed "file kept" || ok plexd-artifact-bad-removed
check_exit plexd-secret-missing 8 "$T" plexd secret nope
# a document from a file: whole, or refused (too large, unreadable, not JSON)
printf '[{"type": "peer", "detail": "re-added"}]' > "$W/drift.json"
check_exit plexd-drift-file 0 "$T" plexd drift --json @"$W/drift.json"
head -c 300000 /dev/zero | tr '\0' ' ' > "$W/drift-big.json"
check_exit plexd-drift-file-too-large 2 "$T" plexd drift --json @"$W/drift-big.json"
check_grep plexd-drift-file-too-large-msg "$W/err" "larger than the"
check_exit plexd-drift-file-missing 2 "$T" plexd drift --json @"$W/nope.json"
check_exit plexd-drift-not-json 2 "$T" plexd drift --json '[{"type": '
curl -s -X POST -d '{"count": 3}' "$X/_emit" >/dev/null
# events are verified: without the control plane's key, nothing starts
check_exit plexd-events-no-key 2 "$T" plexd events --max-events 3
check_grep plexd-events-no-key-msg "$W/err" "needs the control plane's signing key: --signing-key, PLEXD_SIGNING_KEY"
check_exit plexd-events-unsigned 0 "$T" plexd events --max-events 3 --insecure-unsigned
check_grep plexd-events-unsigned-warns "$W/err" "WARNING: --insecure-unsigned"
check_exit plexd-events-bad-key 2 "$T" plexd events --max-events 3 --signing-key c2hvcnQ=
export PLEXD_SIGNING_KEY="$SIGNING_KEY"
check_exit plexd-events 0 "$T" plexd events --max-events 3
[ "$(wc -l < "$W/out")" = 3 ] && ok plexd-events-lines || bad plexd-events-lines "$(wc -l < "$W/out") lines"
# a rotation, then events by the new key; a tampered and a replayed event
# are refused with their reasons and not printed; the rest arrive
curl -s -X POST -d '{"count": 2, "types": ["signing_key_rotated", "peer_added"]}' "$X/_emit" >/dev/null
curl -s -X POST -d '{"count": 1, "types": ["policy_updated"], "tampered": 1, "replayed": 1}' "$X/_emit" >/dev/null
curl -s -X POST -d '{"count": 1, "types": ["node_state_updated"]}' "$X/_emit" >/dev/null
check_exit plexd-events-verified 0 "$T" plexd events --max-events 7
check_grep plexd-events-rotated "$W/out" '"event_type":"signing_key_rotated"'
check_grep plexd-events-after-rotation "$W/out" '"event_type":"node_state_updated"'
check_no_grep plexd-events-tampered-not-printed "$W/out" '"action":"reboot"'
check_grep plexd-events-replay-reason "$W/err" "evt-6: duplicate nonce"
check_grep plexd-events-tampered-reason "$W/err" "evt-8: signature verification failed"
[ "$(wc -l < "$W/out")" = 7 ] && ok plexd-events-verified-lines || bad plexd-events-verified-lines "$(wc -l < "$W/out") lines"
check_exit plexd-deregister 0 "$T" plexd deregister
check_exit plexd-after-deregister 8 "$T" plexd heartbeat
unset PLEXD_URL PLEXD_NODE_ID PLEXD_TOKEN PLEXD_SIGNING_KEY

# No secret in the -v trace or in an error, for any protocol: bearer tokens,
# MAAS's key parts and OAuth signature, cloud credentials, client keys,
# secret-named query parameters.
secret_free() { # name: neither the trace nor the output names a secret
    for s in sky_tracesecret AKIAFAKEKEYID wJalrFAKESECRET FQoFAKESESSION tsFAKESECRET \
             oauth_signature= "$NSK" boot-demo-token qFAKESECRET "PRIVATE KEY"; do
        [ -n "$s" ] || continue
        if grep -q -- "$s" "$W/err"; then bad "$1" "'$s' in the trace"; return; fi
    done
    ok "$1"
}
check_exit trace-plexd-register 0 "$T" plexd register -v --public-key cHVi --hostname t2 --url "$X" --token boot-demo-token
secret_free trace-plexd-register-secret-free
NSK=$(sed -n 's/.*"node_secret_key":"\([^"]*\)".*/\1/p' "$W/out")
PLEXD_NODE_ID=$(sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p' "$W/out")
export PLEXD_NODE_ID PLEXD_TOKEN="$NSK"
check_exit trace-plexd 0 "$T" plexd heartbeat -v --url "$X"
check_grep trace-plexd-redacted "$W/err" "Authorization: \[redacted\]"
secret_free trace-plexd-secret-free
check_exit trace-plexd-bad-token 8 "$T" plexd heartbeat -v --url "$X" --token nsk-wrongFAKE
check_no_grep trace-plexd-bad-token-free "$W/err" "nsk-wrongFAKE"
check_exit trace-maas 0 "$T" maas hosts -v --url "$M" --api-key ck:tk:ts
secret_free trace-maas-secret-free
check_exit trace-maas-bad 8 "$T" maas hosts -v --url "$M" --api-key ck:tk:tsFAKESECRET2
secret_free trace-maas-bad-secret-free
SKYPILOT_SERVICE_ACCOUNT_TOKEN=sky_tracesecret check_exit trace-sky 9 "$T" sky launch t-x -v \
    --task "$W/task.yaml" --url "$S" --aws-access-key-id AKIAFAKEKEYID \
    --aws-secret-access-key wJalrFAKESECRET --aws-session-token FQoFAKESESSION
check_grep trace-sky-ran "$W/err" "Authorization: \[redacted\]"
secret_free trace-sky-secret-free
TETHER_VMM_TLS_MIN=$VMM_MIN check_exit trace-vmm 0 "$T" vmm health -v --address "$VM" --name host-a \
    --cacert "$C/root-ca.pem" --cert "$C/client-ec.pem" --key "$C/client-ec.key"
secret_free trace-vmm-secret-free
check_exit trace-query 0 "$T" -v "$N/hello.txt?access_token=qFAKESECRET&x=1"
check_grep trace-query-masked "$W/err" "access_token=\[redacted\]&x=1"
secret_free trace-query-secret-free

echo "$pass passed, $fail failed"
[ $fail = 0 ]
