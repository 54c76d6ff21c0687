"""The pieces of a printout oss-desk builds itself (changes of style, the printer's own QR, a
profile's columns and paper) are python-escpos's own bytes and data, for every profile; and a
printer with its own QR renders a ticket without loading python-escpos, Pillow or qrcode."""

from __future__ import annotations

import itertools
import subprocess
import sys
from typing import Any

import pytest

from oss_desk.hardware import templates
from oss_desk.hardware.escpos_compat import dummy, known_profiles, quiet
from oss_desk.hardware.models import MODELS, _columns, _media_known, printer_model

STYLES: list[templates.Style] = [
    (align, size, bold)
    for align in ("left", "center", "right")
    for size in range(1, 9)
    for bold in (False, True)
]


def escpos_style(before: templates.Style, after: templates.Style) -> bytes:
    """python-escpos's ``set()`` for each change, as the renderer used to call it."""
    p: Any = dummy("TM-T88V")
    with quiet():
        if after[0] != before[0]:
            p.set(align=after[0])
        if after[1] != before[1]:
            p.set(custom_size=True, width=after[1], height=after[1])
        if after[2] != before[2]:
            p.set(bold=after[2])
    output: bytes = p.output
    return output


def test_every_change_of_style_is_python_escpos_s_bytes() -> None:
    for before, after in itertools.product(STYLES, STYLES):
        assert templates._styled(before, after) == escpos_style(before, after), (before, after)


@pytest.mark.parametrize("module", [3, 6, 8])
@pytest.mark.parametrize("payload", ["OSSD-T:hq:2026-11-23:C012", "x" * 300, "Ŵŷ £ €"])
def test_the_printer_s_own_qr_is_python_escpos_s_bytes(payload: str, module: int) -> None:
    p: Any = dummy("TM-T88V")
    with quiet():
        p.qr(payload, native=True, size=module, ec=templates.QR_EC_M)
    assert templates._qr_native(payload, module) == p.output


@pytest.mark.parametrize("profile", known_profiles())
def test_each_profile_s_columns_and_paper_are_python_escpos_s(profile: str) -> None:
    """(A listed model's figures are written in ``hardware/models.py``; another profile's are
    read from python-escpos's capability data, as its Dummy reads them.)"""
    data = dummy(profile).profile.profile_data
    model = printer_model(profile)
    assert (model.columns, model.media_known) == (_columns(data), _media_known(data))


def _loaded_after(code: str) -> set[str]:
    """The heavy libraries a fresh interpreter holds after running ``code``."""
    script = (
        f"import sys\n{code}\n"
        "print(' '.join(m for m in ('escpos', 'PIL', 'qrcode', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


RENDER = (
    "from oss_desk.hardware.templates import render\n"
    "from oss_desk.domain.printouts import TicketPrintout\n"
    "ticket = TicketPrintout(council='C', site='S', code='C001', label='Council Tax',"
    " issued='09:00', ahead=2, estimate_minutes=8, qr='OSSD-T:hq:2026-11-23:C001')\n"
    "assert render(ticket, {profile!r}).count(b'\\x1d(k') == {native}\n"
)


@pytest.mark.parametrize("model", [m for m in MODELS if m.native_qr], ids=lambda m: m.profile)
def test_a_printer_with_its_own_qr_renders_without_python_escpos(model: Any) -> None:
    assert _loaded_after(RENDER.format(profile=model.profile, native=5)) == set()


def test_a_printer_without_its_own_qr_draws_it_with_python_escpos() -> None:
    """(The check above can fail: the same code for a raster QR loads them.)"""
    assert {"escpos", "PIL", "qrcode"} <= _loaded_after(RENDER.format(profile="POS-5890", native=0))
