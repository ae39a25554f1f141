#!/usr/bin/env python3
"""Key press to redrawn screen in a real terminal: sync-top in tmux with 10,000 units and 1,000 events a second.

    scripts/top-key-tmux.py [--bin-dir .build/release] [--units 10000] [--rate 1000] [--samples 200] [--view tree]

Starts an ephemeral sync-agent, builds the tree of sync-bench's top groups (unit i wants unit (i-1)/2, all
completed), runs sync-top in a detached 120x35 tmux session, and streams `start`/`complete` of the units in turn
at --rate events a second from a thread of this script. It switches to --view (1 units, 2 tree) and then, per
sample, sends Down or Up with `tmux send-keys` and polls `tmux capture-pane -p` until the unit on the cursor's
line has changed; the time from just before send-keys to the capture that shows it is the sample. It includes
tmux's own work (send-keys, reading sync-top's output, capture-pane), so it is an upper bound of sync-top's part.
Prints the percentiles in ms, and sync-top's CPU over the sampling (utime+stime from /proc).
"""
import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

POINTERS = ("\u25b8", ">")  # the cursor's pointer in column 0 (Unicode and ASCII themes)


def frame(request_id, body):
    body = dict(body)
    body["id"] = request_id
    return (json.dumps(body, separators=(",", ":")) + "\n").encode()


class Agent:
    def __init__(self, bin_dir, directory):
        self.path = os.path.join(directory, "s")
        self.process = subprocess.Popen(
            [os.path.join(bin_dir, "sync-agent"), "--ephemeral", "--socket-path", self.path],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):
            if os.path.exists(self.path):
                break
            time.sleep(0.01)

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.path)
        sock.sendall(frame(0, {"type": "hello", "version": 1, "client": "top-key-tmux"}))
        return sock

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def drain(sock, stop, until=None):
    """Reads and drops what the agent sends until `stop` is set or the connection ends; with `until` (bytes), also
    returns once those bytes have arrived. Waits with select, so the socket stays blocking for the sending thread."""
    seen = b""
    while not stop.is_set():
        readable, _, _ = select.select([sock], [], [], 0.2)
        if not readable:
            continue
        try:
            data = sock.recv(1 << 16)
        except OSError:
            return
        if not data:
            return
        if until is not None:
            seen = (seen + data)[-4096:]
            if until in seen:
                return


def build(agent, units):
    sock = agent.connect()
    requests = []
    for i in range(units):
        if i > 0:
            requests.append({"type": "want", "unit": f"top-{i}", "depends_on": [f"top-{(i - 1) // 2}"]})
        requests.append({"type": "start", "unit": f"top-{i}", "wait": False})
        requests.append({"type": "complete", "unit": f"top-{i}"})
    requests.append({"type": "ping"})
    last = len(requests)
    payload = b"".join(frame(n + 1, r) for n, r in enumerate(requests))
    stop = threading.Event()
    # The reply to the last request means all were answered: the agent answers a connection's requests in order.
    reader = threading.Thread(target=drain, args=(sock, stop, b'{"id":%d,' % last))
    reader.start()
    sock.sendall(payload)
    reader.join(timeout=300)
    if reader.is_alive():
        stop.set()
        reader.join()
        sys.exit("top-key-tmux: the agent did not answer the %d requests building the graph in 300 s" % last)
    sock.close()


def stream(agent, units, rate, stop):
    sock = agent.connect()
    reader = threading.Thread(target=drain, args=(sock, stop))
    reader.start()
    sent = 0
    began = time.monotonic()
    while not stop.is_set():
        unit = f"top-{(sent // 2) % units}"
        body = {"type": "start", "unit": unit, "wait": False} if sent % 2 == 0 else {"type": "complete", "unit": unit}
        sock.sendall(frame(sent + 10, body))
        sent += 1
        delay = began + sent / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    reader.join()
    sock.close()
    return sent


def tmux(*args):
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def selected_unit(session):
    """The name of the unit on the cursor's line (the line starting with the pointer), or None when none shows.
    The name, not the line's row: a Down at the bottom of the list scrolls it and leaves the pointer on its row,
    and the units view may move the selected unit's row when another unit's status re-sorts the list."""
    for line in tmux("capture-pane", "-p", "-t", session).split("\n"):
        if line.startswith(POINTERS):
            for word in line.split():
                if word.startswith("top-"):
                    return word
            return None
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=".build/release")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--view", default="tree", choices=["units", "tree"])
    options = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("top-key-tmux: needs tmux")
    directory = tempfile.mkdtemp(prefix="top-key-")
    agent = Agent(options.bin_dir, directory)
    session = f"top-key-{os.getpid()}"
    stop = threading.Event()
    loader = None
    try:
        build(agent, options.units)
        top = os.path.join(options.bin_dir, "sync-top")
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "35",
             f"exec env TERM=xterm-256color {top} --socket-path {agent.path}")
        time.sleep(2)
        loader = threading.Thread(target=stream, args=(agent, options.units, options.rate, stop))
        loader.start()
        tmux("send-keys", "-t", session, "2" if options.view == "tree" else "1")
        time.sleep(1)
        top_pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip())
        cpu_before, wall_before = cpu_seconds(top_pid), time.monotonic()
        samples = []
        for sample in range(options.samples):
            before = selected_unit(session)
            key = "Down" if sample % 2 == 0 else "Up"
            began = time.monotonic()
            tmux("send-keys", "-t", session, key)
            while True:
                unit = selected_unit(session)
                if unit is not None and unit != before:
                    break
                if time.monotonic() - began > 5:
                    sys.exit(f"top-key-tmux: the cursor did not move in 5 s (sample {sample})")
            samples.append((time.monotonic() - began) * 1000)
            time.sleep(0.05)
        cpu = (cpu_seconds(top_pid) - cpu_before) / (time.monotonic() - wall_before) * 100
        print(f"view {options.view}, {options.units} units, {options.rate:g} events/s, {len(samples)} keys: "
              f"p50 {percentile(samples, 50):.1f} ms, p90 {percentile(samples, 90):.1f} ms, "
              f"p99 {percentile(samples, 99):.1f} ms, max {max(samples):.1f} ms; sync-top CPU {cpu:.1f} %")
    finally:
        stop.set()
        if loader:
            loader.join()
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        agent.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
