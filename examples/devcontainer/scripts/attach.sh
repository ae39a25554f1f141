#!/usr/bin/env bash
# postAttachCommand: runs each time an editor attaches. It waits until the start-up is done (at once when it is),
# then says where the app is; if something failed, syncctl names it and the chain that led there.
syncctl wait deps web --timeout 10m || exit
syncctl list
echo "The app answers at http://localhost:${APP_PORT:-8000}/ (sync-top shows how the start-up went)"
