#!/usr/bin/env bash
# Load test: many concurrent clients against the real sync-agent (with its journal), on a private Unix socket.
# Each client runs ROUNDS × (want, start, complete) on units of its own, each unit waiting for its neighbour's unit
# of the round before. The run checks that every request succeeds, that the final graph is exactly what was asked
# (and the same after a restart from the journal), that no wait is left, and that the agent's file descriptors
# come back to what they were; it stops by itself (TIMEOUT) and prints the figures as LOAD lines.
#
#   scripts/load-test.sh                      # 1,000 clients × 100 rounds (300,000 requests), debug build
#   scripts/load-test.sh --release            # the same against release binaries (builds them first)
#   scripts/load-test.sh --clients 200 --rounds 20 --timeout 60
set -euo pipefail
cd "$(dirname "$0")/.."

clients=1000 rounds=100 timeout=600 configuration=debug
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) clients="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --release) configuration=release; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

# Each client holds a connection and a reader thread in the test process; the agent lifts its own limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "load test: $clients clients × $rounds rounds ($((clients * rounds * 3)) requests), $configuration build, timeout ${timeout}s"
swift build -c "$configuration" --build-tests 2>&1 | grep -E "error|Compiling|Build complete" | tail -3
SYNC_LOAD_CLIENTS="$clients" SYNC_LOAD_ROUNDS="$rounds" SYNC_LOAD_TIMEOUT="$timeout" \
    swift test -c "$configuration" --skip-build --filter 'LoadTests' 2>&1 \
    | grep -E '^LOAD |✘|Test run with' | sed 's/^LOAD /  /'
