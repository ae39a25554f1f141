#!/bin/sh
# Loads sample data into the migrated database. It fails on purpose: watch sync-top show it in red with its reason,
# and e2e, which needs it, skipped with the chain.
exec syncctl run seed --after db-migrate -- sh -c '
    echo "Loading fixtures/users.json"
    sleep 0.8
    echo "error: duplicate key value violates unique constraint \"users_email_key\"" >&2
    exit 3
'
