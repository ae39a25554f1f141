#!/bin/sh
# Clones the project. Everything that needs the source declares `--after git-clone`.
# `syncctl run` registers the unit, waits for its dependencies (none here), runs the command, and marks the unit
# completed (exit 0) or failed with the exit status - no exit trap needed.
exec syncctl run git-clone -- sh -c '
    echo "Cloning into /workspace/shop..."
    sleep 2.5
    echo "HEAD is now at 4f2a9c1 Merge pull request #812"
'
