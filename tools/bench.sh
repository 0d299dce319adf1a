#!/bin/sh
# `make bench`: start the loopback servers and measure (tools/bench.py).
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
tt_env_start build/bench-env || exit 1
trap tt_env_stop EXIT INT TERM
python3 tools/bench.py
