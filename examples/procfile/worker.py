#!/usr/bin/env python3
"""A stand-in background worker: says it is ready (start.sh waits for that line), then waits for jobs."""
import time

print("worker ready", flush=True)
while True:
    time.sleep(3600)
