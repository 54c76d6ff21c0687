"""Printouts as ESC/POS bytes and as a plain preview.

The bytes are built here (the start, the changes of style, the printer's own QR, the end), so a
printer with a native QR never loads python-escpos, Pillow or qrcode (about 15 MB and 150 ms on
first use); python-escpos's Dummy draws only a raster QR, for printers without one, and reads the
capabilities of a profile ``hardware/models.py`` does not list. Tests compare each piece with
python-escpos's own bytes.

A template lays a printout out as a list of blocks; the blocks are then rendered twice: to bytes
for the printer and to text for the on-screen preview, so the two cannot disagree.

Pitfalls handled here (see hardware/README.md): double size through ESC ! clears bold, so sizes
use GS ! and bold is set on its own; the code page is set once after ESC @ (CP858: pound and
euro); native QR only when the profile supports it, else a raster image; one cut at the end.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from oss_desk.domain.calendar import hour_said
from oss_desk.domain.printouts import (
    Printout,
    ReferralSlipPrintout,
    SelfTestPrintout,
    SlipPrintout,
    SummaryPrintout,
    TicketPrintout,
)
from oss_desk.hardware import glyphs
from oss_desk.hardware.escpos_compat import DEFAULT_PROFILE, dummy, quiet
from oss_desk.hardware.models import PrinterModel, printer_model
from oss_desk.hardware.qr import qr_image

Align = Literal["left", "center", "right"]
CODE_PAGE = "cp858"
"""The code page of printers without a model of their own (pound and euro)."""


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    align: Align = "left"
    size: int = 1
    """Width and height multiplier (1-8)."""
    bold: bool = False


@dataclass(frozen=True, slots=True)
class QR:
    payload: str
    module: int = 6


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


Block = Line | QR | Feed


# Layouts ---------------------------------------------------------------------------------------


def layout(printout: Printout, columns: int = 42) -> list[Block]:
    if isinstance(printout, TicketPrintout):
        return _ticket(printout)
    if isinstance(printout, SlipPrintout):
        return _slip(printout, columns)
    if isinstance(printout, ReferralSlipPrintout):
        return _referral(printout, columns)
    if isinstance(printout, SummaryPrintout):
        return _summary(printout, columns)
    return _test(printout)


COPY_LINE = "COPY"


def _copy(copy: bool) -> list[Block]:
    """Every copy after the first says so, first thing on the paper (a copy cut short still
    shows it)."""
    return [Line(COPY_LINE, "center", size=2, bold=True)] if copy else []


def _ticket(t: TicketPrintout) -> list[Block]:
    """Every text in each of the office's languages, Welsh first, one under the other."""
    big = 2 if t.large_print else 1
    blocks: list[Block] = [
        *_copy(t.copy),
        *[Line(text, "center", size=big, bold=True) for text in t.say("council")],
        *[Line(text, "center", size=big) for text in t.say("site")],
        Feed(),
        Line(t.code, "center", size=6 if t.large_print else 4, bold=True),
        Feed(),
        *[Line(text, "center", size=big + 1, bold=True) for text in t.say("label")],
        *[Line(text, "center", size=big) for text in t.say("issued")],
        *[Line(text, "center", size=big) for text in t.say("wait")],
        Feed(),
    ]
    if t.qr:
        if t.qr.startswith(("http://", "https://")):
            blocks += [Line(text, "center", size=big) for text in t.say("phone")]
        blocks.append(QR(t.qr, module=8 if t.large_print else 6))
    blocks += [
        *[Line(text, "center", size=big) for text in t.say("watch")],
        *[Line(text, "center", size=big) for text in t.say("privacy")],  # large print: all
    ]
    return blocks


def _scale(large_print: bool, columns: int) -> tuple[int, int]:
    """The text size (double for large print) and how many characters fit on a line at it."""
    big = 2 if large_print else 1
    return big, columns // big


