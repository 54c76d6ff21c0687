"""A try that left no byte is no printed copy, whatever the printer's transport: a capture
printer whose file could not be written, and later could, prints the ticket's first and only
copy without "COPY" (trial 6, W1: it said COPY, where a network printer refused did not).

The real ``oss-desk`` commands on a real database; the printed bytes decoded."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines


def test_a_capture_file_written_after_a_failed_try_prints_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = tmp_path / "tickets.bin"
    capture.mkdir()  # a folder in its place: the file cannot be written (root or not)
    cli = Cli(make_db(tmp_path, site_toml(greet_printer=f"capture://{capture}")), monkeypatch)
    issued = cli(
        "ticket", "issue", "--service", "C", "--desk", "greet-1", now="2026-11-23T09:30:00Z"
    )
    assert issued.code == 0, issued.err
    tried = cli("worker", "--once", now="2026-11-23T09:30:01Z")
    assert tried.code == 0, tried.err
    ((status, started),) = rows(cli.db, "SELECT status, started_at FROM print_jobs")
    assert (status, started) == ("pending", None)  # to be tried again, as never started
    capture.rmdir()  # writable again
    printed = cli("worker", "--once", now="2026-11-23T09:31:00Z")
    assert printed.code == 0, printed.err
    assert rows(cli.db, "SELECT status FROM print_jobs") == [("done",)]
    lines = text_lines(decode(capture.read_bytes()))
    assert "C001" in lines
    assert "COPY" not in lines
