"""doctor's printer lines say why a printer cannot be reached, in the words the worker records
with a job (devices trial 17): "unreachable" alone for a mistyped serial path, a refused port
and a name that does not exist told staff nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant

from .conftest import MONDAY_0930, TRAINING, Cli, make_db, site_toml
from .hardware.fakes import closed_port

NOW = format_instant(MONDAY_0930)  # a Monday morning: the site is open


def _printer_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, now: str) -> str:
    db = make_db(tmp_path, site_toml(greet_printer=url).replace(TRAINING, ""))
    result = Cli(db, monkeypatch)("doctor", now=now)
    (line,) = [x for x in result.out.splitlines() if x[6:].startswith("printer ")]
    return line


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("serial://{tmp}/ttyPRX?baudrate=9600", "unreachable (the printer's port {tmp}/ttyPRX"),
        ("tcp://127.0.0.1:{closed}?timeout=1", "unreachable (connection refused)"),
        ("tcp://printer-greet.invalid:9100?timeout=1", "unreachable: cannot connect (name not"),
    ],
)
def test_a_printer_that_cannot_be_reached_is_said_with_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, why: str
) -> None:
    tmp, closed = tmp_path, closed_port()
    line = _printer_line(tmp_path, monkeypatch, url.format(tmp=tmp, closed=closed), NOW)
    assert line.startswith("fail  printer "), line
    assert why.format(tmp=tmp) in line, line
    assert "Errno" not in line and "Name or service" not in line
