#!/bin/sh
# Starts the development database: a service, which keeps running; its unit completes when the database says it is
# ready, not when it exits. `--ready notify` hands db-server.sh a private socket in NOTIFY_SOCKET: its STATUS= lines
# become db's note in sync-top, and its READY=1 completes db, which releases db-migrate at once - no port polled.
# A real PostgreSQL speaks the same protocol: syncctl run db --ready notify -- postgres -D "$PGDATA"
exec syncctl run db --ready notify -- sh "$(dirname "$0")/db-server.sh"
