#!/bin/sh
# smoke's entrypoint: runs the container's command (smoke.py against web) once web is ready.
exec syncctl run smoke --after web -- "$@"
