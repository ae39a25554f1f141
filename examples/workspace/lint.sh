#!/bin/sh
# Warms the linter's cache: needs the dependencies, nothing needs it.
exec syncctl run lint --after deps-install -- sh -c '
    echo "eslint --cache ."
    sleep 1.5
'
