#!/bin/sh
# Starts the web app's dev server: a service, which needs the dependencies and the migrated database. Its unit
# completes when it answers over http, not when it exits (it never does): `--ready http://…` probes it from the
# moment it starts, a few milliseconds apart at first, so e2e may start with its first answer. Like a real dev
# server, it bundles the app before it listens; `exec` makes the server the command that run supervises and stops.
here=$(dirname "$0")
port=$(python3 "$here/free-port.py")           # a free loopback port: two demos at once do not collide
exec syncctl run dev-server --after deps-install --after db-migrate --ready "http://127.0.0.1:$port/" -- sh -c '
    echo "Bundling the web app"
    sleep 1.5
    exec python3 -u -m http.server "$1" --bind 127.0.0.1 --directory "$2"
' dev-server "$port" "$here"
