#!/usr/bin/env python3
"""Sends sd_notify assignments to the socket in $NOTIFY_SOCKET, in one datagram, as `systemd-notify` does; for
machines without systemd. Usage: sd-notify.py READY=1 [STATUS=TEXT]...

`syncctl run U --ready notify -- CMD` gives CMD that socket; READY=1 completes U, STATUS= becomes its note.
"""
import os
import socket
import sys

path = os.environ.get("NOTIFY_SOCKET")
if not path:
    sys.exit("sd-notify.py: NOTIFY_SOCKET is not set; run this under `syncctl run UNIT --ready notify -- …`")
if path.startswith("@"):
    path = "\0" + path[1:]  # an abstract socket
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
    sender.connect(path)
    sender.send("\n".join(sys.argv[1:]).encode())
