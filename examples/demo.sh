#!/bin/sh
# Runs heatd on examples/heat.toml with the quick start's signal receiver.
# Stop it with Ctrl-C. Expects the binaries in ../bin (`make build`).
set -eu
cd "$(dirname "$0")"
mkdir -p log
../bin/receiver -pidfile log/receiver.pid &
receiver=$!
while [ ! -s log/receiver.pid ]; do sleep 0.1; done
cleanup() {
	kill "$receiver" 2>/dev/null || true
	[ -f log/heartbeat.pid ] && kill "$(cat log/heartbeat.pid)" 2>/dev/null || true
	rm -f log/heartbeat.pid
}
trap cleanup EXIT INT TERM
../bin/heatd -c heat.toml
