#!/bin/sh
# Starts the editor server, which keeps running. A long-running service completes its unit when it is ready, not
# when it exits. This one shows the verbs, for a service whose readiness only its script knows; a service that says
# it is ready, or answers on a port, needs one line: `syncctl run U --ready CHECK -- …` (db.sh, dev-server.sh).
syncctl want editor-server dotfiles
syncctl start editor-server || exit $?
sleep 300 &                            # stands for the editor server; it outlives this script
sleep 1.5                              # until it answers on its port
syncctl complete editor-server         # ready: dependents may start; the server keeps running
