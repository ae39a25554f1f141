#!/usr/bin/env python3
"""Draws terminal captures (`tmux capture-pane -p -e`: text with ANSI SGR escapes) as images, cell by cell.

Used by scripts/screenshots.sh (one PNG per capture) and scripts/record-demo.sh (an animated GIF of many), so the
screenshots and the recording look the same. No browser: Pillow draws each cell with DejaVu Sans Mono, which has
the box drawing and symbol glyphs sync-top uses.

Needs python3 and Pillow (`pip install pillow`, from PyPI) and the DejaVu fonts (Debian: fonts-dejavu-core).

Handles what sync-top prints: bold, dim, underline, reverse, the 8/16 standard colours, 256 colours, 24-bit colours
and the default colours; attributes carry over line ends, as tmux writes them. Wide (two-cell) characters are not
handled: sync-top prints none.

Usage:
  render-ansi.py png CAPTURE.ans OUT.png
  render-ansi.py gif FRAMES_DIR OUT.gif [--hold SECONDS]
      FRAMES_DIR holds NNNN.ans captures and NNNN.ms (milliseconds since the recording began, when the capture was
      taken). Frames that did not change are dropped; each kept frame shows for its real duration, the last one for
      --hold seconds (default 4).
"""
import glob
import os
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu"]
FONT_SIZE, LINE_HEIGHT, PAD_X, PAD_Y = 14, 17, 14, 12

