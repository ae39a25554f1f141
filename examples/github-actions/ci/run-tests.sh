#!/usr/bin/env bash
# Runs the tests against the services as the unit `tests`, so that the timeline shows them too. Put your own test
# command in TEST_COMMAND (the workflow's env), e.g. TEST_COMMAND="npm test".
set -euo pipefail
api_port=${API_PORT:-8080}
if [ -n "${TEST_COMMAND:-}" ]; then
    exec syncctl run tests --after api -- bash -c "$TEST_COMMAND"
fi
# A stand-in: asks the API for / and fails unless it answers 200.
exec syncctl run tests --after api -- python3 -c '
import sys, urllib.request
status = urllib.request.urlopen(sys.argv[1], timeout=10).status
print("tests: GET", sys.argv[1], "answered", status)
sys.exit(status != 200)
' "http://127.0.0.1:$api_port/"
