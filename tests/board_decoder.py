"""What a display board would show, decoded from the bytes sent to it, for the tests.

Written from the protocols' own documents (hardware/protocols/*.md and the manuals cited in
hardware/README.md), not from oss-desk's encoders:

- ``decode_alpha(frame)``: the Alpha Sign Communications Protocol. Checks the framing and the
  checksum, and returns the pages of the TEXT file (each ``ESC position mode`` starts one; a
  one-line sign shows them in turn) with extended characters (08H + code) read through the
  protocol's extended set, which follows IBM code page 437 from 80H.
- ``Screen``: a 2 x 20 customer display, Epson mode (DM-D) or CD5220 mode: a cursor, overwrite
  mode, the code table or international set, and user-defined characters (ESC & / ESC %).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class BadFrame(AssertionError):
    pass


@dataclass
class AlphaText:
    kind: str
    address: str
    label: str
    pages: list[tuple[int, str, str]]
    """(position, mode, text) per page."""


def _alpha_char(data: bytes, i: int) -> tuple[str, int]:
    if data[i] == 0x08:  # extended character set
        return bytes([data[i + 1] + 0x60]).decode("cp437"), i + 2
    return chr(data[i]), i + 1


def decode_alpha(frame: bytes) -> AlphaText:
    if not frame.startswith(b"\x00" * 5 + b"\x01"):
        raise BadFrame("no NUL x5 SOH")
    kind = chr(frame[6])
    address = frame[7:9].decode("ascii")
    if frame[9:10] != b"\x02" or frame[-1:] != b"\x04":
        raise BadFrame("no STX after the address or no EOT at the end")
    etx = frame.rindex(b"\x03")
    body = frame[9 : etx + 1]
    if frame[etx + 1 : -1] != f"{sum(body) & 0xFFFF:04X}".encode():
        raise BadFrame("checksum")
    if body[1:2] != b"A":
        raise BadFrame("not a Write TEXT command")
    label = chr(body[2])
    text = body[3:-1]
    pages: list[tuple[int, str, str]] = []
    i = 0
    while i < len(text):
        if text[i] != 0x1B:
            raise BadFrame(f"text before a position at {i}")
        position, mode = text[i + 1], chr(text[i + 2])
        i += 3
        chars = ""
        while i < len(text) and text[i] != 0x1B:
            ch, i = _alpha_char(text, i)
            chars += "\n" if ch == "\r" else ch
        pages.append((position, mode, chars))
    return AlphaText(kind, address, label, pages)


@dataclass
class Screen:
    """A 2 x 20 customer display fed byte by byte."""

    mode: str = "epson"
    rows: list[list[str]] = field(default_factory=lambda: [[" "] * 20, [" "] * 20])
    x: int = 0
    y: int = 0
    code_table: int = 0
    international: str = ""
    user_chars: dict[int, list[str]] = field(default_factory=dict)
    user_on: bool = False
    glyphs: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    """(row, column) -> the dots of a user-defined character shown there."""
    unknown: list[bytes] = field(default_factory=list)

    def text(self) -> list[str]:
        return ["".join(row) for row in self.rows]

    def _put(self, ch: str, code: int) -> None:
        if self.x >= 20:
            return
        self.rows[self.y][self.x] = ch
        self.glyphs.pop((self.y, self.x), None)
        if self.user_on and code in self.user_chars:
            self.rows[self.y][self.x] = "\ufffc"
            self.glyphs[(self.y, self.x)] = self.user_chars[code]
        self.x += 1

    def _char(self, b: int) -> str:
        if self.mode == "cd5220":
            return "£" if (b == 0x23 and self.international == "U") else chr(b)
        return bytes([b]).decode(
            {0: "cp437", 19: "cp858", 16: "cp1252"}.get(self.code_table, "cp437")
        )

    def feed(self, data: bytes) -> Screen:
        i = 0
        while i < len(data):
            b = data[i]
            if b == 0x1B:
                cmd = data[i + 1]
                if cmd == 0x40:  # ESC @
                    self.rows = [[" "] * 20, [" "] * 20]
                    self.x = self.y = 0
                    self.user_chars, self.user_on, self.glyphs = {}, False, {}
                    self.code_table, self.international = 0, ""
                    i += 2
                elif cmd == 0x74 and self.mode == "epson":  # ESC t n
                    self.code_table = data[i + 2]
                    i += 3
                elif cmd == 0x66 and self.mode == "cd5220":  # ESC f n: international set
                    self.international = chr(data[i + 2])
                    i += 3
                elif cmd == 0x11 and self.mode == "cd5220":  # ESC DC1: overwrite
                    i += 2
                elif cmd == 0x6C and self.mode == "cd5220":  # ESC l x y
                    self.x, self.y = data[i + 2] - 1, data[i + 3] - 1
                    i += 4
                elif cmd == 0x25:  # ESC % n
                    self.user_on = bool(data[i + 2] & 1)
                    i += 3
                elif cmd == 0x26:  # ESC & s n m [a p1..pa]...
                    s, n, m = data[i + 2], data[i + 3], data[i + 4]
                    if s != 1:
                        raise BadFrame("ESC & with s other than 1")
                    i += 5
                    for code in range(n, m + 1):
                        a = data[i]
                        columns = data[i + 1 : i + 1 + a]
                        i += 1 + a
                        self.user_chars[code] = [
                            "".join("#" if col & (0x80 >> y) else "." for col in columns)
                            for y in range(7)
                        ]
                else:
                    self.unknown.append(data[i : i + 2])
                    i += 2
            elif b == 0x1F and self.mode == "epson":
                cmd = data[i + 1]
                if cmd == 0x01:  # US MD1: overwrite
                    i += 2
                elif cmd == 0x24:  # US $ x y
                    self.x, self.y = data[i + 2] - 1, data[i + 3] - 1
                    i += 4
                else:
                    self.unknown.append(data[i : i + 2])
                    i += 2
            elif b == 0x0B:  # HOM
                self.x = self.y = 0
                i += 1
            elif b == 0x0C:  # CLR
                self.rows = [[" "] * 20, [" "] * 20]
                self.x = self.y = 0
                i += 1
            elif b < 0x20:
                self.unknown.append(bytes([b]))
                i += 1
            else:
                self._put(self._char(b), b)
                i += 1
        return self