PALETTE = ["#1e1e1e", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#e5e5e5",
           "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"
DIM = 0.6  # a dim cell's foreground: this much of its colour over the background


def rgb(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def colour256(n):
    if n < 16:
        return rgb(PALETTE[n])
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[n // 6 % 6], steps[n % 6]
    grey = 8 + (n - 232) * 10
    return grey, grey, grey


def find_font(name):
    for folder in FONT_DIRS:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    sys.exit("render-ansi.py: %s not found under %s; install fonts-dejavu-core" % (name, ", ".join(FONT_DIRS)))


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "under", "rev")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.under = self.rev = False

    def copy(self):
        other = Style()
        for key in Style.__slots__:
            setattr(other, key, getattr(self, key))
        return other

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0: self.reset()
            elif c == 1: self.bold = True
            elif c == 2: self.dim = True
            elif c == 4: self.under = True
            elif c == 7: self.rev = True
            elif c == 22: self.bold = self.dim = False
            elif c == 24: self.under = False
            elif c == 27: self.rev = False
            elif 30 <= c <= 37: self.fg = rgb(PALETTE[c - 30])
            elif 90 <= c <= 97: self.fg = rgb(PALETTE[c - 90 + 8])
            elif c == 39: self.fg = None
            elif 40 <= c <= 47: self.bg = rgb(PALETTE[c - 40])
            elif 100 <= c <= 107: self.bg = rgb(PALETTE[c - 100 + 8])
            elif c == 49: self.bg = None
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                setattr(self, "fg" if c == 38 else "bg", colour256(codes[i + 2]))
                i += 2
            elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                setattr(self, "fg" if c == 38 else "bg", tuple(codes[i + 2:i + 5]))
                i += 4
            i += 1

    def colours(self):
        """The cell's (foreground, background) as drawn: reverse swapped, dim blended."""
        fg, bg = self.fg or rgb(FG), self.bg or rgb(BG)
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple(round(f * DIM + b * (1 - DIM)) for f, b in zip(fg, bg))
        return fg, bg


def parse(text, columns, rows):
    """The capture as rows of (character, Style) cells; missing cells are blank in the default style."""
    grid = [[(" ", Style())] * columns for _ in range(rows)]
    style = Style()
    for row, line in enumerate(text.split("\n")[:rows]):
        column = 0
        for piece in re.split(r"(\x1b\[[0-9;]*m)", line):
            if piece.startswith("\x1b["):
                style.apply(piece[2:-1])
                continue
            for character in piece:
                if column < columns and character >= " ":
                    grid[row][column] = (character, style.copy())
                    column += 1
    return grid


class Renderer:
    def __init__(self, columns=120, rows=35):
        self.columns, self.rows = columns, rows
        self.regular = ImageFont.truetype(find_font("DejaVuSansMono.ttf"), FONT_SIZE)
        self.bold = ImageFont.truetype(find_font("DejaVuSansMono-Bold.ttf"), FONT_SIZE)
        self.advance = self.regular.getlength("M")
        self.size = (round(2 * PAD_X + columns * self.advance), 2 * PAD_Y + rows * LINE_HEIGHT)

    def draw(self, text):
        image = Image.new("RGB", self.size, rgb(BG))
        pen = ImageDraw.Draw(image)
        ascent = self.regular.getmetrics()[0]
        for row, cells in enumerate(parse(text, self.columns, self.rows)):
            top = PAD_Y + row * LINE_HEIGHT
            for column, (character, style) in enumerate(cells):
                left = PAD_X + column * self.advance
                fg, bg = style.colours()
                if bg != rgb(BG):
                    right = PAD_X + (column + 1) * self.advance
                    pen.rectangle([round(left), top, round(right) - 1, top + LINE_HEIGHT - 1], fill=bg)
                if character == "\u2588":  # full block: the whole cell, so that bars have no seams between cells
                    right = PAD_X + (column + 1) * self.advance
                    pen.rectangle([round(left), top, round(right) - 1, top + LINE_HEIGHT - 2], fill=fg)
                elif character != " ":
                    pen.text((left, top), character, font=self.bold if style.bold else self.regular, fill=fg)
                if style.under:
                    pen.line([(round(left), top + ascent + 1), (round(left + self.advance), top + ascent + 1)],
                             fill=fg)
        return image


def palette_for(images):
    """One palette (at most 64 colours, no dithering) for every image, so text edges stay clean and frames share it."""
    strip = Image.new("RGB", (images[0].width, images[0].height * len(images)))
    for index, image in enumerate(images):
        strip.paste(image, (0, index * image.height))
    return strip.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def write_png(capture, out):
    with open(capture, encoding="utf-8", errors="replace") as handle:
        image = Renderer().draw(handle.read())
    image.quantize(palette=palette_for([image]), dither=Image.Dither.NONE).save(out, optimize=True)


def write_gif(folder, out, hold):
    frames = []  # (text, milliseconds when captured)
    for capture in sorted(glob.glob(os.path.join(folder, "*.ans"))):
        with open(capture, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        with open(capture[:-4] + ".ms") as handle:
            at = int(handle.read().strip())
        if not text.strip():
            continue  # before the program drew its first screen
        if frames and frames[-1][0] == text:
            continue  # unchanged: the previous frame simply shows longer
        frames.append((text, at))
    if not frames:
        sys.exit("render-ansi.py: no non-empty captures in " + folder)
    renderer = Renderer()
    images = [renderer.draw(text) for text, _ in frames]
    delays = [max(20, later - at) for (_, at), (_, later) in zip(frames, frames[1:])] + [round(hold * 1000)]
    sample = images[:: max(1, len(images) // 8)] + [images[-1]]
    palette = palette_for(sample)
    indexed = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    indexed[0].save(out, save_all=True, append_images=indexed[1:], duration=delays, loop=0, optimize=True,
                    disposal=1)
    print("%s: %d frames of %d captures, %.1f s, %d KB" % (out, len(frames), len(glob.glob(folder + "/*.ans")),
                                                         sum(delays) / 1000, os.path.getsize(out) // 1024))


def main(argv):
    if len(argv) >= 4 and argv[1] == "png":
        write_png(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "gif":
        hold = float(argv[argv.index("--hold") + 1]) if "--hold" in argv else 4.0
        write_gif(argv[2], argv[3], hold)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
