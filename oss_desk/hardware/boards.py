"""Queue display boards: what they show (pure encoders) and the serial link that carries it.

Three protocols (hardware/protocols/*.md has the exact frames):

- ``ascii``: a generic line board, ``STX addr addr text ETX [checksum]`` per frame;
- ``alpha``: the Alpha Sign Communications Protocol (Alpha/BetaBrite LED signs), checksummed;
- ``dmd``: an Epson DM-D customer display (2 lines of 20), or a CD5220 in its native mode
  (``mode=cd5220``).

The link uses pyserial's ``serial_for_url``, so boards behind serial-to-Ethernet servers
(``socket://``, ``rfc2217://``) work as well as local ports. A board is a view: a fault marks it
offline and the next update reconnects and resends the whole state.
"""

from __future__ import annotations

import contextlib
import errno
import os
import termios
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oss_desk import files
from oss_desk.domain.device_faults import error_number, port_fault
from oss_desk.domain.devices import BoardURL, parse_board_url

STX, ETX, EOT, SOH, ESC, NUL = b"\x02", b"\x03", b"\x04", b"\x01", b"\x1b", b"\x00"


@dataclass(frozen=True, slots=True)
class Call:
    code: str
    desk: str
    """The desk's name in the office's first language (its Welsh name in a bilingual office)."""
    desk_also: str | None = None
    """Its name in the office's other language, where it has one: ``Desk 3`` beside
    ``Desg 3``."""


@dataclass(frozen=True, slots=True)
class BoardState:
    """The latest calls, newest first."""

    calls: tuple[Call, ...] = ()
    message: str = ""
    """Shown when nobody has been called (e.g. "Please take a ticket")."""


# What each board can show -----------------------------------------------------------------------
#
# A board shows cells, one character each. `cells()` turns text into what the board can show
# (substitutes where it has no way: hardware/README.md lists them per board), and each encoder
# turns a cell into the bytes its protocol wants.

POUND_SUBSTITUTE = "GBP"
"""What a board without a pound sign shows instead (ascii boards, CD5220 in native mode)."""
WELSH_LETTERS = {"ŵ": "w", "ŷ": "y", "Ŵ": "W", "Ŷ": "Y"}
"""No board character set holds these; a DM-D draws them as user-defined characters, others
fall back to the plain letter."""

# Alpha Sign Communications Protocol, "Extended character set": 08H then a code; the set follows
# the order of IBM code page 437 from 0x80 (so the code is the CP437 byte minus 0x60).
_ALPHA_EXTENDED_ORDER = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿"
ALPHA_EXTENDED = {ch: bytes([0x08, 0x20 + i]) for i, ch in enumerate(_ALPHA_EXTENDED_ORDER)}


def _plain(ch: str) -> str:
    """ASCII for a character no board has: accents removed, else '?'."""
    if ch == "→":
        return "->"
    if ch in WELSH_LETTERS:
        return WELSH_LETTERS[ch]
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return base if base and all(32 <= ord(c) < 127 for c in base) else "?"


def _cp437(ch: str) -> bool:
    try:
        return len(ch.encode("cp437")) == 1 and ord(ch) >= 0x80
    except UnicodeEncodeError:
        return False


def board_text(ch: str, protocol: str = "ascii", mode: str = "epson") -> str:
    """One character as cells the board can show (usually one; a substitute may be more)."""
    if 32 <= ord(ch) < 127:
        if protocol == "dmd" and mode == "cd5220" and ch == "#":
            return "No."  # the U.K. character set shows a pound sign at '#'
        return ch
    if ch == "£":
        return ch if protocol in ("alpha", "dmd") else POUND_SUBSTITUTE
    if protocol == "alpha" and ch in ALPHA_EXTENDED:
        return ch
    if protocol == "dmd" and mode == "epson" and (ch in WELSH_LETTERS or _cp437(ch)):
        return ch
    return _plain(ch)


def fit(text: str, width: int, protocol: str = "ascii", mode: str = "epson") -> str:
    clean = "".join(board_text(ch, protocol, mode) for ch in text)
    return clean[:width].ljust(width)


@dataclass(frozen=True, slots=True)
class Geometry:
    rows: int = 2
    cols: int = 20


def call_line(code: str, desk: str) -> str:
    """One call as a board row shows it: ``C012 -> Desk 3``."""
    return f"{code} -> {desk}"


