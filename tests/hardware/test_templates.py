"""Every printout rendered, then decoded by the suite's own decoder: what would be on paper."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.domain.devices import PROFILES
from oss_desk.domain.printouts import (
    PRIVACY_LINE,
    Printout,
    SelfTestPrintout,
    SlipPrintout,
    SummaryPrintout,
    TicketPrintout,
    from_payload,
    print_request,
    to_payload,
)
from oss_desk.hardware.escpos_compat import known_profiles
from oss_desk.hardware.glyphs import WELSH
from oss_desk.hardware.templates import encode_text, preview, printable, render

from ..escpos_decoder import Cut, Image, Init, QRCode, Unknown, Warning, decode, lines

CAPTURES = Path(__file__).resolve().parents[2] / "hardware" / "captures"

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
SLIP = SlipPrintout(
    council="Test Council",
    site="Civic Centre",
    address="Market Street, Testtown TT1 1AA",
    service="Benefits",
    date="Monday 30 November 2026",
    time="09:30",
    place="Interview room 1",
    reference="BX7-K2Q",
    checklist=(
        "Photo ID (passport or driving licence)",
        "Bank statements for the last 2 months",
        "Proof of income for the last 5 weeks, such as payslips or a letter from your employer",
    ),
    qr="OSSD-A:BX7-K2Q",
    change_line="To change or cancel, call 01234 567890 and quote your reference.",
)
SUMMARY = SummaryPrintout(
    council="Test Council",
    site="Civic Centre",
    date="2026-11-23",
    rows=(("Visits", "112"), ("Seen within 15 min", "86.4%"), ("Resolved first time", "81.0%")),
    by_hour=(("09", 14), ("10", 22), ("11", 17)),
)
SAMPLES: dict[str, Printout] = {
    "ticket": TICKET,
    "ticket-large": TicketPrintout(**{**to_payload(TICKET), "large_print": True}),
    "slip": SLIP,
    "summary": SUMMARY,
}


def clean(events: Sequence[object]) -> None:
    """No unknown commands, no warnings, one ESC @ at the very start, exactly one cut, last."""
    assert [e for e in events if isinstance(e, Unknown | Warning)] == []
    assert isinstance(events[0], Init)
    assert sum(isinstance(e, Init) for e in events) == 1
    cuts = [i for i, e in enumerate(events) if isinstance(e, Cut)]
    assert len(cuts) == 1 and cuts[0] == len(events) - 1


def test_ticket_on_paper() -> None:
    events = decode(render(TICKET))
    clean(events)
    text = [(ln.text, ln.align, ln.width, ln.bold) for ln in lines(events) if ln.text]
    assert ("C012", "center", 4, True) in text  # the code: big, bold, centred
    assert text[0] == ("Test Council", "center", 1, True)
    assert ("Council Tax", "center", 2, True) in text
    assert ("Issued 09:41", "center", 1, False) in text
    assert ("3 people ahead of you", "center", 1, False) in text
    assert ("Wait about 12 minutes", "center", 1, False) in text
    assert (PRIVACY_LINE, "center", 1, False) in text
    code = next(ln for ln in lines(events) if ln.text == "C012")
    assert code.height == 4  # double size through GS !, so bold is not lost
    (qr,) = [e for e in events if isinstance(e, QRCode)]
    assert qr.payload == "OSSD-T:hq:2026-11-23:C012"
    assert qr.align == "center" and qr.ec == "M" and qr.module == 6


def test_ticket_bytes_are_small() -> None:
    assert len(render(TICKET)) < 400  # native QR: about 0.3 s at 9600 baud


def test_large_print_ticket() -> None:
    events = decode(render(SAMPLES["ticket-large"]))
    clean(events)
    code = next(ln for ln in lines(events) if ln.text == "C012")
    assert (code.width, code.height, code.bold) == (6, 6, True)
    # Everything in large print, the privacy line too (trial 12: it stayed small).
    assert all(ln.width >= 2 for ln in lines(events) if ln.text)
    said = " ".join(ln.text.strip() for ln in lines(events) if ln.text)
    assert PRIVACY_LINE in said


def test_appointment_slip() -> None:
    events = decode(render(SLIP))
    clean(events)
    text = [ln.text for ln in lines(events) if ln.text]
    assert "Your appointment" in text
    assert {"Benefits", "Monday 30 November 2026", "at 09:30", "Interview room 1"} <= set(text)
    assert "Please bring:" in text
    assert "- Photo ID (passport or driving licence)" in text
    assert any(t.startswith("- Proof of income") for t in text)  # long items wrap...
    assert any(t.startswith("  ") for t in text)  # ...onto indented lines
    assert all(len(ln.text) * ln.width <= 42 for ln in lines(events))  # nothing runs off
    ref = next(ln for ln in lines(events) if ln.text == "BX7-K2Q")
    assert (ref.align, ref.width, ref.bold) == ("center", 2, True)
    (qr,) = [e for e in events if isinstance(e, QRCode)]
    assert qr.payload == "OSSD-A:BX7-K2Q"


def test_a_slip_without_a_room_names_the_office_once() -> None:
    from dataclasses import replace

    at_the_desk = replace(SLIP, place=SLIP.site)  # no interview room: the office itself
    events = decode(render(at_the_desk))
    text = " ".join(ln.text for ln in lines(events) if ln.text)
    assert text.count(SLIP.site) == 1
    assert "Interview room 1" in " ".join(ln.text for ln in lines(decode(render(SLIP))))


def test_daily_summary_slip() -> None:
    events = decode(render(SUMMARY))
    clean(events)
    text = [ln.text for ln in lines(events) if ln.text]
    assert text[1:3] == ["Daily footfall", "summary"]  # wrapped at double width, not cut
    assert any(t.startswith("Seen within 15 min") and t.endswith("86.4%") for t in text)
    assert any(t.startswith("10:00   22 ") for t in text)


def test_pound_and_euro_on_paper() -> None:
    events = decode(render(SelfTestPrintout("Test", ("Fee £12.50, €3, café",))))
    clean(events)
    text = [ln.text for ln in lines(events)]
    assert "Fee £12.50, €3, café" in text
    assert "Pounds and euros: £ €" in text


def test_text_the_code_page_cannot_print_is_replaced() -> None:
    odd = TicketPrintout(**{**to_payload(TICKET), "label": "Łódź 中文 ✓"})
    events = decode(render(odd))
    clean(events)
    assert any(ln.text == "Lódz ?? ?" for ln in lines(events))


def test_raster_qr_where_the_printer_has_no_native_qr() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image as PILImage

    events = decode(render(TICKET, profile="simple"))  # raster, no native QR
    assert [e for e in events if isinstance(e, Unknown | QRCode)] == []
    (image,) = [e for e in events if isinstance(e, Image)]
    pad = 16
    picture = PILImage.new("L", (image.width + 2 * pad, image.height + 2 * pad), 255)
    for y, row in enumerate(image.rows):
        for x, bit in enumerate(row):
            if bit:
                picture.putpixel((x + pad, y + pad), 0)
    found = zxingcpp.read_barcodes(picture.resize((picture.width * 3, picture.height * 3)))
    assert [r.text for r in found] == ["OSSD-T:hq:2026-11-23:C012"]


def test_profiles_list_matches_python_escpos() -> None:
    assert set(known_profiles()) == set(PROFILES)


def test_payload_round_trip() -> None:
    for sample in SAMPLES.values():
        kind = {
            TicketPrintout: "ticket",
            SlipPrintout: "appointment_slip",
            SummaryPrintout: "daily_summary",
        }[type(sample)]
        assert from_payload(kind, to_payload(sample)) == sample


def test_a_print_request_is_of_the_kind_its_printout_is_read_back_as() -> None:
    kinds: dict[type[Printout], str] = {
        TicketPrintout: "ticket",
        SlipPrintout: "appointment_slip",
        SummaryPrintout: "daily_summary",
        SelfTestPrintout: "test",
    }
    for sample in [*SAMPLES.values(), SelfTestPrintout("Test", ("Fee 12.50",))]:
        job = print_request(sample, "capture://out.bin", "desk-1")
        said = (job.kind, job.printer_url, job.desk_id, job.ticket_id)
        assert said == (kinds[type(sample)], "capture://out.bin", "desk-1", None)
        assert from_payload(job.kind, job.payload) == sample


def test_preview_matches_paper() -> None:
    shown = [line.text.strip().replace(" ", "") for line in preview(TICKET)]
    on_paper = [ln.text.replace(" ", "") for ln in lines(decode(render(TICKET))) if ln.text]
    for text in on_paper:
        assert text in shown


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_golden_bytes(name: str) -> None:
    """A change detector: regenerate on purpose with
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/hardware/test_templates.py"""
    path = CAPTURES / f"{name}.bin"
    data = render(SAMPLES[name])
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.exists(), f"missing {path}: run with UPDATE_GOLDEN=1 once"
    assert data == path.read_bytes()


LETTERS = st.text(st.sampled_from([*"aZ9 ,.'-éÉøß€“”ŁŒ…\u200b\t\x07☃", *WELSH]), max_size=30)


@given(LETTERS, st.sampled_from(["cp858", "cp437", "cp1252"]), st.booleans())
def test_a_line_is_made_printable_and_encoded_as_its_letters_one_by_one(
    text: str, codec: str, welsh: bool
) -> None:
    """A whole line (which takes one call when every letter can be kept as it is) comes out as
    its letters would, one at a time."""
    assert printable(text, codec=codec, welsh=welsh) == "".join(
        printable(ch, codec=codec, welsh=welsh) for ch in text
    )
    assert encode_text(text, codec) == b"".join(encode_text(ch, codec) for ch in text)


def test_a_later_ticket_asks_python_escpos_for_nothing_but_its_qr() -> None:
    """The changes of style of a ticket (the same on every ticket) are built by python-escpos
    once and kept; a later ticket (another code, time and QR) builds none, and its bytes are
    those of a ticket rendered with nothing kept."""
    from oss_desk.hardware import templates

    first = render(TICKET)
    later = dataclasses.replace(TICKET, code="C013", issued="09:42", qr="OSSD-T:hq:x:C013")
    before = templates._restyled.cache_info()
    data = render(later)
    after = templates._restyled.cache_info()
    assert after.misses == before.misses
    assert after.hits - before.hits >= 8
    templates._restyled.cache_clear()
    templates._start.cache_clear()
    assert render(later) == data
    assert render(TICKET) == first


@pytest.mark.parametrize("profile", ["TM-T88V", "TM-U220", "simple", "TM-P80"])
def test_kept_pieces_do_not_depend_on_what_was_printed_before(profile: str) -> None:
    """Every sample on one profile, then in the reverse order after the kept pieces are
    dropped: the same bytes (a kept change of style is keyed by the styles on both sides)."""
    from oss_desk.hardware import templates

    samples = [*SAMPLES.values(), dataclasses.replace(TICKET, copy=True, council="Cyngor Ŵŷ")]
    first = [render(s, profile) for s in samples]
    templates._restyled.cache_clear()
    templates._start.cache_clear()
    again = [render(s, profile) for s in reversed(samples)]
    assert first == list(reversed(again))
