"""The Welsh letters ŵ ŷ Ŵ Ŷ as user-defined printer characters.

No single-byte code page a receipt printer has holds them, so they are drawn here, dot by dot,
and sent with ``ESC & y c1 c2 [x d1...d(y*x)]...`` (column format: ``y`` bytes per column, the
most significant bit at the top). Each use is wrapped in ``ESC % 1`` ... ``ESC % 0``, so the
codes they take (7BH-7EH) print as usual everywhere else. The thermal glyphs are 12 x 24 dots
(font A of 180 and 203 dpi printers); the impact ones 12 x 9, with no two dots side by side
(a 9-pin head cannot print adjacent half-dots).
"""

from __future__ import annotations

from oss_desk.hardware.models import IMPACT_CELL, THERMAL_CELL, UserCharCell

WELSH = ("ŵ", "ŷ", "Ŵ", "Ŷ")
CODES = {ch: 0x7B + i for i, ch in enumerate(WELSH)}
"""The character code each letter is defined at."""

# Each face is a sheet: the letters side by side under their names, a row of dots a line.
_THERMAL = """
        ŵ              ŷ              Ŵ              Ŷ
        ............   ............   ............   ............
        ............   ............   .....##.....   .....##.....
        ............   ............   ....####....   ....####....
        ............   ............   ...##..##...   ...##..##...
        .....##.....   .....##.....   ............   ............
        ....####....   ....####....   ##........##   ##........##
        ...##..##...   ...##..##...   ##........##   ##........##
        ............   ............   ##........##   .##......##.
        ............   ............   ##........##   .##......##.
        ##........##   ##........##   .##......##.   ..##....##..
        ##........##   ##........##   .##..##..##.   ..###..###..
        ##........##   .##......##.   .##..##..##.   ...######...
        .##..##..##.   .##......##.   .##.####.##.   ....####....
        .##..##..##.   ..##....##..   .##.####.##.   .....##.....
        .##.####.##.   ..###..###..   ..###..###..   .....##.....
        .##.#..#.##.   ...##..##...   ..###..###..   .....##.....
        ..###..###..   ...######...   ..###..###..   .....##.....
        ..###..###..   ....####....   ..##....##..   .....##.....
        ..##....##..   ....####....   ..##....##..   .....##.....
        ..##....##..   ....###.....   ..##....##..   .....##.....
        ............   ....###.....   ............   ............
        ............   ...###......   ............   ............
        ............   .###........   ............   ............
        ............   ............   ............   ............
"""

_IMPACT = """
        ŵ              ŷ              Ŵ              Ŷ
        .....#......   .....#......   .....#......   .....#......
        ...#...#....   ...#...#....   ...#...#....   ...#...#....
        ............   ............   #.........#.   #.........#.
        #.........#.   #.......#...   #.........#.   .#.......#..
        #.........#.   .#.....#....   #....#....#.   ..#.....#...
        #....#....#.   ..#...#.....   #...#.#...#.   ...#...#....
        #...#.#...#.   ...#.#......   #..#...#..#.   ....#.#.....
        .#.#...#.#..   ....#.......   .#.#...#.#..   .....#......
        ..#.....#...   ..#.........   ..#.....#...   .....#......
"""


def _sheet(art: str) -> dict[str, list[str]]:
    """Each letter's rows from a sheet (its column under its name)."""
    names, *lines = (line.split() for line in art.strip().splitlines())
    return {ch: [row[i] for row in lines] for i, ch in enumerate(names)}


def bitmap(ch: str, cell: UserCharCell) -> list[str]:
    """The glyph's rows (``#`` a dot) for ``cell``."""
    rows = _sheet(_IMPACT if cell == IMPACT_CELL else _THERMAL)[ch]
    assert len(rows) == cell.height and all(len(r) == cell.width for r in rows), ch
    return rows


def _columns(rows: list[str], cell: UserCharCell) -> bytes:
    out = bytearray()
    for x in range(cell.width):
        for byte in range(cell.y_bytes):
            value = 0
            for bit in range(8):
                y = byte * 8 + bit
                if y < cell.height and rows[y][x] == "#":
                    value |= 0x80 >> bit
            out.append(value)
    return bytes(out)


def definitions(cell: UserCharCell = THERMAL_CELL) -> bytes:
    """ESC & y c1 c2 [x data]... defining all four letters at their codes."""
    first = CODES[WELSH[0]]
    data = b"".join(bytes([cell.width]) + _columns(bitmap(ch, cell), cell) for ch in WELSH)
    return b"\x1b\x26" + bytes([cell.y_bytes, first, first + len(WELSH) - 1]) + data


def use(ch: str) -> bytes:
    """The bytes that print ``ch`` once defined: ESC % 1, its code, ESC % 0."""
    return b"\x1b\x25\x01" + bytes([CODES[ch]]) + b"\x1b\x25\x00"
