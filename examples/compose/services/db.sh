#!/bin/sh
# db's entrypoint: runs the container's command (PostgreSQL: docker-entrypoint.sh postgres) as the service db,
# which is ready when it accepts TCP connections on its port. While the image initialises its data directory, its
# temporary server listens on no TCP port, so db is ready only once the real server is.
exec syncctl run db --ready "tcp:127.0.0.1:${PGPORT:-5432}" -- "$@"
