#!/bin/sh
# Migrates the development database. In this demo the database is not up, so the step fails: watch sync-top show it
# in red with its reason, and the dev server that needs it skipped with the whole chain.
exec syncctl run db-migrate --after deps-install -- sh -c '
    echo "Running 14 migrations"
    sleep 1
    echo "error: connect ECONNREFUSED 127.0.0.1:5432" >&2
    exit 2
'
