"""Reading a user-defined printer character back as a letter, independently of oss-desk.

The decoder (``escpos_decoder``) rebuilds the dots of each user-defined character printed; this
compares them with letters drawn by a real typeface (DejaVu Sans Mono Bold, through Pillow) in
the same character cell, baseline at four fifths of its height, allowing small shifts, and
says which one they look most like among look-alikes (w with no accent, a diaeresis, an acute
or a grave; y, v, u; the capitals). oss-desk's glyphs are drawn by hand, so agreement means the
dots really read as that letter, not that two copies of one bitmap match.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

CANDIDATES = "ŵŷŴŶwyWYẅẃẁÿŸẄẂẀvVuûÛ"
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf",
)
W, H = 24, 48  # the comparison grid: twice a thermal printer's 12 x 24 cell
SCALE = 8


@lru_cache(maxsize=1)
def font_path() -> str:
    for path in FONT_PATHS:
        if Path(path).exists():
            return path
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "DejaVu Sans Mono:bold"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if found and Path(found).exists():
            return found
    raise AssertionError("no DejaVu Sans Mono here to read glyphs with: install fonts-dejavu-core")


def _grid(image: Image.Image) -> Image.Image:
    return image.resize((W, H), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(1))


@lru_cache(maxsize=128)
def _reference(ch: str, width: int, height: int) -> tuple[float, ...]:
    image = Image.new("L", (width * SCALE, height * SCALE), 0)
    font = ImageFont.truetype(font_path(), int(height * SCALE * 0.78))
    draw = ImageDraw.Draw(image)
    left, _, right, _ = draw.textbbox((0, 0), ch, font=font, anchor="ls")
    x = (width * SCALE - (right - left)) // 2 - left
    draw.text((x, int(height * SCALE * 0.8)), ch, font=font, fill=255, anchor="ls")
    return tuple(_vector(_grid(image)))


def _vector(image: Image.Image, dx: int = 0, dy: int = 0) -> list[float]:
    pixels = image.load()
    assert pixels is not None
    values = [0.0] * (W * H)
    for y in range(H):
        for x in range(W):
            sx, sy = x - dx, y - dy
            if 0 <= sx < W and 0 <= sy < H:
                values[y * W + x] = float(pixels[sx, sy]) / 255  # type: ignore[arg-type]
    mean = sum(values) / len(values)
    return [v - mean for v in values]


def _similarity(a: list[float], b: tuple[float, ...]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def read_glyph(rows: list[list[int]], candidates: str = CANDIDATES) -> str:
    """The candidate letter the dots look most like."""
    height, width = len(rows), len(rows[0])
    image = Image.new("L", (width, height), 0)
    for y, row in enumerate(rows):
        for x, dot in enumerate(row):
            if dot:
                image.putpixel((x, y), 255)
    shape = _grid(image)
    shifted = [_vector(shape, dx, dy) for dx in (-2, 0, 2) for dy in range(-6, 7, 2)]

    def score(ch: str) -> float:
        reference = _reference(ch, width, height)
        return max(_similarity(v, reference) for v in shifted)

    return max(candidates, key=score)
