#!/bin/sh
# make soak: the soak agent against the reference control plane with random
# faults for SOAK_SECONDS (default 1800). Not part of make test.
#   tests/soak/run.sh AGENT_BINARY SECONDS
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
TT_ENV_DIR="$PWD/build/soak/env"
rm -rf "$TT_ENV_DIR"; mkdir -p "$TT_ENV_DIR"
export TT_ENV_DIR
tools/gen-certs.sh "$TT_ENV_DIR/certs" >/dev/null || exit 1
tt_refcp_start || exit 1
trap tt_env_stop EXIT INT TERM
python3 tests/soak/driver.py "$1" "$TT_CP_PLEXD_PORT" "$2" $SOAK_SEED
