"""doctor's printer lines say why a printer cannot be reached, in the words the worker records
with a job (devices trial 17): "unreachable" alone for a mistyped serial path, a refused port
and a name that does not exist told staff nothing; and a printer that takes the connection but
never answers fails every job, so it fails while its site is open (it only warned)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant

from .conftest import MONDAY_0930, TRAINING, Cli, make_db, site_toml
from .hardware.fakes import FakePrinter, closed_port

NOW = format_instant(MONDAY_0930)  # a Monday morning: the site is open
SUNDAY = format_instant(MONDAY_0930.replace(day=MONDAY_0930.day - 1))


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


def test_a_printer_that_never_answers_fails_while_its_site_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = FakePrinter(behaviour="silent")
    try:
        line = _printer_line(tmp_path, monkeypatch, printer.url, NOW)
        assert line.startswith("fail  printer 127.0.0.1:"), line
        assert line.endswith(
            "connected, but it does not answer status requests: each job to it fails "
            "(the printer did not answer); then try it: `oss-desk printer test greet-1` (prints "
            "a test page)"
        ), line
        (tmp_path / "sunday").mkdir()
        closed = _printer_line(tmp_path / "sunday", monkeypatch, printer.url, SUNDAY)
        assert closed.startswith("warn  printer ") and "(site closed now: " in closed, closed
    finally:
        printer.close()
