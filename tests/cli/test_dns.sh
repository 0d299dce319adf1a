#!/bin/sh
# The stub resolver against a DNS server that answers well, slowly,
# wrongly, truncated or never (tests/servers/dnsd.py on loopback): every
# lookup ends within the connect timeout and the request deadline, and a
# bad answer is never taken for a good one.
# usage: test_dns.sh TETHER (inside tests/env.sh's environment)
T=$1
W=${TT_ENV_DIR:?run inside tests/env.sh}/dns
mkdir -p "$W"
pass=0 fail=0 skip=0
ok() { pass=$((pass+1)); [ -n "${TT_VERBOSE:-}" ] && echo "ok dns/$1"; return 0; }
bad() { fail=$((fail+1)); echo "FAIL dns/$1: $2"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

rm -f "$W/ready"
python3 tests/servers/dnsd.py 127.0.0.1 0 "$W/ready" \
    good.tether.test=127.0.0.1 slow.tether.test=slow:700:127.0.0.1 \
    late.tether.test=slow:6000:127.0.0.1 never.tether.test=never \
    trunc.tether.test=trunc servfail.tether.test=servfail \
    spoof.tether.test=spoof:127.0.0.1 garbage.tether.test=garbage \
    alias.tether.test=cname:good.tether.test nx6.tether.test=nx6:0:127.0.0.1 \
    nx6late.tether.test=nx6:300:127.0.0.1 many6.tether.test=many6:10:200:127.0.0.1 \
    web.sf.tether.test=servfail web.ok.tether.test=127.0.0.1 \
    >"$W/dnsd.log" 2>&1 &
DNSD=$!
trap 'kill $DNSD 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$W/ready" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
DNS="127.0.0.1:$(cut -d' ' -f2 "$W/ready")"
DEAD="127.0.0.1:$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

# case NAME WANT_EXIT MAX_MS MESSAGE TETHER-ARGS...: runs tether on
# http://NAME:nginx/hello.txt (through $RUN when set), checks the exit
# code, that it took at most MAX_MS, and that stderr has MESSAGE (when not "")
RUN=
case_() {
    name=$1 want=$2 max=$3 msg=$4; shift 4
    t0=$(ms)
    timeout -k 5 30 $RUN "$T" "$@" "http://$name:$TT_NGINX_PORT/hello.txt" >"$W/out" 2>"$W/err"
    got=$? took=$(($(ms) - t0))
    if [ "$got" != "$want" ]; then
        bad "$name $*" "exit $got, want $want ($(head -c 200 "$W/err"))"
    elif [ "$took" -gt "$max" ]; then
        bad "$name $*" "took $took ms, more than $max"
    elif [ -n "$msg" ] && ! grep -q -- "$msg" "$W/err"; then
        bad "$name $*" "'$msg' not in: $(head -c 200 "$W/err")"
    elif [ "$want" = 0 ] && ! grep -q hello "$W/out"; then
        bad "$name $*" "no body"
    else
        ok "$name $*"
    fi
}

case_ good.tether.test 0 3000 "" --dns-servers "$DNS"
case_ GOOD.Tether.Test. 0 3000 "" --dns-servers "$DNS"            # case, root dot
case_ alias.tether.test 0 3000 "" --dns-servers "$DNS"            # CNAME chain
case_ slow.tether.test 0 3000 "" --dns-servers "$DNS" --connect-timeout 3
case_ spoof.tether.test 0 3000 "" --dns-servers "$DNS" --connect-timeout 2
# an address for A though AAAA says NXDOMAIN, before or after it
case_ nx6.tether.test 0 3000 "" --dns-servers "$DNS"
case_ nx6late.tether.test 0 3000 "" --dns-servers "$DNS"
# ten AAAA records (refused) before the A record leave room for the A
case_ many6.tether.test 0 3000 "" --dns-servers "$DNS"
case_ good.tether.test 0 3000 "" --dns-servers "$DEAD,$DNS"       # first one refuses
case_ nosuch.tether.test 3 2000 "could not resolve host name" --dns-servers "$DNS"
case_ trunc.tether.test 3 2000 "could not resolve host name" --dns-servers "$DNS"
case_ servfail.tether.test 3 2000 "could not resolve host name" --dns-servers "$DNS"
# answers that never come (or come too late) end at the deadlines
case_ late.tether.test 4 2500 "timed out" --dns-servers "$DNS" --connect-timeout 1
case_ never.tether.test 4 2500 "timed out" --dns-servers "$DNS" --connect-timeout 1
case_ garbage.tether.test 4 2500 "timed out" --dns-servers "$DNS" --connect-timeout 1
case_ never.tether.test 4 2500 "timed out" --dns-servers "$DNS" -m 1
case_ never.tether.test 4 2500 "timed out" --dns-servers "$DEAD,$DNS" --connect-timeout 1
# localhost needs no server at all (RFC 6761), nor does an address
case_ localhost 0 3000 "" --dns-servers "$DEAD"
case_ 127.0.0.1 0 3000 "" --dns-servers "$DEAD"
# resolv.conf's search list: a SERVFAIL for one candidate does not end
# the search (glibc goes on too). tether reads /etc/resolv.conf: it runs
# in a mount namespace with a file of ours bound over it.
printf 'search sf.tether.test ok.tether.test\noptions timeout:1 attempts:1\n' > "$W/resolv.conf"
u=-m; [ "$(id -u)" = 0 ] || u=-rm
cat > "$W/in_ns" <<EOF
#!/bin/sh
exec unshare $u sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' "$W/resolv.conf" "\$@"
EOF
chmod +x "$W/in_ns"
if "$W/in_ns" true 2>"$W/ns.err"; then
    RUN="$W/in_ns"
    case_ web 0 3000 "" --dns-servers "$DNS"
    RUN=
else
    skip=$((skip+1))
    echo "SKIP dns/search-past-servfail: no mount namespace ($(head -c 200 "$W/ns.err"))"
fi
# a bad list is a usage error, before anything is sent
case_ good.tether.test 2 2000 "dns-servers" --dns-servers "127.0.0.1:99999"
case_ good.tether.test 2 2000 "dns-servers" --dns-servers "a,b,c,d"

if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" = 0 ]
