#!/usr/bin/env bash
# Makes the README's screenshots from a real run of `sync-top --demo`: the program runs in tmux at 120x35, its screen
# is captured with colours (tmux capture-pane -e) and drawn into a PNG by scripts/render-ansi.py, the renderer of
# scripts/record-demo.sh, so the screenshots and the recording look the same.
# Needs: tmux, python3 with Pillow (`pip install pillow`; PyPI), DejaVu Sans Mono (Debian: fonts-dejavu-core).
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
session=shots-$$
work=$(mktemp -d)
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT

swift build --product sync-top
swift build --product syncctl          # the demo's scripts call it; it must sit beside sync-top
tmux new-session -d -s "$session" -x 120 -y 35 "TERM=xterm-256color LANG=C.UTF-8 $PWD/.build/debug/sync-top --demo"

# capture NAME: the pane as it is now -> $out/NAME.png
capture() {
    tmux capture-pane -p -e -t "$session" > "$work/$1.ans"
    python3 scripts/render-ansi.py png "$work/$1.ans" "$out/$1.png"
    echo "wrote $out/$1.png"
}

sleep 3.8; capture units-running        # mid start-up: db recovering (its STATUS= as its note), claude and
                                        # deps-install running, the rest waiting
sleep 8;   capture units-failure        # settled: the failed seed pinned first, e2e skipped with the chain, the
                                        # services db and dev-server ready and running
tmux send-keys -t "$session" Tab; sleep 0.5; capture tree
tmux send-keys -t "$session" Tab; sleep 0.5; capture timeline
tmux send-keys -t "$session" '?'; sleep 0.5; capture help
tmux send-keys -t "$session" Escape q
for _ in $(seq 50); do tmux has-session -t "$session" 2>/dev/null || break; sleep 0.1; done
