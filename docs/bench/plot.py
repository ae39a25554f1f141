#!/usr/bin/env python3
"""Plots wake-up latency, push vs polling, from the samples sync-bench writes with --samples.

    python3 docs/bench/plot.py docs/bench/samples.json docs/bench/wake-latency.png

Needs matplotlib (pip install matplotlib). The x axis is logarithmic: push wake-ups take tens of microseconds,
polling hundreds of milliseconds.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = [
    ("push_us", "push, agent --ephemeral", "#1f77b4"),
    ("push_journal_us", "push, agent with journal (default)", "#2ca02c"),
    ("poll_us", "polling every 1 s (coder's start)", "#d62728"),
]


def percentile(values, p):
    values = sorted(values)
    rank = p / 100 * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def label_time(us):
    if us >= 1000:
        return f"{us / 1000:.0f} ms" if us >= 10_000 else f"{us / 1000:.1f} ms"
    return f"{us:.0f} µs"


def main(source, target):
    with open(source) as f:
        samples = json.load(f)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    for key, label, color in SERIES:
        values = sorted(samples.get(key, []))
        if not values:
            continue
        n = len(values)
        ax.step(values, [(i + 1) / n for i in range(n)], where="post", color=color, linewidth=2,
                label=f"{label}: p50 {label_time(percentile(values, 50))}, "
                      f"p99 {label_time(percentile(values, 99))} (n={n}, all runs pooled)")
        ax.axvline(percentile(values, 50), color=color, linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("latency from `complete` sent to the waiting `start` released (µs, log scale)")
    ax.set_ylabel("fraction of wake-ups at or below")
    ax.set_ylim(0, 1.02)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title("sync-agent wake-up latency: push vs polling (2 cores)")
    ax.legend(loc="lower right", fontsize=8.5)
    fig.tight_layout()
    fig.savefig(target)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/bench/samples.json",
         sys.argv[2] if len(sys.argv) > 2 else "docs/bench/wake-latency.png")
