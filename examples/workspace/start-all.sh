#!/bin/sh
# Starts every script of the workspace at once, the way a workspace agent starts its start-up scripts.
# Nothing here orders them: each script says what it waits for, and sync-agent wakes it when it may run.
#
#   sh examples/workspace/start-all.sh   # the first syncctl call starts an agent if none answers
#   (or: sync-top --demo, which runs an agent and this file for you)
#
# With SYNC_DEMO_LOGS set, each script's output goes to $SYNC_DEMO_LOGS/<script>.log.
cd "$(dirname "$0")" || exit 1
for script in claude e2e dev-server seed db-migrate db lint deps-install editor-server personalize dotfiles \
    git-clone; do
    if [ -n "$SYNC_DEMO_LOGS" ]; then
        sh "./$script.sh" >"$SYNC_DEMO_LOGS/$script.log" 2>&1 &
    else
        sh "./$script.sh" 2>&1 | sed "s/^/[$script] /" &
    fi
done
wait
