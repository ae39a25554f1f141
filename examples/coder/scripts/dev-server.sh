#!/usr/bin/env bash
# coder_script "Dev server": a service, which never exits. `syncctl run --ready http://…` completes its unit the
# moment the server answers (what waits for it starts then) and keeps supervising it. coder counts the workspace as
# started when its scripts have ended, so the service runs in the background (nohup, its output in a log) and the
# script waits until it is ready: it exits 0 then, 122 if the server or something it needs failed.
set -u
export REPO_DIR=${REPO_DIR:-$HOME/project}
export DEV_SERVER_PORT=${DEV_SERVER_PORT:-3000}
log=${DEV_SERVER_LOG:-/tmp/dev-server.log}

nohup syncctl run dev-server --after deps-install --ready "http://127.0.0.1:$DEV_SERVER_PORT/" -- bash -c '
    cd "$REPO_DIR" || exit
    if [ -f package.json ]; then
        exec npm run dev -- --port "$DEV_SERVER_PORT"                        # put your own dev server here
    fi
    exec python3 -m http.server "$DEV_SERVER_PORT" --bind 127.0.0.1         # a stand-in: serves the files
' >"$log" 2>&1 &
echo "dev-server: starting in the background; its output goes to $log"
syncctl wait dev-server --timeout 10m