def _titled(council: list[str], title: list[str], big: int) -> list[Block]:
    """The council's name and the printout's title, centred, each line in every language."""
    return [
        *[Line(text, "center", size=big, bold=True) for text in council],
        *[Line(text, "center", size=big + 1, bold=True) for text in title],
    ]


def _slip(s: SlipPrintout, columns: int) -> list[Block]:
    big, width = _scale(s.large_print, columns)
    blocks: list[Block] = [
        *_copy(s.copy),
        *_titled(s.say("council"), s.say("title"), big),
        Feed(),
        *[Line(text, "left", size=big, bold=True) for text in s.say("service")],
        *[Line(text, "left", size=big) for text in s.say("date")],
        *[Line(text, "left", size=big, bold=True) for text in s.say("at")],
    ]
    # a room; the office itself is named on the next lines
    blocks += [Line(text, "left", size=big) for text in s.say("place")]
    blocks += _wrapped(s.say("where"), "left", big, width)
    items = s.say("checklist")
    if items:
        blocks += [Feed(), *[Line(text, "left", size=big, bold=True) for text in s.say("bring")]]
        for item in items:
            for n, form in enumerate(item.split("\n")):
                wrapped = _wrap(form, width - 2)
                blocks.append(Line(f"{'-' if n == 0 else ' '} {wrapped[0]}", "left", size=big))
                blocks += [Line(f"  {more}", "left", size=big) for more in wrapped[1:]]
    blocks += [
        Feed(),
        *[Line(text, "center", size=big) for text in s.say("reference")],
        Line(s.reference, "center", size=2 if not s.large_print else 3, bold=True),
    ]
    if s.qr:
        blocks.append(QR(s.qr, module=6))
    blocks += _wrapped(s.say("change"), "center", big, width)
    return blocks


def _referral(s: ReferralSlipPrintout, columns: int) -> list[Block]:
    big, width = _scale(s.large_print, columns)
    blocks: list[Block] = [
        *_titled(s.say("council"), s.say("title"), big),
        Feed(),
        *[Line(text, "left", size=big, bold=True) for text in s.say("service")],
    ]
    blocks += _wrapped([*s.say("passed"), *s.say("at")], "left", big, width)
    blocks += [
        *[Line(text, "left", size=big) for text in s.say("expect")],
        *[Line(text, "left", size=big, bold=True) for text in s.say("expect_by")],
        Feed(),
        *[Line(text, "center", size=big) for text in s.say("quote")],
        Line(s.reference, "center", size=2 if not s.large_print else 3, bold=True),
    ]
    # the privacy line in large print too: all of it
    blocks += _wrapped([*s.say("closing"), *s.say("privacy")], "center", big, width)
    return blocks


def _summary(s: SummaryPrintout, columns: int) -> list[Block]:
    big, width = _scale(s.large_print, columns)
    blocks: list[Block] = [
        *_titled([s.council], ["Daily footfall summary"], big),  # the title wraps
        Line(f"{s.site}, {s.date}", "center", size=big),
        Feed(),
    ]
    meaning = dict(s.definitions)
    for label, value in s.rows:
        blocks += _pairs(((label, value),), width, big)
        if label in meaning:
            blocks += [Line(f"  {part}", size=big) for part in _wrap(meaning[label], width - 2)]
    for title, rows in s.sections:
        blocks += [Feed(), Line(title, size=big, bold=True), *_pairs(rows, width, big)]
    if s.by_hour:
        blocks += [Feed(), Line("Arrivals by hour", size=big, bold=True)]
        peak = max((count for _, count in s.by_hour), default=0)
        bar_room = width - 12
        for hour, count in s.by_hour:
            bar = "#" * (round(bar_room * count / peak) if peak else 0)
            blocks.append(Line(f"{hour_said(hour)} {count:4d} {bar}", size=big))
    if s.notes:
        blocks.append(Feed())
    blocks += _wrapped(s.notes, "left", big, width)
    return blocks


