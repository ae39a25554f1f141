#!/bin/sh
# web's entrypoint: runs the container's command (the app server) once the schema is in; web is ready when it
# answers over http, which starts smoke.
exec syncctl run web --after migrate --ready "http://127.0.0.1:${PORT:-8000}/" -- "$@"
