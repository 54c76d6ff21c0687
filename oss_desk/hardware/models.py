"""What each supported printer model can do, in one place (``hardware/README.md`` lists them).

A printer URL names a python-escpos profile (``?profile=TM-T20II``); the profile's capability
data says how wide the paper is and whether the printer has native QR. What it does not say, or
says wrongly for our use, is here: which ``ESC t`` number selects a code page holding the pound
sign, whether the printer has a cutter and raster graphics, how large it prints text, and the
size of its user-defined characters (``ESC &``, used for the Welsh letters no code page holds).
A profile not listed here gets ``GENERIC`` with its own profile's QR and cutter flags.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class UserCharCell:
    """The dot matrix of a user-defined character (ESC & y c1 c2 [x d1..d(y*x)]...)."""

    width: int
    """Dots across (x)."""
    height: int
    """Dots down (at most 8 * ``y_bytes``)."""

    @property
    def y_bytes(self) -> int:
        return (self.height + 7) // 8


THERMAL_CELL = UserCharCell(12, 24)
"""Font A of 180/203 dpi thermal printers: 12 x 24 dots, y = 3."""
IMPACT_CELL = UserCharCell(12, 9)
"""Font A (9 x 9) of Epson's 9-pin impact printers: 12 half-dot columns, 9 dots, y = 2."""


@dataclass(frozen=True, slots=True)
class PrinterModel:
    profile: str
    """The python-escpos profile a printer URL names."""
    models: str
    """The printers it stands for."""
    url: str
    """Where its command set and limits are written down."""
    paper_mm: int
    code_page: str
    """Python codec of the code page oss-desk selects (it holds the pound sign)."""
    code_page_number: int
    """``ESC t n`` for that code page on this printer."""
    cut: Literal["full", "partial", "none"]
    """How the job ends: a full cut, a partial cut, or fed to the tear bar (no cutter)."""
    native_qr: bool
    raster: bool
    """Raster graphics (GS v 0): the QR as an image where there is no native QR."""
    max_size: int = 8
    """Largest text magnification (GS !)."""
    user_chars: UserCharCell | None = THERMAL_CELL
    tear_feed: int = 4
    """Lines fed after the last one on a printer without a cutter (to the tear bar)."""
    limits: str = ""
    """What it cannot do, in words (the README's table)."""
    columns: int = 42
    """Characters a line of font A (python-escpos's ``fonts.0.columns``)."""
    media_known: bool = True
    """The paper's width in dots is known (python-escpos's ``media.width.pixels``): a raster
    image can be centred."""


EPSON_REFERENCE = "https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/index.html"
PROFILE_DB = "https://github.com/receipt-print-hq/escpos-printer-db/blob/master/data/profile/"

EPSON_THERMAL = PrinterModel(
    "TM-T88V",
    "Epson TM-T88V, TM-T88VI, TM-T88VII",
    EPSON_REFERENCE,
    80,
    "cp858",
    19,
    cut="full",
    native_qr=True,
    raster=True,
)
"""Epson's 80 mm thermal printers: PC858, a full cut, native QR and raster graphics."""

