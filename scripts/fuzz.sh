#!/usr/bin/env bash
# Fuzzes the agent's frame decoder and request handling with libFuzzer (Fuzz/, a package of its own so the main
# build never needs the fuzzer). Each input is the byte stream of one client to a fresh agent; a crash, a sanitizer
# report or a broken promise (a frame the agent sends that is not a reply) stops the run and leaves the input in
# Fuzz/.build/artifacts/.
#
#   scripts/fuzz.sh                   # 1,000,000 inputs
#   scripts/fuzz.sh --runs 100000     # fewer
#   scripts/fuzz.sh --time 600        # for 10 minutes instead
#   scripts/fuzz.sh FILE…             # replay inputs (e.g. a crash) without fuzzing
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"

runs=1000000 seconds=0 replay=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --time) seconds="$2"; runs=-1; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) replay+=("$1"); shift ;;
    esac
done

echo "building the fuzz target (release, -sanitize=fuzzer,address)…"
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -E "error|Build complete" | tail -3
binary=.build/release/FuzzAgent
if [ ${#replay[@]} -gt 0 ]; then
    exec "$binary" "${replay[@]}"
fi

work=.build/corpus artifacts=.build/artifacts
mkdir -p "$work" "$artifacts"
log=.build/fuzz.log
started=$(date +%s)
set +e
"$binary" -dict=agent.dict -max_len=4096 -runs="$runs" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work" corpus >"$log" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - started ))
executed=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}')
crashes=$(find "$artifacts" -type f | wc -l)
echo "fuzz: ${executed:-?} inputs in ${elapsed}s, exit status $status, crash files: $crashes (log: Fuzz/$log)"
grep -E "cov: |corp: " "$log" | tail -1 || true
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    grep -E "ERROR|Fatal error|SUMMARY|==[0-9]+==" "$log" | head -20
    exit 1
fi
