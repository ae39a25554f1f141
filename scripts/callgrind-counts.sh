#!/usr/bin/env bash
# Instruction counts of the hot paths under valgrind's callgrind, compared with the counts committed in
# docs/BENCHMARKS.md (the table between the `callgrind-counts` markers): a count above its committed value by more
# than the row's tolerance is a regression, and the script exits 1. Counts do not depend on the machine's load.
#
#   scripts/callgrind-counts.sh                  count every case with the release build in .build/release
#   scripts/callgrind-counts.sh --build          build it first (scripts/build-release.sh)
#   scripts/callgrind-counts.sh --case want      only these cases (repeatable)
#   scripts/callgrind-counts.sh --bin-dir DIR    the sync-bench to count (default: .build/release)
#   scripts/callgrind-counts.sh --print          only print the counts (`CASE COUNT` lines), compare nothing
#   scripts/callgrind-counts.sh --measured FILE  compare the `CASE COUNT` lines of FILE instead of counting
#   scripts/callgrind-counts.sh --expected FILE  the Markdown file with the committed table (default above)
#
# Each case runs `sync-bench --count CASE` (see Sources/sync-bench/InstructionCount.swift) with collection only
# inside its measured function; the count is per iteration. The case `syncctl-complete` counts a whole `syncctl
# complete` process instead, from exec to exit, against an ephemeral sync-agent the script starts (both from the
# same folder); `syncctl complete` runs on one thread, which valgrind 3.19 can follow.
# SWIFT_DETERMINISTIC_HASHING=1 makes dictionary order, and so the work, the same from run to run.
# Exit status: 0 all within tolerance (or --print), 1 a regression, 2 a case could not be counted or a usage error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Paths given are relative to where the script is called from.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

bin_dir=$root/.build/release
expected=$root/docs/BENCHMARKS.md
measured=""
build=0
print_only=0
cases=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bin-dir) bin_dir=$(absolute "$2"); shift 2 ;;
        --expected) expected=$(absolute "$2"); shift 2 ;;
        --measured) measured=$(absolute "$2"); shift 2 ;;
        --case) cases+=("$2"); shift 2 ;;
        --build) build=1; shift ;;
        --print) print_only=1; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "callgrind-counts: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# The committed table: `| \`CASE\` | COUNT | TOLERANCE % | what |` rows between the markers.
committed() {
    awk '/<!-- callgrind-counts -->/ { on = 1; next } /<!-- \/callgrind-counts -->/ { on = 0 }
        on && /^\| `/ {
            split($0, cell, "|"); name = cell[2]; count = cell[3]; tolerance = cell[4]
            gsub(/[` ]/, "", name); gsub(/[, ]/, "", count); gsub(/[% ]/, "", tolerance)
            print name, count, tolerance
        }' "$expected"
}

