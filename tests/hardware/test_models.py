"""Every printer model oss-desk lists, printed and read back by the suite's own decoder.

Each model's ticket is compared with its golden bytes (``hardware/captures/models/``) and decoded
independently: the code page it selects holds the pound sign, the QR (native with a blank line
after it for its quiet zone; a raster image with a 4-module quiet zone; none on an impact
printer), the largest text it can print, and how the job ends (a cut, or a feed to the tear bar
on a printer without a cutter).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oss_desk.domain.printouts import SelfTestPrintout, TicketPrintout, ticket
from oss_desk.domain.wording import Wording
from oss_desk.hardware.models import MODELS, printer_model
from oss_desk.hardware.templates import render

from ..escpos_decoder import (
    CODE_PAGES,
    Cut,
    Event,
    Image,
    Init,
    Line,
    QRCode,
    Unknown,
    Warning,
    decode,
    lines,
)

GOLDEN = Path(__file__).resolve().parents[2] / "hardware" / "captures" / "models"
TICKET = TicketPrintout(
    council="Test Council",
    site="Civic Centre",
    code="C012",
    label="Council Tax",
    issued="09:41",
    ahead=3,
    estimate_minutes=12,
    qr="OSSD-T:hq:2026-11-23:C012",
)
PROFILES = [m.profile for m in MODELS]


def golden(name: str, data: bytes) -> None:
    """A change detector: regenerate on purpose with
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/hardware/test_models.py"""
    path = GOLDEN / f"{name}.bin"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing {path}: run with UPDATE_GOLDEN=1 once"
    assert data == path.read_bytes()


def code_page(data: bytes) -> int:
    """The ESC t the job selects (exactly one)."""
    assert data.count(b"\x1bt") == 1
    return data[data.index(b"\x1bt") + 2]


def ending(events: list[Event]) -> list[Event]:
    """What follows the last printed text or picture."""
    last = max(
        i
        for i, e in enumerate(events)
        if isinstance(e, QRCode | Image) or (isinstance(e, Line) and e.text)
    )
    return events[last + 1 :]


@pytest.mark.parametrize("profile", PROFILES)
def test_each_models_ticket(profile: str) -> None:
    model = printer_model(profile)
    data = render(TICKET, profile)
    golden(f"ticket-{profile}", data)
    events = decode(data)
    assert [e for e in events if isinstance(e, Unknown | Warning)] == []
    assert isinstance(events[0], Init) and sum(isinstance(e, Init) for e in events) == 1
    assert code_page(data) == model.code_page_number
    assert CODE_PAGES[model.code_page_number] == model.code_page
    code = next(ln for ln in lines(events) if ln.text == "C012")
    assert (code.width, code.height, code.bold) == (
        min(4, model.max_size),
        min(4, model.max_size),
        True,
    )
    assert all(ln.width <= model.max_size for ln in lines(events))
    texts = [ln.text for ln in lines(events) if ln.text]
    assert "Council Tax" in texts and "3 people ahead of you" in texts
    qrs = [e for e in events if isinstance(e, QRCode)]
    images = [e for e in events if isinstance(e, Image)]
    if model.native_qr:
        assert [q.payload for q in qrs] == [TICKET.qr] and images == []
        after = events[events.index(qrs[0]) + 1]
        assert isinstance(after, Line) and after.text == ""  # the quiet zone below
    elif model.raster:
        assert qrs == [] and len(images) == 1
    else:
        assert qrs == [] and images == []  # text only
    cuts = [e for e in events if isinstance(e, Cut)]
    if model.cut == "none":
        assert cuts == []
        tail = ending(events)
        assert tail and all(isinstance(e, Line) and e.text == "" for e in tail)
        assert data.endswith(b"\x1bd" + bytes([model.tear_feed])) and model.tear_feed >= 4
    else:
        assert len(cuts) == 1 and events[-1] == cuts[0]
        assert cuts[0].full == (model.cut == "full")


@pytest.mark.parametrize("profile", PROFILES)
def test_pound_sign_on_every_model(profile: str) -> None:
    events = decode(render(SelfTestPrintout("Test", ("Fee £12.50",)), profile))
    assert [e for e in events if isinstance(e, Unknown | Warning)] == []
    texts = [ln.text for ln in lines(events)]
    assert "Fee £12.50" in texts
    euro = (
        "Pounds and euros: £ €"
        if "€".encode(printer_model(profile).code_page, "ignore")
        else ("Pounds and euros: £ EUR")
    )
    assert euro in texts


def test_pos_5890_selects_pc858_as_page_19() -> None:
    """python-escpos 3.1 picks ESC t 53 for PC858 on this profile: page 19 is the one the
    POS-5890 family shares with Epson's table."""
    data = render(TICKET, "POS-5890")
    assert code_page(data) == 19


def test_raster_qr_has_a_four_module_quiet_zone() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image as PILImage

    (image,) = [e for e in decode(render(TICKET, "POS-5890")) if isinstance(e, Image)]
    dark = [(x, y) for y, row in enumerate(image.rows) for x, bit in enumerate(row) if bit]
    top = min(y for _, y in dark)
    bottom = image.height - 1 - max(y for _, y in dark)
    module = 4  # the ticket's QR module (6) less 2 for a raster image
    assert top >= 4 * module and bottom >= 4 * module
    picture = PILImage.new("L", (image.width, image.height), 255)
    for x, y in dark:
        picture.putpixel((x, y), 0)
    found = zxingcpp.read_barcodes(picture.resize((picture.width * 3, picture.height * 3)))
    assert [r.text for r in found] == [TICKET.qr]  # no padding added by the test this time


def test_an_impact_ticket_is_text_only_with_the_code_large() -> None:
    data = render(TICKET, "TM-U220")
    assert b"\x1dv0" not in data and b"\x1d(k" not in data and b"\x1b*" not in data
    events = decode(data)
    code = next(ln for ln in lines(events) if ln.text == "C012")
    assert (code.width, code.height, code.bold, code.align) == (2, 2, True, "center")


def test_an_english_office_prints_as_before() -> None:
    """The wording machinery changes nothing for an English office: the ticket built from the
    office's (English) wording is byte for byte the plain one."""
    worded = ticket(Wording(), TICKET, ("Test Council",), ("Civic Centre",), ("Council Tax",))
    for profile in PROFILES:
        assert render(worded, profile) == render(TICKET, profile)


def test_hardware_readme_lists_every_model() -> None:
    """Each model with its reference, its code page and what it cannot do."""
    readme = (GOLDEN.parents[1] / "README.md").read_text(encoding="utf-8")
    for model in MODELS:
        row = next(
            (line for line in readme.splitlines() if line.startswith(f"| `{model.profile}` |")),
            None,
        )
        assert row is not None, f"hardware/README.md has no row for {model.profile}"
        assert model.url in row
        assert f"`ESC t {model.code_page_number}`" in row
        assert model.code_page.upper() in row
        assert (model.limits or "-") in row