def _pairs(rows: tuple[tuple[str, str], ...], width: int, size: int) -> list[Block]:
    """Label left, value right on one line; on a line too short for both, the value goes
    under its label, right-aligned (neither is cut)."""
    lines: list[Block] = []
    for label, value in rows:
        room = width - len(value) - 1
        if room >= len(label):
            lines.append(Line(f"{label:<{room}} {value}", size=size))
        else:
            lines += [Line(label, size=size), Line(value, "right", size=size)]
    return lines


def _test(t: SelfTestPrintout) -> list[Block]:
    return [
        Line(t.title, "center", size=2, bold=True),
        Feed(),
        *[Line(text) for text in t.lines],
        Line("Pounds and euros: £ €", "center"),
        QR("oss-desk printer test"),
    ]


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(10, width)) or [""]


def _wrapped(texts: Iterable[str], align: Align, size: int, width: int) -> list[Block]:
    """Each text wrapped to ``width`` characters, a line for each part."""
    return [Line(part, align, size=size) for text in texts for part in _wrap(text, width)]


# ESC/POS ---------------------------------------------------------------------------------------


def render(printout: Printout, profile: str = DEFAULT_PROFILE) -> bytes:
    """The printer's bytes: ESC @, the code page, the Welsh letters if any, the blocks, the end.

    Only changes of alignment, size and emphasis are sent, so a queue ticket with a native QR
    stays well under 400 bytes (the paper moves as fast as the bytes arrive on serial printers).
    What the printer model can do (``hardware/models.py``) decides the code page, the largest
    text, the QR (native; else a raster image with its 4-module quiet zone; else none, on an
    impact printer) and the end (a cut, or a feed to the tear bar).

    The changes of style and the start are built once per profile and kept
    (:func:`_restyled`, :func:`_start`), and each line's wrapping is kept (:func:`_fitted`): a
    ticket builds only its text's bytes and its QR.
    """
    press = _press(profile)
    columns = press.columns
    blocks = layout(printout, columns)
    welsh = press.model.user_chars is not None and any(
        not glyphs.CODES.keys().isdisjoint(block.text)
        for block in blocks
        if isinstance(block, Line)
    )
    style: Style = ("left", 1, False)
    parts = [_start(profile, welsh)]
    previous: Block | None = None
    for block in blocks:
        if isinstance(block, QR):
            part, style = _qr(press, style, block, isinstance(previous, Line))
        else:
            part, style = _piece(profile, welsh, style, block)
        parts.append(part)
        previous = block
    parts.append(_piece(profile, welsh, style, _END)[0])
    return b"".join(parts)


Style = tuple[Align, int, bool]
"""Alignment, size and emphasis in force."""


@dataclass(frozen=True, slots=True)
class _End:
    """The end of a printout: plain left-aligned text again, then the cut (or the tear bar)."""


_END = _End()


@dataclass(frozen=True, slots=True)
class _Press:
    """What rendering needs to know of a profile (its model, read once)."""

    profile: str
    model: PrinterModel
    columns: int
    media_known: bool


@lru_cache(maxsize=64)
def _press(profile: str) -> _Press:
    model = printer_model(profile)
    return _Press(profile, model, model.columns, model.media_known)


_ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01", "right": b"\x1ba\x02"}


def _styled(before: Style, after: Style) -> bytes:
    """Only the changes from ``before`` to ``after``: ESC a (alignment), GS ! (size: ESC ! would
    clear bold), ESC E (emphasis); the bytes python-escpos's ``set()`` sends for each, in the
    same order (``tests/hardware/test_templates.py`` compares them)."""
    out = b""
    if after[0] != before[0]:
        out += _ALIGN[after[0]]
    if after[1] != before[1]:
        out += b"\x1d!" + bytes([(after[1] - 1) << 4 | (after[1] - 1)])
    if after[2] != before[2]:
        out += b"\x1bE\x01" if after[2] else b"\x1bE\x00"
    return out


