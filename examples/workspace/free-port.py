#!/usr/bin/env python3
"""Prints a TCP port free on 127.0.0.1, for a demo service to listen on (dev-server.sh).

The port is picked at random below the kernel's ephemeral range (net.ipv4.ip_local_port_range), where outgoing
connections never take their ports, and it is checked by binding it. A port of the kernel's own choosing (bind to
port 0) would do too, but an outgoing connection may take it before the service starts; and two demos running at
once each pick their own port, colliding only if they draw the same one of thousands.
"""
import random
import socket


def bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def main():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            ephemeral = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    if ephemeral > 12000:
        for port in random.sample(range(10000, ephemeral), 50):
            if bindable(port):
                print(port)
                return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:  # a crowded machine: the kernel's choice
        probe.bind(("127.0.0.1", 0))
        print(probe.getsockname()[1])


main()
