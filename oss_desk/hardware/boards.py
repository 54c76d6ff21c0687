"""Queue display boards: what they show (pure encoders) and the serial link that carries it.

Three protocols (hardware/protocols/*.md has the exact frames):

- ``ascii``: a generic line board, ``STX addr addr text ETX [checksum]`` per frame;
- ``alpha``: the Alpha Sign Communications Protocol (Alpha/BetaBrite LED signs), checksummed;
- ``dmd``: an Epson DM-D / CD5220 customer display (2 lines of 20).

The link uses pyserial's ``serial_for_url``, so boards behind serial-to-Ethernet servers
(``socket://``, ``rfc2217://``) work as well as local ports. A board is a view: a fault marks it
offline and the next update reconnects and resends the whole state.
"""

from __future__ import annotations

import contextlib
import os
import termios
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oss_desk import files
from oss_desk.domain.devices import BoardURL, parse_board_url

STX, ETX, EOT, SOH, ESC, NUL = b"\x02", b"\x03", b"\x04", b"\x01", b"\x1b", b"\x00"


@dataclass(frozen=True, slots=True)
class Call:
    code: str
    desk: str


@dataclass(frozen=True, slots=True)
class BoardState:
    """The latest calls, newest first."""

    calls: tuple[Call, ...] = ()
    message: str = ""
    """Shown when nobody has been called (e.g. "Please take a ticket")."""


def board_text(ch: str) -> str:
    """One character the board can show: ASCII, accents removed, anything else '?'."""
    if ch == "→":
        return "->"
    if 32 <= ord(ch) < 127:
        return ch
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return base if base and all(32 <= ord(c) < 127 for c in base) else "?"


def fit(text: str, width: int) -> str:
    clean = "".join(board_text(ch) for ch in text)
    return clean[:width].ljust(width)


@dataclass(frozen=True, slots=True)
class Geometry:
    rows: int = 2
    cols: int = 20


def lines_for(state: BoardState, geometry: Geometry) -> list[str]:
    rows = [f"{c.code} -> {c.desk}" for c in state.calls[: geometry.rows]]
    if not rows and state.message:
        rows = [state.message]
    rows += [""] * (geometry.rows - len(rows))
    return [fit(r, geometry.cols) for r in rows]


# Encoders ---------------------------------------------------------------------------------------


def checksum_alpha(body: bytes) -> bytes:
    """The Alpha checksum: the 16-bit sum of STX through ETX, as 4 upper-case hex digits."""
    return f"{sum(body) & 0xFFFF:04X}".encode()


def encode_alpha(lines: list[str], address: str = "01", label: str = "A", kind: str = "Z") -> bytes:
    """Write TEXT file ``label`` (hold mode): one frame with every line, checksummed."""
    positions = [b"\x22", b"\x26"] if len(lines) == 2 else [b"\x30"] * len(lines)  # top, bottom
    text = b"".join(
        ESC + pos + b"b" + line.encode("ascii") for pos, line in zip(positions, lines, strict=True)
    )
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


def encode_dmd(lines: list[str], initialise: bool = False) -> bytes:
    """Epson DM-D: overwrite mode, home, line 1, cursor to line 2, line 2 (ESC @ on connect)."""
    head = (b"\x1b\x40" if initialise else b"") + b"\x1f\x01" + b"\x0b"
    out = head + lines[0].encode("ascii")
    if len(lines) > 1:
        out += b"\x1f\x24\x01\x02" + lines[1].encode("ascii")
    return out


def geometry_for(url: BoardURL) -> Geometry:
    default = Geometry(2, 20)
    try:
        rows = int(url.params.get("rows", default.rows))
        cols = int(url.params.get("cols", default.cols))
    except ValueError:
        return default
    if url.protocol == "dmd":
        return Geometry(min(rows, 2), min(cols, 20))
    return Geometry(max(1, min(rows, 8)), max(4, min(cols, 80)))


def encode(url: BoardURL, state: BoardState, first: bool = False) -> bytes:
    lines = lines_for(state, geometry_for(url))
    if url.protocol == "alpha":
        return encode_alpha(
            lines, url.address, url.params.get("label", "A"), url.params.get("type", "Z")
        )
    if url.protocol == "dmd":
        return encode_dmd(lines, initialise=first)
    return encode_ascii(lines, url.address, url.params.get("checksum", "none"))


# The link ---------------------------------------------------------------------------------------


class BoardFault(Exception):
    pass


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
            raise BoardFault(_reason(exc)) from None
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

    def show(self, state: BoardState) -> bytes:
        """Send the whole state (the boards redraw from a full frame). Raises BoardFault."""
        if self._port is None:
            self._open()
        frame = encode(self.url, state, first=not self._sent_since_connect)
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
                raise BoardFault(_reason(exc)) from None
        self._sent_since_connect = True
        self.frames += 1
        self.last_error = None
        return frame

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):  # termios errors after a hang-up
                port.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