def _qr_native(payload: str, module: int) -> bytes:
    """The printer's own QR (GS ( k: model 2, ``module`` dots a module, error correction M,
    the data, print), as python-escpos's ``qr(native=True)`` sends it."""

    def function(fn: int, data: bytes, m: bytes = b"") -> bytes:
        size = len(data) + len(m) + 2
        return b"\x1d(k" + bytes([size % 256, size // 256]) + b"1" + bytes([fn]) + m + data

    return (
        function(65, bytes([48 + 2, 0]))
        + function(67, bytes([module]))
        + function(69, bytes([48 + QR_EC_M]))
        + function(80, payload.encode("utf-8"), b"0")
        + function(81, b"", b"0")
    )


@lru_cache(maxsize=128)
def _start(profile: str, welsh: bool) -> bytes:
    """ESC @, this model's code page (ESC t n), the Welsh letters' definitions if used."""
    model = _press(profile).model
    start = b"\x1b@\x1bt" + bytes([model.code_page_number])
    if welsh and model.user_chars is not None:
        start += glyphs.definitions(model.user_chars)
    return start


def _piece(
    profile: str, welsh: bool, before: Style, block: Line | Feed | _End
) -> tuple[bytes, Style]:
    """The bytes of a line, a feed or the end after ``before``, and the style after them."""
    press = _press(profile)
    model = press.model
    if isinstance(block, Line):
        size = max(1, min(model.max_size, block.size))
        after: Style = (block.align, size, block.bold)
        parts = fitted(block.text, press.columns // size, model.code_page, welsh)
        text = b"".join(encode_text(part, model.code_page) + b"\n" for part in parts)
        return _restyled(profile, before, after) + text, after
    if isinstance(block, Feed):
        after = (before[0], 1, False)
        # (never p.ln(): its text() re-sends ESC t)
        return _restyled(profile, before, after) + b"\n" * block.lines, after
    after = ("left", 1, False)
    if model.cut == "full":
        end = b"\x1bd\x06\x1dV\x00"  # ESC d 6 (to the cutter), GS V 0
    elif model.cut == "partial":
        end = b"\x1bd\x06\x1dV\x01"  # ESC d 6, GS V 1
    else:
        end = b"\x1bd" + bytes([model.tear_feed])  # no cutter: to the tear bar
    return _restyled(profile, before, after) + end, after


@lru_cache(maxsize=512)
def _restyled(profile: str, before: Style, after: Style) -> bytes:
    """The bytes for the changes of style from ``before`` to ``after``, built once per profile
    and kept (a printout has a handful of them, the same on every ticket)."""
    return _styled(before, after)


_SCRATCH = threading.local()


def _scratch(profile: str) -> Any:
    """An empty byte builder for ``profile``, one per thread (printer lanes render at once)."""
    kept: dict[str, Any] = _SCRATCH.__dict__.setdefault("printers", {})
    p = kept.get(profile)
    if p is None:
        p = kept[profile] = dummy(profile)
    p.clear()
    return p


def _qr(press: _Press, before: Style, block: QR, after_line: bool) -> tuple[bytes, Style]:
    """The QR (native where the model has it, else a raster image, else nothing: an impact
    printer has no graphics), centred, with its quiet zone."""
    model = press.model
    if not (model.native_qr or model.raster):
        return b"", before
    after: Style = ("center", 1, False)
    styled = _restyled(press.profile, before, after)
    if model.native_qr:
        # The quiet zone above (after a line) and below (the printer does not feed after it).
        above = b"\n" if after_line else b""
        return styled + above + _qr_native(block.payload, block.module) + b"\n", after
    # A raster image: python-escpos (with Pillow and qrcode) loads for it, here only.
    p = _scratch(press.profile)
    with quiet():
        image = qr_image(block.payload, max(3, block.module - 2))
        p.image(image, center=press.media_known)
    output: bytes = p.output
    return styled + output, after


QR_EC_M = 1  # python-escpos's QR_ECLEVEL_M (error correction level M)

_SAMPLE = TicketPrintout(
    council="Council",
    site="Site",
    code="A001",
    label="Service",
    issued="09:00",
    ahead=1,
    estimate_minutes=5,
    qr="OSSD-T:site:2026-01-01:A001",
)


def warm(profile: str) -> None:
    """Load what rendering for ``profile`` needs, and keep its pieces, before its first job (a
    printer's lane, as it starts: the first resident's ticket does not wait for them). Only a
    printer without its own QR loads python-escpos, Pillow and qrcode (its QR is an image)."""
    render(_SAMPLE, profile)


def encode_text(text: str, codec: str = CODE_PAGE) -> bytes:
    """A line's bytes in ``codec``; the Welsh letters as their user-defined characters."""
    if glyphs.CODES.keys().isdisjoint(text):  # (most lines: one call, not one per letter)
        return text.encode(codec, "replace")
    return b"".join(
        glyphs.use(ch) if ch in glyphs.CODES else ch.encode(codec, "replace") for ch in text
    )


# Letters that do not decompose into a base letter and an accent.
_SUBSTITUTES = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Œ": "OE",
    "œ": "oe",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "€": "EUR",
}


def printable(
    text: str, width: int | None = None, codec: str = CODE_PAGE, welsh: bool = True
) -> str:
    """Text the code page can print: accents kept where ``codec`` has them, else the base
    letter, else '?'; the Welsh letters kept when the printer draws them (``welsh``). With
    ``width``, cut to it (callers wrap first, so this is the last resort)."""
    if text.isprintable() and _encodable(text, codec):  # every letter kept as it is
        return text if width is None or len(text) <= width else _cut(text, width)
    out = []
    for ch in text:
        if (welsh and ch in glyphs.CODES) or (ch.isprintable() and _encodable(ch, codec)):
            out.append(ch)
            continue
        if ch in _SUBSTITUTES:
            out.append(_SUBSTITUTES[ch])
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append(base if base and base.isprintable() else "?")
    line = "".join(out)
    if width is None or len(line) <= width:
        return line
    return _cut(line, width)


def _cut(line: str, width: int) -> str:
    return line[: max(1, width - 1)] + "."


def fitted(text: str, width: int, codec: str = CODE_PAGE, welsh: bool = True) -> list[str]:
    """``text`` made printable and wrapped to ``width`` (a word longer than a line is cut)."""
    return list(_fitted(text, width, codec, welsh))


@lru_cache(maxsize=1024)
def _fitted(text: str, width: int, codec: str, welsh: bool) -> tuple[str, ...]:
    """:func:`fitted`, kept: most lines of a printout (the council, the office, the service,
    the privacy line) are the same on every ticket, and wrapping them is most of a render."""
    import textwrap

    clean = printable(text, codec=codec, welsh=welsh)
    wrapped = textwrap.wrap(clean, max(1, width)) if clean.strip() else [clean]
    return tuple(printable(part, width, codec, welsh) for part in wrapped) or ("",)


@lru_cache(maxsize=4096)
def _encodable(ch: str, codec: str = CODE_PAGE) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# Preview -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewLine:
    text: str
    bold: bool = False
    size: int = 1
    kind: Literal["text", "qr", "blank"] = "text"


def preview(printout: Printout, columns: int = 42) -> list[PreviewLine]:
    """What the paper shows, line by line (a QR as a marked line with its payload)."""
    lines: list[PreviewLine] = []
    for block in layout(printout, columns):
        if isinstance(block, Line):
            for part in fitted(block.text, columns // max(1, block.size)):
                text = " ".join(part) if block.size > 1 else part  # wide letters
                lines.append(
                    PreviewLine(
                        _aligned(text, block.align, columns), bold=block.bold, size=block.size
                    )
                )
        elif isinstance(block, Feed):
            lines.extend(PreviewLine("", kind="blank") for _ in range(block.lines))
        else:
            lines.append(
                PreviewLine(_aligned(f"[QR: {block.payload}]", "center", columns), kind="qr")
            )
    return lines


def _aligned(text: str, align: Align, columns: int) -> str:
    if align == "center":
        return text.center(columns).rstrip()
    if align == "right":
        return text.rjust(columns)
    return text
