"""Device URLs (contract 4.2): parsing and checking, with one-line errors. Pure: no I/O.

Printers: ``tcp://HOST:9100?timeout=3&profile=TM-T88V``, ``usb://04b8:0202?profile=TM-T20II``,
``serial:///dev/ttyUSB0?baudrate=19200``, ``file:///dev/usb/lp0``, ``cups://QUEUE``,
``capture://PATH``.

Boards: ``PROTOCOL+TRANSPORT://...`` with PROTOCOL ``ascii``, ``alpha`` or ``dmd`` and TRANSPORT
``serial`` (a device path), ``socket`` or ``rfc2217`` (a serial server), or ``capture`` (frames
appended to a file: the demo's virtual board).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from oss_desk.domain.delivery import bits_per_byte
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

PRINTER_SCHEMES = ("tcp", "usb", "serial", "file", "cups", "capture")
BOARD_PROTOCOLS = ("ascii", "alpha", "dmd")
BOARD_TRANSPORTS = ("serial", "socket", "rfc2217", "capture")
PARITIES = {"N": "N", "E": "E", "O": "O", "M": "M", "S": "S"}
# The printer profiles of python-escpos 3.1 (pinned); tests/hardware checks the list still matches.
PROFILES = frozenset(
    {
        "AF-240",
        "CT-S651",
        "KR-306",
        "NT-5890K",
        "NT-80-V-UL",
        "OCD-100",
        "OCD-300",
        "P822D",
        "POS-5890",
        "RP-F10-58mm",
        "RP-F10-80mm",
        "RP326",
        "SP2000",
        "Sunmi-V2",
        "T-1",
        "TEP-200M",
        "TH230",
        "TH230Plus",
        "TM-L90",
        "TM-P80",
        "TM-P80-42col",
        "TM-T20II",
        "TM-T20II-42col",
        "TM-T88II",
        "TM-T88III",
        "TM-T88IV",
        "TM-T88IV-SA",
        "TM-T88V",
        "TM-U220",
        "TM-U220B",
        "TSP600",
        "TUP500",
        "ZJ-5870",
        "default",
        "simple",
    }
)


@dataclass(frozen=True, slots=True)
class PrinterURL:
    url: str
    scheme: str
    host: str = ""
    port: int = 9100
    path: str = ""
    vendor: int = 0
    product: int = 0
    queue: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> str:
        return self.params.get("profile", "TM-T88V")

    @property
    def timeout(self) -> float:
        return _number(self.params.get("timeout", "3"), "timeout", self.url)

    @property
    def baudrate(self) -> int:
        return int(_number(self.params.get("baudrate", "9600"), "baudrate", self.url))

    @property
    def line_bits(self) -> int:
        """Bits on the line per byte (8N1: 10)."""
        return bits_per_byte(
            int(self.params.get("bytesize", "8")),
            self.params.get("parity", "N"),
            float(self.params.get("stopbits", "1")),
        )

    @property
    def asks_status(self) -> bool:
        """Whether the printer is asked how it is (DLE EOT) before each job."""
        return self.scheme in ("tcp", "serial", "usb") and self.params.get("status") != "off"

    @property
    def label(self) -> str:
        """A short, safe description for messages and the status bar."""
        if self.scheme == "tcp":
            return f"{self.host}:{self.port}"
        if self.scheme == "usb":
            return f"USB {self.vendor:04x}:{self.product:04x}"
        if self.scheme == "cups":
            return f"CUPS {self.queue}"
        return self.path


@dataclass(frozen=True, slots=True)
class BoardURL:
    url: str
    protocol: str
    transport: str
    target: str
    """What pyserial opens (a device path or socket:// / rfc2217:// URL), or the capture file."""
    params: dict[str, str] = field(default_factory=dict)

    def serial_settings(self) -> dict[str, object]:
        p = self.params
        parity = p.get("parity", "N").upper()[:1]
        if parity not in PARITIES:
            raise InvalidInput(f"{self.url}: parity must be N, E, O, M or S")
        baud = _number(p.get("baudrate", "9600"), "baudrate", self.url)
        _check_baudrate(baud, self.url)
        return {
            "baudrate": int(baud),
            "bytesize": int(_number(p.get("bytesize", "8"), "bytesize", self.url)),
            "parity": parity,
            "stopbits": _number(p.get("stopbits", "1"), "stopbits", self.url),
        }

    @property
    def address(self) -> str:
        return self.params.get("address", "01").upper()


LIMITS = {"timeout": 3600.0, "baudrate": 4_000_000.0, "bytesize": 8.0, "stopbits": 2.0}
"""The largest each number in a device URL may be (a timeout in seconds)."""


def _number(text: str, name: str, url: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{shown(url)}: {name} must be a number") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{shown(url)}: {name} must be a finite number, not {shown(text)!r}")
    limit = LIMITS.get(name, 1e6)
    if not 0 < value <= limit:
        raise InvalidInput(f"{shown(url)}: {name} must be a positive number up to {limit:g}")
    return value


STANDARD_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
"""The rates serial printers and boards are set to (their DIP switches or menus offer no
other): a rate outside them is a typing mistake (19220, 96000) that the port would accept and
the device would read as noise (a board shows nothing, a printer prints garbage), so it is
refused when the configuration is loaded, naming the nearest."""


def _check_baudrate(baud: float, url: str) -> None:
    if baud != int(baud):
        raise InvalidInput(f"{shown(url)}: baudrate must be a whole number")
    if int(baud) not in STANDARD_BAUDRATES:
        nearest = min(STANDARD_BAUDRATES, key=lambda rate: abs(rate - baud))
        raise InvalidInput(
            f"{shown(url)}: baudrate {int(baud)} is not a standard rate (did you mean {nearest}? "
            f"the rates: {', '.join(map(str, STANDARD_BAUDRATES))})"
        )


# The parameters each kind of printer URL takes; any other is a mistake, named in the error.
_COMMON = {"timeout", "profile", "status"}
PRINTER_PARAMETERS = {
    "tcp": _COMMON,
    "usb": _COMMON | {"in_ep", "out_ep", "serial"},
    "serial": _COMMON | {"baudrate", "bytesize", "parity", "stopbits", "flow"},
    "file": _COMMON,
    "cups": _COMMON,
    "capture": _COMMON,
}
_CHOICES = {
    "status": ("on", "off"),
    "flow": ("none", "rtscts", "xonxoff"),
    "bytesize": ("5", "6", "7", "8"),
    "stopbits": ("1", "1.5", "2"),
}
MAX_TIMEOUT = 600.0


def _check_printer_parameters(result: PrinterURL) -> None:
    """Every parameter known, every value usable: a bad one is named now, not at print time."""
    text = result.url
    allowed = PRINTER_PARAMETERS[result.scheme]
    for name in result.params:
        if name not in allowed:
            raise InvalidInput(
                f"{shown(text)}: unknown parameter {shown(name)!r} for a {result.scheme} printer "
                f"(it takes {', '.join(sorted(allowed))})"
            )
    for name, choices in _CHOICES.items():
        value = result.params.get(name)
        if value is not None and value not in choices:
            raise InvalidInput(
                f"{shown(text)}: {name} must be one of {', '.join(choices)}, not {shown(value)!r}"
            )
    if result.timeout > MAX_TIMEOUT:
        raise InvalidInput(f"{shown(text)}: timeout must be at most {MAX_TIMEOUT:.0f} seconds")
    if "baudrate" in result.params:
        _check_baudrate(_number(result.params["baudrate"], "baudrate", text), text)
    parity = result.params.get("parity")
    if parity is not None and parity.upper()[:1] not in PARITIES:
        raise InvalidInput(f"{shown(text)}: parity must be N, E, O, M or S")
    for name in ("in_ep", "out_ep"):
        if name in result.params:
            try:
                int(result.params[name], 16)
            except ValueError:
                raise InvalidInput(
                    f"{shown(text)}: {name} must be a hexadecimal endpoint, e.g. 0x82"
                ) from None


def parse_printer_url(url: str) -> PrinterURL:
    text = url.strip()
    if "://" not in text:
        raise InvalidInput(
            f"printer URL {shown(text)!r} must start with one of "
            + ", ".join(s + "://" for s in PRINTER_SCHEMES)
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    params = dict(parse_qsl(parts.query))
    if scheme == "tcp":
        if not parts.hostname:
            raise InvalidInput(f"{shown(text)}: give the printer's host, e.g. tcp://10.0.0.5:9100")
        try:
            port = parts.port or 9100
        except ValueError:
            raise InvalidInput(f"{shown(text)}: the port is not a number") from None
        result = PrinterURL(text, scheme, host=parts.hostname, port=port, params=params)
    elif scheme == "usb":
        ids = (parts.netloc or parts.path.lstrip("/")).split(":")
        try:
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise InvalidInput(
                f"{shown(text)}: give the USB vendor and product ids, e.g. usb://04b8:0202"
            ) from None
        result = PrinterURL(text, scheme, vendor=vendor, product=product, params=params)
    elif scheme in ("serial", "file", "capture"):
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise InvalidInput(f"{shown(text)}: give a path, e.g. {scheme}:///dev/ttyUSB0")
        result = PrinterURL(text, scheme, path=path, params=params)
    elif scheme == "cups":
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue:
            raise InvalidInput(f"{shown(text)}: give the CUPS queue, e.g. cups://Receipt")
        result = PrinterURL(text, scheme, queue=queue, params=params)
    else:
        raise InvalidInput(
            f"printer URL {shown(text)!r} must start with one of "
            + ", ".join(s + "://" for s in PRINTER_SCHEMES)
        )
    result.timeout  # noqa: B018 - validates the parameter now, not at print time
    if result.profile not in PROFILES:
        raise InvalidInput(
            f"{shown(text)}: unknown printer profile {shown(result.profile)!r} "
            "(e.g. TM-T88V, TM-T20II, default, simple)"
        )
    _check_printer_parameters(result)
    return result


def parse_board_url(url: str) -> BoardURL:
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    protocol, _, transport = scheme.lower().partition("+")
    if not sep or protocol not in BOARD_PROTOCOLS or transport not in BOARD_TRANSPORTS:
        raise InvalidInput(
            f"board URL {shown(text)!r} must start with PROTOCOL+TRANSPORT:// where PROTOCOL is "
            f"{'/'.join(BOARD_PROTOCOLS)} and TRANSPORT is {'/'.join(BOARD_TRANSPORTS)}"
        )
    location, _, query = rest.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not location:
        raise InvalidInput(f"{shown(text)}: give the device, e.g. ascii+serial:///dev/ttyUSB1")
    if transport in ("serial", "capture"):
        target = unquote(location)
    else:
        target = f"{transport}://{location}"
    board = BoardURL(text, protocol, transport, target, params)
    board.serial_settings()  # validates numbers and parity now
    _check_board_params(board)
    return board


# What each board protocol accepts (hardware/README.md lists the models and their limits).
BOARD_PARAMS = {
    "ascii": {"address", "checksum", "rows", "cols"},
    "alpha": {"address", "type", "label", "rows", "cols"},
    "dmd": {"mode", "rows", "cols"},
}
SERIAL_PARAMS = {"baudrate", "bytesize", "parity", "stopbits"}
ASCII_CHECKSUMS = ("none", "xor", "sum8")
DMD_MODES = ("epson", "cd5220")
_ASCII_ADDRESS = re.compile(r"^[0-9]{2}$")
_ALPHA_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}$")


def _check_board_params(board: BoardURL) -> None:
    """Addresses and options the board would misread are refused now, in one line: a board
    sent a frame with a wrong address shows nothing and says nothing."""
    where = shown(board.url)
    p = board.params
    unknown = sorted(set(p) - BOARD_PARAMS[board.protocol] - SERIAL_PARAMS)
    if unknown:
        allowed = ", ".join(sorted(BOARD_PARAMS[board.protocol] | SERIAL_PARAMS))
        raise InvalidInput(f"{where}: unknown setting {unknown[0]!r} (use {allowed})")
    if board.protocol == "ascii" and "address" in p and not _ASCII_ADDRESS.match(p["address"]):
        raise InvalidInput(
            f"{where}: address must be two digits, 00 to 99 (the board's DIP switches)"
        )
    if board.protocol == "alpha":
        if "address" in p and not _ALPHA_ADDRESS.match(p["address"]):
            raise InvalidInput(
                f"{where}: address must be two hexadecimal digits, 00 (every sign) to FF"
            )
        for name, what in (("type", "sign type code (Z: every type)"), ("label", "file label")):
            if name in p and not (len(p[name]) == 1 and 0x20 < ord(p[name]) < 0x7F):
                raise InvalidInput(f"{where}: {name} must be one character, the {what}")
    if p.get("checksum", "none") not in ASCII_CHECKSUMS:
        raise InvalidInput(f"{where}: checksum must be {', '.join(ASCII_CHECKSUMS)}")
    if p.get("mode", "epson") not in DMD_MODES:
        raise InvalidInput(f"{where}: mode must be {' or '.join(DMD_MODES)}")
    most_rows, most_cols = (2, 20) if board.protocol == "dmd" else (8, 80)
    for name, low, high in (("rows", 1, most_rows), ("cols", 4, most_cols)):
        if name in p and not (p[name].isdigit() and low <= int(p[name]) <= high):
            raise InvalidInput(f"{where}: {name} must be a whole number from {low} to {high}")
