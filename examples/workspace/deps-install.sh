#!/bin/sh
# Installs the project's dependencies: needs the source. If the install fails, `run` marks the unit failed with its
# exit status, and every unit waiting for it - directly or through a chain - is released at once with the cause.
exec syncctl run deps-install --after git-clone -- sh -c '
    echo "npm ci"
    sleep 3
    echo "added 1289 packages in 3s"
'
