#!/usr/bin/env bash
# Starts the services the tests need, each in the background under `syncctl run`, and returns at once; the next
# step waits for them with `syncctl wait --all`. Each service is a stand-in: put your own command in its variable
# (the workflow's env), e.g. API_COMMAND="npm start": a command line, which bash runs in its own place when it is
# one command (so that the service is what `syncctl run` supervises and stops).
#
#   deps ──────────────┐
#   db (ready: TCP) ───┴──► api (ready: answers over http)
set -euo pipefail
logs=${SERVICE_LOGS:-${RUNNER_TEMP:-/tmp}/services}
db_port=${DB_PORT:-5432}
api_port=${API_PORT:-8080}
deps_command=${DEPS_COMMAND:-echo "no dependencies to install"}
db_command=${DB_COMMAND:-python3 -m http.server $db_port --bind 127.0.0.1}
api_command=${API_COMMAND:-python3 -m http.server $api_port --bind 127.0.0.1}
mkdir -p "$logs"

# The graph first, before anything runs: `want` registers each unit that needs another, so that `syncctl wait
# --all` knows every unit even before the background lines below reach the agent (a unit with no dependencies,
# like db, is covered by what waits for it).
syncctl want api db deps

nohup syncctl run deps -- bash -c "$deps_command" >"$logs/deps.log" 2>&1 &
nohup syncctl run db --ready "tcp:127.0.0.1:$db_port" -- bash -c "$db_command" >"$logs/db.log" 2>&1 &
nohup syncctl run api --after db --after deps --ready "http://127.0.0.1:$api_port/" -- bash -c "$api_command" \
    >"$logs/api.log" 2>&1 &
echo "services starting; their output goes to $logs"
