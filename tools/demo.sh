#!/bin/sh
# `make demo`: a tour of tether against loopback servers: the reference
# control plane (tools/refcp.py) speaking the five protocols, then the
# engine underneath against nginx and a misbehaving server.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
T=build/tether
echo "Starting nginx, the test servers and the reference control plane on loopback"
echo "(throwaway certificates in build/demo-env/certs)..."
tt_env_start build/demo-env >/dev/null || exit 1
trap tt_env_stop EXIT INT TERM
C="$TT_ENV_DIR/certs"
N="http://127.0.0.1:$TT_NGINX_PORT"
B="http://127.0.0.1:$TT_BAD_PORT"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
run() { step "$1" "$2"; sh -c "$2"; echo "(exit $?)"; }
section() { printf '\n\033[1;4m%s\033[0m\n' "$1"; }

section "plexd: a node agent's life"
export PLEXD_URL="http://127.0.0.1:$TT_CP_PLEXD_PORT"
step "Register with the bootstrap token" "$T plexd register --public-key cHVi --hostname bmc-7 --token boot-demo-token"
$T plexd register --public-key cHVi --hostname bmc-7 --token boot-demo-token | tee "$TT_ENV_DIR/reg.json"
PLEXD_NODE_ID=$(sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p' "$TT_ENV_DIR/reg.json")
PLEXD_TOKEN=$(sed -n 's/.*"node_secret_key":"\([^"]*\)".*/\1/p' "$TT_ENV_DIR/reg.json")
PLEXD_SIGNING_KEY=$(sed -n 's/.*"signing_public_key":"\([^"]*\)".*/\1/p' "$TT_ENV_DIR/reg.json")
export PLEXD_NODE_ID PLEXD_TOKEN PLEXD_SIGNING_KEY
echo "(the node now speaks with its own token: PLEXD_TOKEN=${PLEXD_TOKEN%????????????????????????}...)"
echo "(and trusts events signed by the control plane's key: PLEXD_SIGNING_KEY=$PLEXD_SIGNING_KEY)"
run "Heartbeat" "$T plexd heartbeat --uptime 3h"
curl -s -X POST -d '{"peers": 600, "policies": 4, "rules": 25, "data": 8, "secret_refs": 12}' \
    "$PLEXD_URL/_mesh" >/dev/null
run "The state of a 600-peer mesh (160 KB, gzipped): read as it streams, in the memory an empty one takes" \
    "$T plexd state | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len(s[\"peers\"]), \"peers,\", sum(len(p[\"rules\"]) for p in s[\"policies\"]), \"rules,\", len(s[\"data\"]), \"data entries; first peer:\", json.dumps(s[\"peers\"][0])[:90])'"
curl -s -X POST -d '{}' "$PLEXD_URL/_mesh" >/dev/null
curl -s -X POST -d '{"count": 12}' "$PLEXD_URL/_emit" >/dev/null
curl -s -X POST -d '{"drop_events_every": 5}' "$PLEXD_URL/_faults" >/dev/null
run "Receive the 12 event types, each verified (Ed25519); the server cuts the stream every 5 events: nothing is lost" \
    "$T plexd events --max-events 12 | cut -c1-110"
curl -s -X POST -d '{}' "$PLEXD_URL/_faults" >/dev/null
curl -s -X POST -d '{"count": 1, "replayed": true, "tampered": true}' "$PLEXD_URL/_emit" >/dev/null
curl -s -X POST -d '{"count": 1}' "$PLEXD_URL/_emit" >/dev/null
run "An event replayed and one changed on the way: refused, as plexd's agent refuses them (the stream starts again from the first event; the last two shown)" \
    "$T plexd events --max-events 14 | tail -n 2 | cut -c1-110"
run "Report an execution result (a 1 KiB+ body goes gzip-compressed)" \
    "$T plexd result exec-42 --status succeeded --exit-code 0 --stdout \"\$(seq 1 400 | tr '\n' ' ')\" --duration 2.1s"
run "Fetch the agent binary and check its SHA-256 (a wrong digest: exit 6, file removed)" \
    "$T plexd artifact 1.2.3 linux arm64 -o $TT_ENV_DIR/plexd.bin --sha256 deadbeef"

section "vmm: a VM host over mutual TLS"
export TETHER_VMM_ADDRESS="127.0.0.1:$TT_CP_VMM_PORT" TETHER_VMM_NAME=host-a \
    TETHER_VMM_CA="$C/root-ca.pem" TETHER_VMM_CERT="$C/client-ec.pem" TETHER_VMM_KEY="$C/client-ec.key"
if ! $T -V | grep -q "TLS 1.3"; then
    # the host's API demands TLS 1.3; this build (BearSSL) speaks 1.2
    echo "(this build speaks TLS 1.2 only: TETHER_VMM_TLS_MIN=1.2 lowers the vmm host's TLS 1.3 floor;"
    echo " make static builds tether-static with TLS 1.3)"
    export TETHER_VMM_TLS_MIN=1.2
fi
run "Create a VM" "$T vmm create worker-1 --cpus 2 --memory-mb 2048 --image ubuntu-24.04 --dns 1.1.1.1"
run "List (streamed, constant memory)" "$T vmm list"
run "Start it, see the host" "$T vmm start worker-1 && $T vmm status"
run "Stop and delete it" "$T vmm stop worker-1 && $T vmm delete worker-1"
run "It is gone: an API error naming the host (exit 9)" "$T vmm get worker-1"
run "The host is down: a network error, not an API error (exit 3)" "TETHER_VMM_ADDRESS=127.0.0.1:1 $T vmm get worker-1"

section "MAAS, SkyPilot, pool manager"
export MAAS_URL="http://127.0.0.1:$TT_CP_MAAS_PORT/MAAS" MAAS_API_KEY=ck:tk:ts
run "MAAS: LXD VM hosts with a GPU tag (OAuth PLAINTEXT on every request)" "$T maas hosts --type lxd --tag gpu | cut -c1-120"
run "MAAS: a 68 KB machine (13 interfaces, 6 disks), read as it streams" \
    "$T maas machine k8dx3m | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m[\"hostname\"], m[\"status_name\"], [(i[\"name\"], [l.get(\"ip_address\") for l in i.get(\"links\", [])]) for i in m[\"interface_set\"]][:9], len(m[\"blockdevice_set\"]), \"disks\")'"
run "MAAS: compose a VM on host 1, zone and pool by name (MAAS wants ids: looked up)" \
    "$T maas compose 1 --cores 4 --memory 8192 --storage 'root:20(ssd)' --hostname web-1 --zone zone-a --pool default"
run "MAAS: a zone it does not know: MAAS's own words" "$T maas compose 1 --cores 4 --memory 8192 --zone 99"
run "MAAS: asking too much: MAAS's text error is kept" "$T maas compose 2 --cores 64 --memory 1024"
printf '#cloud-config\nruncmd: [echo hello from tether]\n' > "$TT_ENV_DIR/user-data"
run "MAAS: deploy a machine with user data" \
    "$T maas deploy sbfrtx --user-data $TT_ENV_DIR/user-data --distro-series noble | grep -o '\"status_name\":\"[^\"]*\"'"
export SKYPILOT_API_SERVER_URL="http://127.0.0.1:$TT_CP_SKY_PORT" SKYPILOT_SERVICE_ACCOUNT_TOKEN=sky_demo_token
printf 'resources:\n  accelerators: A100:1\nrun: python train.py\n' > "$TT_ENV_DIR/task.yaml"
run "SkyPilot: launch and wait for the request" "$T sky launch demo-cluster --task $TT_ENV_DIR/task.yaml | cut -c1-200"
run "SkyPilot: cluster status (a line per cluster; the pickled handles skipped)" "$T sky status demo-cluster | cut -c1-140"
run "SkyPilot: a launch that fails: the message, from under 6 KB of pickled exception (exit 9)" \
    "$T sky launch fail-demo --task $TT_ENV_DIR/task.yaml >/dev/null"
run "Pool manager: a pool's status" "LLORCH_API_TOKEN=llorch-demo-token $T pool status pool-0 --url http://127.0.0.1:$TT_CP_POOL_PORT"

section "The engine underneath"
run "A GET from nginx, status and headers (-i)" "$T -i $N/1k.json | head -6"
run "A server that stalls: the 1 s deadline holds (exit code 4)" "$T -m 1 $B/stall-before-head"
run "A server that resets mid-body (exit code 3)" "$T -o /dev/null $B/reset-mid-body"
E="http://127.0.0.1:$TT_SSE_PORT"
run "An event stream cut every 4 events: 10 events, each once, replayed by Last-Event-ID" "$T events --max-events 10 '$E/events?n=10&drop=4'"
run "A 1 MiB event with an 8 KiB buffer: dropped and reported, the rest arrives" "$T events --max-events 4 '$E/big?size=1048576'"
echo
echo "Done: servers stopped."
