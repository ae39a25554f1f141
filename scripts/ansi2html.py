#!/usr/bin/env python3
"""Turns a `tmux capture-pane -p -e` capture (ANSI SGR escapes) into an HTML page, for screenshots.

Handles what sync-top uses: bold, dim, underline, reverse, the 8/16 standard colours, 256 colours and the default
colours. Reverse video swaps foreground and background, as a terminal does (aha leaves it unreadable).
Usage: ansi2html.py < capture.ans > capture.html
"""
import html
import re
import sys

PALETTE = ["#1e1e1e", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#e5e5e5",
           "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def colour256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    grey = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (grey, grey, grey)


def apply(state, params):
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, dim=False, under=False, rev=False)
        elif c == 1: state["bold"] = True
        elif c == 2: state["dim"] = True
        elif c == 4: state["under"] = True
        elif c == 7: state["rev"] = True
        elif c == 22: state.update(bold=False, dim=False)
        elif c == 24: state["under"] = False
        elif c == 27: state["rev"] = False
        elif 30 <= c <= 37: state["fg"] = PALETTE[c - 30]
        elif 90 <= c <= 97: state["fg"] = PALETTE[c - 90 + 8]
        elif c == 39: state["fg"] = None
        elif 40 <= c <= 47: state["bg"] = PALETTE[c - 40]
        elif 100 <= c <= 107: state["bg"] = PALETTE[c - 100 + 8]
        elif c == 49: state["bg"] = None
        elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
            state["fg" if c == 38 else "bg"] = colour256(codes[i + 2])
            i += 2
        i += 1


def style(state):
    fg, bg = state["fg"] or FG, state["bg"] or BG
    if state["rev"]:
        fg, bg = bg, fg
    parts = ["color:" + fg]
    if bg != BG:
        parts.append("background:" + bg)
    if state["bold"]:
        parts.append("font-weight:bold")
    if state["dim"]:
        parts.append("opacity:0.6")
    if state["under"]:
        parts.append("text-decoration:underline")
    return ";".join(parts)


def convert(text):
    state = dict(fg=None, bg=None, bold=False, dim=False, under=False, rev=False)
    out = []
    for piece in re.split(r"(\x1b\[[0-9;]*m)", text):
        if piece.startswith("\x1b["):
            apply(state, piece[2:-1])
        elif piece:
            out.append('<span style="%s">%s</span>' % (style(state), html.escape(piece)))
    return "".join(out)


body = convert(sys.stdin.read())
print('<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
      'body{margin:0;background:%s}pre{margin:0;padding:12px 14px;font-family:"DejaVu Sans Mono",monospace;'
      'font-size:14px;line-height:17px}</style></head><body><pre>%s</pre></body></html>' % (BG, body))
