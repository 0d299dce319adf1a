#!/bin/sh
# `make demo`: a short tour of tether against servers started on loopback.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
T=build/tether
tt_env_start build/demo-env >/dev/null || exit 1
trap tt_env_stop EXIT INT TERM
N="http://127.0.0.1:$TT_NGINX_PORT"
B="http://127.0.0.1:$TT_BAD_PORT"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
run() { step "$1" "$2"; sh -c "$2"; echo "(exit $?)"; }

run "A GET from nginx on loopback" "$T $N/hello.txt"
run "Status line and headers (-i)" "$T -i $N/1k.json | head -8"
run "A trace of the exchange (-v), the token masked" "$T -v -H 'Authorization: Bearer sky_demo_secret' -o /dev/null $N/hello.txt"
run "Following redirects (-L)" "$T -L $N/chain1"
run "Fail on HTTP errors (-f): exit code 8" "$T -f $N/404"
run "A server that stalls: the 1 s deadline holds (exit code 4)" "$T -m 1 $B/stall-before-head"
run "A server that resets mid-body (exit code 3)" "$T -o /dev/null $B/reset-mid-body"
run "A server that sends garbage (exit code 6)" "$T $B/garbage"
run "Nothing listening (exit code 3)" "$T http://127.0.0.1:1/"
E="http://127.0.0.1:$TT_SSE_PORT"
run "An event stream cut every 4 events: 10 events, each once, replayed by Last-Event-ID" "$T events '$E/events?n=10&drop=4'"
run "A command per event (data on stdin, type and id in the environment)" "$T events --max-events 3 --exec 'printf \"%s %s: \" \$TETHER_EVENT_ID \$TETHER_EVENT_TYPE; cat; echo' '$E/events?n=9'"
run "A 1 MiB event with an 8 KiB buffer: dropped and reported, the rest arrives" "$T events '$E/big?size=1048576'"
echo
echo "Done: servers stopped."
