#!/bin/sh
# Stands for a database server that recovers before it accepts connections (the demo has no real database). It
# speaks the sd_notify protocol, as PostgreSQL does: STATUS= lines while it starts, READY=1 once it accepts
# connections. It sends them with systemd-notify where that is installed, else with sd-notify.py beside this file.
here=$(dirname "$0")
notify() {
    if command -v systemd-notify >/dev/null 2>&1; then
        systemd-notify "$@"
    else
        python3 "$here/sd-notify.py" "$@"
    fi
}
echo "db: starting; data directory /workspace/shop/.data"
notify STATUS="checking the data directory"
sleep 0.7
for segment in 1 2 3 4 5 6; do
    notify STATUS="recovering: replaying WAL segment $segment/6"
    sleep 0.9
done
notify READY=1 STATUS="accepting connections"
echo "db: ready to accept connections"
exec sleep 86400        # stands for the server's main loop; the end of the demo stops it (SIGTERM)
