#!/usr/bin/env bash
# postStartCommand "web": the app's dev server, a service. It starts once deps completed, and its unit completes
# the moment it answers over http. The dev container waits for every postStartCommand to end, so the server runs
# in the background (nohup, its output in a log) and this script ends when it is ready: 0, or 122 if it (or deps)
# failed.
set -u
export APP_PORT=${APP_PORT:-8000}
log=${WEB_LOG:-/tmp/web.log}

nohup syncctl run web --after deps --ready "http://127.0.0.1:$APP_PORT/" -- bash -c '
    if [ -f package.json ]; then
        exec npm run dev -- --port "$APP_PORT"                                 # put your own dev server here
    fi
    exec python3 -m http.server "$APP_PORT" --bind 127.0.0.1                  # a stand-in: serves the files
' >"$log" 2>&1 &
echo "web: starting in the background; its output goes to $log"
syncctl wait web --timeout 10m
