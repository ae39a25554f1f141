#!/bin/sh
# Starts the editor server, which keeps running. A long-running service completes its unit when it is ready, not
# when it exits, so this script uses the verbs directly instead of `syncctl run`.
syncctl want editor-server dotfiles
syncctl start editor-server || exit $?
sleep 300 &                            # stands for the editor server; it outlives this script
sleep 1.5                              # until it answers on its port
syncctl complete editor-server         # ready: dependents may start; the server keeps running