def cut_desk_name(url: BoardURL, longest_code: str, desk: str) -> str | None:
    """What of a desk's name a call to it shows on this board when its row is too short for it
    (None when it fits): ``Interview ro`` of ``Interview room 1`` on a 20-column board."""
    geometry = geometry_for(url)
    line = _cells(call_line(longest_code, desk), url)
    if len(line) <= geometry.cols:
        return None
    return line[: geometry.cols][len(call_line(longest_code, "")) :].rstrip()


def _call_rows(calls: tuple[Call, ...], language: int | None) -> list[str]:
    """Each call as a row, its desk in one language (0: the first, 1: the other), or in both
    (None): ``C012 -> Desg 3 / Desk 3``."""
    rows = []
    for call in calls:
        names = [call.desk] + ([call.desk_also] if call.desk_also else [])
        desk = " / ".join(names) if language is None else names[min(language, len(names) - 1)]
        rows.append(call_line(call.code, desk))
    return rows


def pages_for(
    state: BoardState, geometry: Geometry, url: BoardURL | None = None
) -> list[list[str]]:
    """What the board shows, page by page: one page, unless a call's desk has a name in each
    language (a bilingual office) and the two side by side (``C012 -> Desg 3 / Desk 3``) do not
    fit its row; then two pages, the desks named in the first language, then in the other,
    shown in turn (:func:`lines_for` lays out each)."""
    calls = state.calls[: geometry.rows]
    if not any(call.desk_also for call in calls):
        return [lines_for(state, geometry, url)]
    both = _call_rows(calls, None)
    if all(len(_cells(row, url)) <= geometry.cols for row in both):
        return [_laid_out(both, geometry, url)]
    return [_laid_out(_call_rows(calls, n), geometry, url) for n in (0, 1)]


def _kind(url: BoardURL | None) -> tuple[str, str]:
    """The board's protocol and mode (a generic ascii board when there is no URL)."""
    return (url.protocol, url.params.get("mode", "epson")) if url else ("ascii", "epson")


def _cells(text: str, url: BoardURL | None) -> str:
    return "".join(board_text(ch, *_kind(url)) for ch in text)


def _laid_out(rows: list[str], geometry: Geometry, url: BoardURL | None) -> list[str]:
    rows = rows + [""] * (geometry.rows - len(rows))
    return [fit(r, geometry.cols, *_kind(url)) for r in rows]


def lines_for(state: BoardState, geometry: Geometry, url: BoardURL | None = None) -> list[str]:
    """The board's rows: the latest calls, newest first; with none, the message (one row per
    language on a board with room for them, else joined with " / "). A call's desk is named in
    the first language here; :func:`pages_for` says it in each."""
    rows = _call_rows(state.calls[: geometry.rows], 0)
    if not rows and state.message:
        parts = [part for part in state.message.split("\n") if part]
        rows = parts if len(parts) <= geometry.rows else [" / ".join(parts)]
    return _laid_out(rows, geometry, url)


# Encoders ---------------------------------------------------------------------------------------


def checksum_alpha(body: bytes) -> bytes:
    """The Alpha checksum: the 16-bit sum of STX through ETX, as 4 upper-case hex digits."""
    return f"{sum(body) & 0xFFFF:04X}".encode()


def _alpha_bytes(line: str) -> bytes:
    return b"".join(ALPHA_EXTENDED.get(ch) or ch.encode("ascii", "replace") for ch in line)


def _alpha_page(lines: list[str]) -> bytes:
    shown = [line for line in lines if line.strip()] or lines[:1]
    if len(shown) == 1:
        return ESC + b"\x20b" + _alpha_bytes(shown[0])
    if len(lines) == 2:
        return ESC + b"\x22b" + _alpha_bytes(shown[0]) + ESC + b"\x26b" + _alpha_bytes(shown[1])
    return ESC + b"\x30b" + b"\x0d".join(_alpha_bytes(line) for line in shown)


def encode_alpha(
    lines: list[str],
    address: str = "01",
    label: str = "A",
    kind: str = "Z",
    more: tuple[list[str], ...] = (),
) -> bytes:
    """Write TEXT file ``label`` (hold mode): one frame with every line, checksummed.

    Every ``ESC position mode`` starts a page, and a one-line sign shows pages in turn: so
    blank rows are never sent (a lone call would otherwise alternate with a blank page), one
    row goes to the middle line, two to the top and bottom lines of a two-line sign, and more
    are one page with NEW LINE (0DH) between them. ``more``: further pages (the desks named in
    the office's other language), after the first in the same frame: the sign turns them
    itself.
    """
    text = b"".join(_alpha_page(page) for page in (lines, *more))
    body = STX + b"A" + label.encode("ascii") + text + ETX
    return (
        NUL * 5
        + SOH
        + kind.encode("ascii")
        + address.encode("ascii")
        + body
        + checksum_alpha(body)
        + EOT
    )


