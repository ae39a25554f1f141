#!/usr/bin/env bash
# Makes the README's screenshots from a real run of `sync-top --demo`: the program runs in tmux at 120x35, its screen
# is captured with colours (tmux capture-pane -e), turned into HTML (scripts/ansi2html.py) and photographed by
# headless Chromium. Needs: tmux, python3, chromium and a monospace font with box drawing (fonts-dejavu-core), all
# from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
work=$(mktemp -d)
trap 'tmux kill-session -t shots 2>/dev/null || true; rm -rf "$work"' EXIT

swift build
tmux kill-session -t shots 2>/dev/null || true
tmux new-session -d -s shots -x 120 -y 35 \
    "TERM=xterm-256color LANG=C.UTF-8 $PWD/.build/debug/sync-top --demo; sleep 30"

# capture NAME: the pane as it is now -> $out/NAME.png
capture() {
    tmux capture-pane -p -e -t shots > "$work/$1.ans"
    python3 scripts/ansi2html.py < "$work/$1.ans" > "$work/$1.html"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1040,630 \
        --screenshot="$PWD/$out/$1.png" "file://$work/$1.html" 2>/dev/null
    echo "wrote $out/$1.png"
}

sleep 3.8; capture units-running        # mid start-up: claude and deps-install running, others waiting
sleep 8;   capture units-failure        # settled: the failed migration pinned first, dev-server skipped with the chain
tmux send-keys -t shots Tab; sleep 0.5; capture tree
tmux send-keys -t shots Tab; sleep 0.5; capture timeline
tmux send-keys -t shots '?'; sleep 0.5; capture help
tmux send-keys -t shots Escape q
