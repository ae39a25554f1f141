#!/bin/sh
# Migrates the development database: needs the dependencies and the database ready. Each step sets the unit's note
# (`syncctl note`, shown by sync-top and `syncctl status`); `run` gives the command its unit's name in SYNC_UNIT.
exec syncctl run db-migrate --after deps-install --after db -- sh -c '
    echo "Running 14 migrations"
    for step in $(seq 14); do
        syncctl note "$SYNC_UNIT" "migrating $step/14"
        sleep 0.06
    done
    syncctl note "$SYNC_UNIT" "14 migrations applied"
'
