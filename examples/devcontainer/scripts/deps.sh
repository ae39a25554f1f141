#!/usr/bin/env bash
# postStartCommand "deps": installs the project's dependencies (in the workspace folder, where the dev container
# runs its commands). `syncctl run` reports how it ended: the web server waits for it, and does not start if it fails.
exec syncctl run deps -- bash -c '
    if [ -f package-lock.json ]; then
        exec npm ci                                     # put your own install here
    fi
    echo "deps: no package-lock.json; nothing to install"
'
