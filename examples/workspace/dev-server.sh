#!/bin/sh
# Starts the web app's dev server: needs the dependencies and the migrated database. When db-migrate fails, this
# never runs; syncctl exits 122 and says why: dev-server cannot start: db-migrate failed ("exit 2").
exec syncctl run dev-server --after deps-install --after db-migrate -- sh -c '
    echo "Listening on http://localhost:3000"
    sleep 2
'
