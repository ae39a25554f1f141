#!/bin/sh
# Runs the end-to-end tests: needs the dev server ready and the sample data. When seed fails, this never runs;
# syncctl exits 122 and says why: e2e cannot start: seed failed ("exit 3"), via seed -> e2e.
exec syncctl run e2e --after dev-server --after seed -- sh -c '
    echo "playwright test"
    sleep 2
'