MODELS: tuple[PrinterModel, ...] = (
    EPSON_THERMAL,
    replace(
        EPSON_THERMAL,
        profile="TM-T88IV",
        models="Epson TM-T88IV",
        limits="Native QR needs firmware with GS ( k (most TM-T88IV units have it).",
    ),
    replace(EPSON_THERMAL, profile="TM-T20II", models="Epson TM-T20II, TM-T20III", columns=48),
    PrinterModel(
        "TM-U220",
        "Epson TM-U220D (impact, no cutter)",
        "https://easymanua.ls/epson/tm-u220a/manual?p=58",
        76,
        "cp437",
        0,
        cut="none",
        native_qr=False,
        raster=False,
        max_size=2,
        user_chars=IMPACT_CELL,
        tear_feed=6,
        limits=(
            "Impact, 9-pin: no raster graphics and no QR (tickets are text only, the code at "
            "double size, the largest it prints); code page 437 (pound, no euro: printed EUR); "
            "no cutter: the ticket is fed to the tear bar (the TM-U220A and B have one: use "
            "profile TM-U220B)."
        ),
    ),
    PrinterModel(
        "TM-U220B",
        "Epson TM-U220A, TM-U220B (impact, with a cutter)",
        "https://easymanua.ls/epson/tm-u220a/manual?p=58",
        76,
        "cp437",
        0,
        cut="partial",
        native_qr=False,
        raster=False,
        max_size=2,
        user_chars=IMPACT_CELL,
        limits=(
            "As the TM-U220, with its autocutter (partial cut only); the ticket is text only "
            "with the code at double size."
        ),
    ),
    PrinterModel(
        "POS-5890",
        "Zjiang POS-5890 and its rebrands (58 mm)",
        PROFILE_DB + "POS-5890.yml",
        58,
        "cp858",
        19,
        cut="none",
        native_qr=False,
        raster=True,
        limits=(
            "No cutter (fed to the tear bar); no native QR (a raster QR, centred: about 6 KB, "
            "6 s at 9600 baud, instant over USB); 32 columns. PC858 is ESC t 19 (python-escpos "
            "picks 53, which these printers do not all have)."
        ),
        columns=32,
    ),
    PrinterModel(
        "ZJ-5870",
        "ZiJiang ZJ-5870 (AGPtEK, Esky, 'POS-58') (58 mm)",
        PROFILE_DB + "ZJ-5870.yml",
        58,
        "cp1252",
        16,
        cut="none",
        native_qr=False,
        raster=True,
        limits=(
            "No cutter (fed to the tear bar); no native QR (a raster QR, about 6 KB); 32 columns; "
            "no PC858: "
            "Windows-1252 (ESC t 16) holds the pound and euro signs."
        ),
        columns=32,
    ),
    PrinterModel(
        "RP-F10-58mm",
        "Seiko RP-F10 with 58 mm paper",
        PROFILE_DB + "RP-F10-58mm.yml",
        58,
        "cp858",
        19,
        cut="full",
        native_qr=True,
        raster=True,
        limits="36 columns.",
        columns=36,
    ),
    PrinterModel(
        "simple",
        "any ESC/POS printer of unknown abilities",
        PROFILE_DB + "simple.yml",
        80,
        "cp437",
        0,
        cut="none",
        native_qr=False,
        raster=True,
        limits=(
            "Assumes the least: code page 437 (euro printed EUR), no cutter, no native QR "
            "(a raster QR)."
        ),
        media_known=False,
    ),
)

GENERIC = replace(EPSON_THERMAL, profile="default", models="other profiles", url=PROFILE_DB)


@lru_cache(maxsize=64)
def printer_model(profile: str) -> PrinterModel:
    """The model behind a profile; other profiles take their QR and cutter flags from
    python-escpos's capability data, with PC858 as the code page."""
    for model in MODELS:
        if model.profile == profile:
            return model
    from oss_desk.hardware.escpos_compat import capabilities

    data = capabilities(profile)
    features = data.get("features", {})
    cut: Literal["full", "partial", "none"] = (
        "full"
        if features.get("paperFullCut")
        else "partial"
        if features.get("paperPartCut")
        else "none"
    )
    return replace(
        GENERIC,
        profile=profile,
        models=f"profile {profile}",
        cut=cut,
        native_qr=bool(features.get("qrCode")),
        raster=bool(features.get("bitImageRaster", True)),
        columns=_columns(data),
        media_known=_media_known(data),
    )


def _media_known(data: dict[str, Any]) -> bool:
    media = data.get("media", {}).get("width")
    return isinstance(media, dict) and media.get("pixels") not in (None, "Unknown")


def _columns(data: dict[str, Any]) -> int:
    try:
        return int(data["fonts"]["0"]["columns"])
    except (KeyError, TypeError, ValueError):
        return 42