def encode_ascii(lines: list[str], address: str = "01", checksum: str = "none") -> bytes:
    """``STX addr text ETX [checksum]``, lines separated by CR."""
    body = STX + address.encode("ascii") + b"\r".join(line.encode("ascii") for line in lines) + ETX
    if checksum == "xor":
        value = 0
        for b in body[1:]:
            value ^= b
        return body + f"{value:02X}".encode()
    if checksum == "sum8":
        return body + f"{sum(body[1:]) & 0xFF:02X}".encode()
    return body


# User-defined characters for the DM-D (ESC & 1 n m [5 p1..p5]...): 5 x 7 dots, one byte per
# column, most significant bit at the top. They are shown with ESC % 1 and ESC % 0 around them.
_DMD_GLYPH_ROWS = {
    "ŵ": ("..#..", ".#.#.", ".....", "#...#", "#.#.#", "#.#.#", ".#.#."),
    "ŷ": ("..#..", ".#.#.", ".....", "#...#", ".#.#.", "..#..", ".#..."),
    "Ŵ": ("..#..", ".#.#.", "#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "Ŷ": ("..#..", ".#.#.", "#...#", ".#.#.", "..#..", "..#..", "..#.."),
}
DMD_GLYPH_CODES = {ch: 0x7B + i for i, ch in enumerate(_DMD_GLYPH_ROWS)}


def _dmd_columns(rows: tuple[str, ...]) -> bytes:
    return bytes(
        sum(0x80 >> y for y, row in enumerate(rows) if row[x] == "#") for x in range(len(rows[0]))
    )


def dmd_glyph_definitions() -> bytes:
    """ESC & 1 n m [5 p1..p5] x 4: the Welsh letters at codes 7BH-7EH."""
    first = min(DMD_GLYPH_CODES.values())
    body = b"".join(b"\x05" + _dmd_columns(rows) for rows in _DMD_GLYPH_ROWS.values())
    return b"\x1b\x26\x01" + bytes([first, first + len(_DMD_GLYPH_ROWS) - 1]) + body


def _dmd_bytes(line: str, mode: str) -> bytes:
    if mode == "cd5220":
        return line.replace("£", "#").encode("ascii", "replace")
    out = b""
    for ch in line:
        if ch in DMD_GLYPH_CODES:
            out += b"\x1b\x25\x01" + bytes([DMD_GLYPH_CODES[ch]]) + b"\x1b\x25\x00"
        else:
            out += ch.encode("cp437", "replace")
    return out


def encode_dmd(lines: list[str], initialise: bool = False, mode: str = "epson") -> bytes:
    """A customer display: the whole state from home in overwrite mode.

    Epson mode (DM-D110/210): ESC @ and ESC t 0 (code page 437: the pound sign) on connect,
    US MD1, HOM, line 1, US $ 1 2, line 2; the Welsh letters as user-defined characters.
    CD5220 native mode: ESC @ and ESC f U (the U.K. set: the pound sign) on connect, ESC DC1,
    HOM, line 1, ESC l 1 2, line 2.
    """
    if mode == "cd5220":
        head = (b"\x1b\x40\x1b\x66\x55" if initialise else b"") + b"\x1b\x11" + b"\x0b"
        move = b"\x1b\x6c\x01\x02"
    else:
        head = (b"\x1b\x40\x1b\x74\x00" if initialise else b"") + b"\x1f\x01" + b"\x0b"
        move = b"\x1f\x24\x01\x02"
        if any(ch in DMD_GLYPH_CODES for line in lines for ch in line):
            head += dmd_glyph_definitions()  # every time: a display restarted forgets them
    out = head + _dmd_bytes(lines[0], mode)
    if len(lines) > 1:
        out += move + _dmd_bytes(lines[1], mode)
    return out


def geometry_for(url: BoardURL) -> Geometry:
    """The board's rows and columns: ``rows`` and ``cols`` in its URL, else one row of 20 on an
    Alpha sign (BetaBrite-class signs have one line) and two rows of 20 on the others."""
    rows = int(url.params.get("rows", 1 if url.protocol == "alpha" else 2))
    cols = int(url.params.get("cols", 20))
    return Geometry(rows, cols)


def encode(url: BoardURL, state: BoardState, first: bool = False, page: int = 0) -> bytes:
    """The frame showing ``state``: on an Alpha sign every page at once (the sign turns them);
    on another board, page ``page`` of :func:`pages_for` (the worker turns them)."""
    pages = pages_for(state, geometry_for(url), url)
    if url.protocol == "alpha":
        return encode_alpha(
            pages[0],
            url.address,
            url.params.get("label", "A"),
            url.params.get("type", "Z"),
            more=tuple(pages[1:]),
        )
    lines = pages[page % len(pages)]
    if url.protocol == "dmd":
        return encode_dmd(lines, initialise=first, mode=url.params.get("mode", "epson"))
    return encode_ascii(lines, url.address, url.params.get("checksum", "none"))


def pages_turned(url: BoardURL, state: BoardState) -> int:
    """How many pages the worker turns on this board to show ``state``: 1 (nothing to turn),
    or 2 on a board other than an Alpha sign when the desks are named in two languages in
    turn."""
    return 1 if url.protocol == "alpha" else len(pages_for(state, geometry_for(url), url))


# The link ---------------------------------------------------------------------------------------


class BoardFault(Exception):
    """The board cannot be used: its message is for staff (plain words); ``raw`` is the
    operating system's own error, for the log."""

    def __init__(self, message: str, raw: str | None = None) -> None:
        super().__init__(message)
        self.raw = raw


@dataclass
class BoardLink:
    """Keeps the board showing ``state``: reconnects after faults and resends everything."""

    url: BoardURL
    timeout: float = 2.0
    _port: Any = None
    _sent_since_connect: bool = False
    last_error: str | None = None
    frames: int = 0
    connected_at: float | None = field(default=None)

    @classmethod
    def from_url(cls, url: str) -> BoardLink:
        return cls(parse_board_url(url))

    @property
    def online(self) -> bool:
        return self._port is not None or self.url.transport == "capture"

    def _open(self) -> None:
        if self.url.transport == "capture":
            return
        import serial

        try:
            self._port = serial.serial_for_url(
                self.url.target,
                timeout=self.timeout,
                write_timeout=self.timeout,
                **self.url.serial_settings(),
            )
        except (serial.SerialException, ValueError, OSError, termios.error) as exc:
            # termios.error: the device went away under us (a pty or adapter mid-unplug).
            self._port = None
            raise self._fault(exc) from None
        self._sent_since_connect = False
        self.connected_at = time.monotonic()

    def probe(self) -> None:
        """Open the port (or check the capture file can be written) without sending anything.
        Raises BoardFault."""
        if self.url.transport == "capture":
            path = Path(self.url.target)
            folder = path.parent if path.parent.exists() else path.parent.parent
            if not os.access(path if path.exists() else folder, os.W_OK):
                raise BoardFault(f"cannot write {self.url.target}")
            return
        if self._port is None:
            self._open()

    def check(self) -> None:
        """Is the board still there? Nothing is sent (the display is left alone): the port is
        opened if it is closed, else asked how many bytes wait to be read (an unplugged adapter
        or a closed far end fails that). Raises BoardFault."""
        if self.url.transport == "capture":
            self.probe()
            return
        if self._port is None:
            self._open()
            return
        import serial

        try:
            if self.url.transport == "serial" and not os.path.exists(self.url.target):
                raise OSError(errno.ENOENT, f"{self.url.target} is gone")
            waiting = self._port.in_waiting
            if waiting:
                self._port.read(waiting)  # a board's acknowledgements: nothing to act on
        except (serial.SerialException, OSError, termios.error) as exc:
            self.close()
            raise self._fault(exc) from None

    def show(self, state: BoardState, page: int = 0) -> bytes:
        """Send the whole state (the boards redraw from a full frame), at page ``page`` where
        it has several (:func:`pages_turned`). Raises BoardFault."""
        if self._port is None:
            self._open()
        frame = encode(self.url, state, first=not self._sent_since_connect, page=page)
        if self.url.transport == "capture":
            try:
                files.append_private(Path(self.url.target), frame)
            except OSError as exc:
                raise BoardFault(f"cannot write {self.url.target} ({exc.strerror})") from None
        else:
            import serial

            try:
                self._port.write(frame)
                self._port.flush()
            except (serial.SerialException, OSError, termios.error) as exc:
                self.close()
                raise self._fault(exc) from None
        self._sent_since_connect = True
        self.frames += 1
        self.last_error = None
        return frame

    def _fault(self, exc: BaseException) -> BoardFault:
        """The board's port failed with ``exc``: said in plain words, the raw error kept."""
        return BoardFault(port_fault("board", self.url.target, error_number(exc)), _reason(exc))

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):  # termios errors after a hang-up
                port.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
