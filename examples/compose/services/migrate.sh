#!/bin/sh
# migrate's entrypoint: runs the container's command (psql with schema.sql) once db is ready. If it fails, web and
# smoke are released at once, skipped, with the cause; they never run.
exec syncctl run migrate --after db -- "$@"
