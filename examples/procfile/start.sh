#!/usr/bin/env bash
# A Procfile in shell: one `syncctl run` line a process, all started at once, each waiting for what it needs
# (--after) and saying when it is ready (--ready). Output is prefixed with the process's name, as foreman does.
# Watch it with sync-top in another terminal; Ctrl-C or SIGTERM stops every process.
#
#   db (ready: TCP) ──┬──► migrate ──► web (ready: answers over http)
#                     └──► worker (ready: prints "worker ready")
#   assets
#
# The commands are stand-ins (python3); put yours in their place.
set -u
cd "$(dirname "$0")" || exit
db_port=${DB_PORT:-5432}
web_port=${WEB_PORT:-8000}

proc() {            # proc NAME ARGUMENTS…: `syncctl run NAME ARGUMENTS…` in the background, its output prefixed
    local name=$1
    shift
    syncctl run "$name" "$@" > >(sed -u "s/^/$(printf '%-8s' "$name")| /") 2>&1 &
}

trap 'kill $(jobs -p) 2>/dev/null; wait; exit 143' TERM
trap 'kill $(jobs -p) 2>/dev/null; wait; exit 130' INT

proc db      --ready "tcp:127.0.0.1:$db_port" -- python3 -m http.server "$db_port" --bind 127.0.0.1
proc migrate --after db -- python3 -c 'print("applying 3 migrations"); print("schema is up to date")'
proc web     --after migrate --ready "http://127.0.0.1:$web_port/" -- python3 -m http.server "$web_port" -b 127.0.0.1
proc worker  --after db --ready 'log:worker ready' -- python3 -u worker.py
proc assets  -- python3 -c 'print("assets: bundled 12 files")'

wait
