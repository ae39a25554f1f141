#!/usr/bin/env bash
# Records the README's animation of the demo's start-up (screenshots/demo.gif) from a real run of `sync-top --demo`:
# the program runs in tmux at 120x35, its screen is captured with colours (tmux capture-pane -e) every ~200 ms with
# the moment of each capture, and scripts/render-ansi.py draws the captures that changed into an animated GIF, each
# frame shown for as long as it really was on screen.
# Needs: tmux, python3 with Pillow (`pip install pillow`; PyPI), DejaVu Sans Mono (Debian: fonts-dejavu-core).
# Usage: scripts/record-demo.sh [OUT.gif]
#   RECORD_SECONDS=14   how long to record (the demo settles in about 10 s; the last frame holds 4 s more)
#   RECORD_FRAMES=DIR   keep the captures in DIR, to draw them again: scripts/render-ansi.py gif DIR OUT.gif
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-screenshots/demo.gif}
seconds=${RECORD_SECONDS:-14}
session=record-demo-$$
work=${RECORD_FRAMES:-$(mktemp -d)}
mkdir -p "$work"
rm -f "$work"/*.ans "$work"/*.ms
trap 'tmux kill-session -t "$session" 2>/dev/null || true; [ -n "${RECORD_FRAMES:-}" ] || rm -rf "$work"' EXIT

swift build --product sync-top
swift build --product syncctl          # the demo's scripts call it; it must sit beside sync-top
tmux new-session -d -s "$session" -x 120 -y 35 "TERM=xterm-256color LANG=C.UTF-8 $PWD/.build/debug/sync-top --demo"

start=$(date +%s%N)
frame=0
while :; do
    now=$(date +%s%N)
    elapsed=$(( (now - start) / 1000000 ))
    [ "$elapsed" -le $(( seconds * 1000 )) ] || break
    name=$(printf '%s/%04d' "$work" "$frame")
    tmux capture-pane -p -e -t "$session" > "$name.ans"
    echo "$elapsed" > "$name.ms"
    frame=$(( frame + 1 ))
    sleep 0.2
done

tmux send-keys -t "$session" q         # quitting stops the demo's agent and every process its scripts started
for _ in $(seq 50); do tmux has-session -t "$session" 2>/dev/null || break; sleep 0.1; done
python3 scripts/render-ansi.py gif "$work" "$out"
