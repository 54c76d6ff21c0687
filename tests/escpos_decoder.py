"""An ESC/POS decoder for the tests, written from the Epson command reference (not from
python-escpos): it says what would be on paper.

``decode(data)`` returns events: ``Line`` (text, alignment at its start, size, bold, and the
bitmaps of any user-defined characters in it), ``QRCode``
(payload and settings), ``Image`` (a rebuilt bitmap), ``Cut``, ``Init``, ``Status`` (DLE EOT) and
``Unknown`` (a command this decoder does not know: in the tests, any Unknown is a failure).
Every length-prefixed block is consumed whole before anything else is read, so bytes inside
images or QR data are never mistaken for commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CODE_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
}


USER_CHAR_BASE = 0xE000
"""A user-defined character (ESC & / ESC %) appears in ``Line.text`` as this private-use
code point plus its character code; ``Line.glyphs`` holds its dots."""


@dataclass
class Line:
    text: str
    align: str
    width: int
    height: int
    bold: bool
    underline: bool = False
    ended_by: str = "LF"
    glyphs: dict[int, list[list[int]]] = field(default_factory=dict)
    """Index in ``text`` -> the rows of dots of the user-defined character printed there."""


@dataclass
class QRCode:
    payload: str
    model: int | None
    module: int | None
    ec: str | None
    align: str


@dataclass
class Image:
    width: int
    height: int
    rows: list[list[int]]
    align: str
    command: str


@dataclass
class Cut:
    full: bool
    feed: int


@dataclass
class Init:
    offset: int


@dataclass
class Status:
    n: int


@dataclass
class Unknown:
    offset: int
    data: bytes
    reason: str


@dataclass
class Warning:
    offset: int
    message: str


Event = Line | QRCode | Image | Cut | Init | Status | Unknown | Warning


@dataclass
class _State:
    align: str = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    code_page: int = 0
    pending: bytearray = field(default_factory=bytearray)
    line_align: str | None = None
    line_style: tuple[int, int, bool, bool] | None = None
    qr_model: int | None = None
    qr_module: int | None = None
    qr_ec: str | None = None
    qr_data: bytes | None = None
    user_chars: dict[int, list[list[int]]] = field(default_factory=dict)
    user_selected: bool = False
    pending_glyphs: dict[int, list[list[int]]] = field(default_factory=dict)


ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


def decode(data: bytes) -> list[Event]:
    s = _State()
    out: list[Event] = []
    i = 0
    n = len(data)

    def need(count: int) -> bytes:
        nonlocal i
        if i + count > n:
            raise IndexError
        chunk = data[i : i + count]
        i += count
        return chunk

    def end_line(by: str) -> None:
        if s.pending or by == "LF":
            codec = CODE_PAGES.get(s.code_page) or "latin-1"
            text = "".join(
                chr(USER_CHAR_BASE + b) if i in s.pending_glyphs else bytes([b]).decode(codec)
                for i, b in enumerate(s.pending)
            )
            w, h, b, u = s.line_style or (s.width, s.height, s.bold, s.underline)
            out.append(Line(text, s.line_align or s.align, w, h, b, u, by, s.pending_glyphs))
        s.pending = bytearray()
        s.pending_glyphs = {}
        s.line_align = None
        s.line_style = None

    def text_byte(b: int) -> None:
        if not s.pending:
            s.line_align = s.align
            s.line_style = (s.width, s.height, s.bold, s.underline)
        if s.user_selected and b in s.user_chars:
            s.pending_glyphs[len(s.pending)] = s.user_chars[b]
        s.pending.append(b)

    while i < n:
        start = i
        b = data[i]
        i += 1
        try:
            if b == 0x0A:
                end_line("LF")
            elif b == 0x0D:
                pass
            elif b == 0x09:
                text_byte(b)
            elif b == 0x0C:
                end_line("FF")
            elif b == 0x10:  # DLE
                cmd = need(1)[0]
                if cmd == 0x04:
                    out.append(Status(need(1)[0]))
                elif cmd == 0x05:
                    need(1)
                else:
                    out.append(Unknown(start, data[start:i], "DLE"))
            elif b == 0x1B:  # ESC
                cmd = need(1)[0]
                if cmd == 0x40:
                    if s.pending:
                        out.append(Warning(start, "ESC @ drops text not yet printed"))
                    s = _State()
                    out.append(Init(start))
                elif cmd == 0x21:
                    mode = need(1)[0]
                    s.bold = bool(mode & 0x08)
                    s.height = 2 if mode & 0x10 else 1
                    s.width = 2 if mode & 0x20 else 1
                    s.underline = bool(mode & 0x80)
                elif cmd == 0x45 or cmd == 0x47:
                    s.bold = bool(need(1)[0] & 1)
                elif cmd == 0x2D:
                    s.underline = need(1)[0] in (1, 2, 49, 50)
                elif cmd == 0x61:
                    value = need(1)[0]
                    if value not in ALIGN:
                        out.append(Unknown(start, data[start:i], "bad alignment"))
                    elif s.pending:
                        out.append(Warning(start, "ESC a in the middle of a line"))
                    s.align = ALIGN.get(value, s.align)
                elif cmd == 0x74:
                    s.code_page = need(1)[0]
                    if s.code_page not in CODE_PAGES:
                        out.append(Warning(start, f"code page {s.code_page} not decoded"))
                elif cmd == 0x26:  # ESC & y c1 c2 [x d1..d(y*x)]...: user-defined characters
                    y, c1, c2 = need(3)
                    if not (1 <= y <= 3 and 32 <= c1 <= c2 <= 126):
                        out.append(Unknown(start, data[start:i], "ESC & out of range"))
                        break
                    for code in range(c1, c2 + 1):
                        x = need(1)[0]
                        columns = need(y * x)
                        s.user_chars[code] = [
                            [(columns[col * y + row // 8] >> (7 - row % 8)) & 1 for col in range(x)]
                            for row in range(8 * y)
                        ]
                elif cmd == 0x25:  # ESC % n: user-defined character set on (LSB 1) or off
                    s.user_selected = bool(need(1)[0] & 1)
                elif cmd == 0x3F:  # ESC ? n: cancel one user-defined character
                    s.user_chars.pop(need(1)[0], None)
                elif cmd in (0x4D, 0x52, 0x7B, 0x56, 0x3D, 0x72, 0x55, 0x20, 0x33, 0x63):
                    need(1 if cmd != 0x63 else 2)
                elif cmd == 0x32:
                    pass
                elif cmd == 0x64:
                    lines = need(1)[0]
                    end_line("ESC d")
                    out.extend(
                        Line("", s.align, 1, 1, False, False, "feed")
                        for _ in range(max(0, lines - 1))
                    )
                elif cmd in (0x4A, 0x65):
                    need(1)
                    end_line("feed")
                elif cmd in (0x24, 0x5C):
                    need(2)
                elif cmd == 0x70:
                    need(3)
                elif cmd == 0x2A:
                    m, nl, nh = need(3)
                    count = nl + 256 * nh
                    need(count * (1 if m in (0, 1) else 3))
                    out.append(Image(count, 8 if m in (0, 1) else 24, [], s.align, "ESC *"))
                elif cmd in (0x69, 0x6D):
                    end_line("cut")
                    out.append(Cut(full=cmd == 0x69, feed=0))
                else:
                    out.append(Unknown(start, data[start:i], "ESC"))
            elif b == 0x1D:  # GS
                cmd = need(1)[0]
                if cmd == 0x21:
                    size = need(1)[0]
                    s.width = (size >> 4) + 1
                    s.height = (size & 0x0F) + 1
                elif cmd in (0x42, 0x62, 0x68, 0x77, 0x48, 0x66, 0x61, 0x72, 0x49, 0x7C):
                    need(1)
                elif cmd == 0x56:
                    m = need(1)[0]
                    feed = need(1)[0] if m in (65, 66, 97, 98, 103, 104) else 0
                    end_line("cut")
                    out.append(Cut(full=m in (0, 48, 65, 97, 103), feed=feed))
                elif cmd == 0x76:
                    if need(1)[0] != 0x30:
                        out.append(Unknown(start, data[start:i], "GS v"))
                        continue
                    _m, xl, xh, yl, yh = need(5)
                    width_bytes, height = xl + 256 * xh, yl + 256 * yh
                    raster = need(width_bytes * height)
                    rows = [
                        [
                            (raster[r * width_bytes + c // 8] >> (7 - c % 8)) & 1
                            for c in range(width_bytes * 8)
                        ]
                        for r in range(height)
                    ]
                    end_line("image")
                    out.append(Image(width_bytes * 8, height, rows, s.align, "GS v 0"))
                elif cmd == 0x28:
                    kind = need(1)[0]
                    pl, ph = need(2)
                    body = need(pl + 256 * ph)
                    if kind == 0x6B and body[:1] == b"\x31":  # QR
                        fn = body[1]
                        if fn == 65:
                            s.qr_model = body[2] - 48
                        elif fn == 67:
                            s.qr_module = body[2]
                        elif fn == 69:
                            s.qr_ec = EC.get(body[2])
                        elif fn == 80:
                            s.qr_data = body[3:]
                        elif fn == 81:
                            end_line("qr")
                            if s.qr_data is None:
                                out.append(Warning(start, "QR print without stored data"))
                            else:
                                out.append(
                                    QRCode(
                                        s.qr_data.decode("utf-8"),
                                        s.qr_model,
                                        s.qr_module,
                                        s.qr_ec,
                                        s.align,
                                    )
                                )
                        else:
                            out.append(Unknown(start, data[start:i], f"QR function {fn}"))
                    elif kind == 0x4C and body[1:2] == b"\x70":  # GS ( L store raster
                        out.append(Image(0, 0, [], s.align, "GS ( L"))
                    elif kind in (0x4C, 0x45, 0x48, 0x4B, 0x41, 0x43, 0x44):
                        pass
                    else:
                        out.append(Unknown(start, data[start : start + 4], "GS ("))
                elif cmd in (0x4C, 0x57, 0x50, 0x24, 0x5C):
                    need(2)
                elif cmd == 0x6B:
                    m = need(1)[0]
                    if m <= 6:
                        while need(1) != b"\x00":
                            pass
                    else:
                        need(need(1)[0])
                else:
                    out.append(Unknown(start, data[start:i], "GS"))
            elif b == 0x1C:  # FS
                cmd = need(1)[0]
                if cmd in (0x2E, 0x26):
                    pass
                elif cmd in (0x21, 0x2D, 0x43, 0x57):
                    need(1)
                else:
                    out.append(Unknown(start, data[start:i], "FS"))
            elif b < 0x20:
                out.append(Unknown(start, bytes([b]), "control byte"))
            else:
                text_byte(b)
        except IndexError:
            out.append(Unknown(start, data[start:], "truncated command"))
            break
    if s.pending:
        out.append(Warning(n, "text left unprinted at the end (no LF)"))
    return out


def lines(events: list[Event]) -> list[Line]:
    return [e for e in events if isinstance(e, Line)]


def text_lines(events: list[Event]) -> list[str]:
    return [e.text for e in lines(events) if e.text]