if [ "$print_only" -eq 0 ]; then
    [ -f "$expected" ] || { echo "callgrind-counts: $expected not found" >&2; exit 2; }
    table=$(committed)
    [ -n "$table" ] || { echo "callgrind-counts: no counts between the callgrind-counts markers in $expected" >&2; exit 2; }
    if [ ${#cases[@]} -eq 0 ]; then
        mapfile -t cases < <(echo "$table" | awk '{ print $1 }')
    fi
elif [ ${#cases[@]} -eq 0 ]; then
    cases=(want complete-1 complete-1000 fanout-0 fanout-10 top-frame-1000 syncctl-complete)
fi

work=$(mktemp -d /tmp/cgcount-XXXXXX)
trap 'rm -rf "$work"' EXIT

# The total of a callgrind output file (its `totals:` line, or `summary:`).
total() { awk '/^(totals|summary):/ { print $2; exit }' "$1"; }

count_in_process() {
    local name="$1" out="$work/$1.out"
    SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
        --toggle-collect='*callgrindMeasuredStep*' "$work/sync-bench" --count "$name" \
        >"$work/$name.stdout" 2>"$work/$name.log" || { echo "callgrind-counts: $name failed:" >&2; tail -5 "$work/$name.log" >&2; return 1; }
    local iterations
    iterations=$(awk -v n="$name" '$1 == n && $2 == "iterations" { print $3 }' "$work/$name.stdout")
    [ -n "$iterations" ] || { echo "callgrind-counts: $name printed no iteration count" >&2; return 1; }
    echo $(( $(total "$out") / iterations ))
}

# `syncctl complete` from exec to exit (user-space instructions of the whole process, dynamic loader included):
# an ephemeral agent on a private socket, a unit started, then the counted call that completes it (autostart off:
# a call made before the agent listens must not start a second agent on that socket).
count_process() {
    local out="$work/syncctl-complete.out" socket="$work/agent.sock"
    [ -x "$bin_dir/syncctl" ] && [ -x "$bin_dir/sync-agent" ] || {
        echo "callgrind-counts: syncctl-complete needs syncctl and sync-agent in $bin_dir" >&2; return 1; }
    strip --strip-debug -o "$work/syncctl" "$bin_dir/syncctl"
    "$bin_dir/sync-agent" --ephemeral --socket-path "$socket" 2>"$work/agent.log" &
    local agent=$!
    local tries=0
    until SYNC_AGENT_SOCKET_PATH="$socket" SYNC_AGENT_AUTOSTART=0 "$bin_dir/syncctl" start counted >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 500 ] && kill -0 "$agent" 2>/dev/null || {
            echo "callgrind-counts: the agent for syncctl-complete did not start:" >&2; tail -5 "$work/agent.log" >&2
            kill "$agent" 2>/dev/null; return 1; }
        sleep 0.01
    done
    local status=0
    SYNC_AGENT_SOCKET_PATH="$socket" SYNC_AGENT_AUTOSTART=0 SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind \
        --callgrind-out-file="$out" "$work/syncctl" complete counted >"$work/syncctl-complete.stdout" \
        2>"$work/syncctl-complete.log" || status=$?
    kill "$agent" 2>/dev/null
    wait "$agent" 2>/dev/null || true
    [ "$status" -eq 0 ] && grep -qx Success "$work/syncctl-complete.stdout" || {
        echo "callgrind-counts: syncctl-complete failed (exit $status):" >&2; tail -5 "$work/syncctl-complete.log" >&2
        return 1; }
    total "$out"
}

if [ -z "$measured" ]; then
    command -v valgrind >/dev/null || { echo "callgrind-counts: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
    if [ "$build" -eq 1 ]; then (cd "$root" && scripts/build-release.sh >&2); fi
    [ -x "$bin_dir/sync-bench" ] || { echo "callgrind-counts: $bin_dir/sync-bench not found; build it (--build) or pass --bin-dir" >&2; exit 2; }
    # Valgrind 3.19 cannot read the toolchain's DWARF 5 ("possibly corrupted debuginfo file"): a copy without debug
    # information, its symbol table kept (the function names callgrind needs).
    strip --strip-debug -o "$work/sync-bench" "$bin_dir/sync-bench"
    measured="$work/measured"
    : >"$measured"
    for name in "${cases[@]}"; do
        if [ "$name" = syncctl-complete ]; then
            value=$(count_process) || exit 2
        else
            value=$(count_in_process "$name") || exit 2
        fi
        echo "$name $value" >>"$measured"
        echo "counted $name: $value" >&2
    done
fi

if [ "$print_only" -eq 1 ]; then
    cat "$measured"
    exit 0
fi

# Compare: case, committed, measured, change, verdict. Exit 1 on any regression, 2 on a case not measured.
status=0
printf '%-18s %14s %14s %9s  %s\n' case committed measured change verdict
for name in "${cases[@]}"; do
    line=$(echo "$table" | awk -v n="$name" '$1 == n')
    [ -n "$line" ] || { echo "callgrind-counts: $name has no committed count in $expected" >&2; status=2; continue; }
    read -r _ want tolerance <<<"$line"
    got=$(awk -v n="$name" '$1 == n { print $2 }' "$measured")
    if [ -z "$got" ]; then
        printf '%-18s %14s %14s %9s  %s\n' "$name" "$want" "-" "-" "NOT MEASURED"
        status=2
        continue
    fi
    verdict=$(awk -v w="$want" -v g="$got" -v t="$tolerance" 'BEGIN {
        change = (g - w) * 100 / w
        if (change > t) v = "REGRESSION (over +" t " %)"
        else if (change < -t) v = "better (under -" t " %: update the table)"
        else v = "ok (within " t " %)"
        printf "%+.2f%% %s", change, v }')
    printf '%-18s %14s %14s %9s  %s\n' "$name" "$want" "$got" "${verdict%% *}" "${verdict#* }"
    case "$verdict" in *REGRESSION*) [ "$status" -eq 0 ] && status=1 ;; esac
done
exit "$status"
