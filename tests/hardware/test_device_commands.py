"""`oss-desk printer test` and `board test` as an office uses them."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from ..conftest import Cli, make_db, run_cli_process, site_toml
from ..escpos_decoder import decode, text_lines
from ..test_delivery_handover import worker_process
from .fakes import Pty

NOW = "2026-11-23T09:30:00Z"


def test_the_test_page_shows_the_offices_own_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = site_toml().replace(
        'name = "Civic Centre"', 'name = "Civic Centre"\ntimezone = "Europe/Paris"'
    )
    db = make_db(tmp_path, toml)
    paper = tmp_path / "paper.bin"
    result = Cli(db, monkeypatch)("printer", "test", f"capture://{paper}", now=NOW)
    assert result.code == 0, result.err
    lines = text_lines(decode(paper.read_bytes()))
    assert "Time: 23 Nov 10:30 (Europe/Paris)" in lines  # 09:30 UTC is 10:30 in Paris


def test_without_an_office_the_test_page_says_uk_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = tmp_path / "paper.bin"
    cli = Cli(tmp_path / "no-office.sqlite", monkeypatch)
    result = cli("printer", "test", f"capture://{paper}", now="2026-07-01T09:30:00Z")
    assert result.code == 0, result.err
    assert "Time: 01 Jul 10:30 (Europe/London)" in text_lines(decode(paper.read_bytes()))
    assert not (tmp_path / "no-office.sqlite").exists()  # trying a printer creates nothing


def test_a_desks_id_tests_that_desks_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The officer a desk calls about its printer need not find its URL in the configuration:
    `printer test greet-1` tries that desk's printer; a desk without one, or an unknown name,
    is answered in one line that says what to give instead."""
    paper = tmp_path / "paper.bin"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{paper}"))
    cli = Cli(db, monkeypatch)
    result = cli("printer", "test", "greet-1", now=NOW)
    assert result.code == 0, result.err
    assert result.out.endswith(f" bytes) to {paper}; status: unknown\n"), result.out
    assert "oss-desk test page" in text_lines(decode(paper.read_bytes()))
    none = cli("printer", "test", "desk-1", now=NOW)
    assert none.code == 6 and none.err == (
        "oss-desk: desk desk-1 has no printer: give a printer URL instead\n"
    )
    unknown = cli("printer", "test", "greet-9", now=NOW)
    assert unknown.code == 5 and unknown.err.count("\n") == 1
    assert "'greet-9' is neither a desk (desks: desk-1" in unknown.err


def test_board_test_is_refused_on_the_board_the_worker_drives(tmp_path: Path) -> None:
    """The residents' board would keep the test text until the next call: while the device
    worker drives the office's board, `board test` on it is refused (exit 6, one line); on
    another board, or once the worker is stopped, it shows the test."""
    board = Pty()
    other = Pty()
    extra = f'\n[board]\nurl = "ascii+serial://{board.path}?address=01"\n'
    db = make_db(tmp_path, site_toml(extra=extra))
    env = {"OSS_DESK_DB": str(db)}
    worker = worker_process(db)
    try:
        # Driven: its first message, whatever the hour makes it ("Please take a ticket",
        # "Opens at 09:00", "Office closed"), a whole frame.
        assert board.read(b"\x03", timeout=15).startswith(b"\x0201")
        refused = run_cli_process(
            "board", "test", f"ascii+serial://{board.path}", "--text", "Hello", env=env
        )
        assert refused.returncode == 6, refused
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert f"board {board.path} is the office's board" in refused.stderr
        assert "the device worker (process" in refused.stderr
        assert b"Hello" not in board.read_for(0.0)  # (the command has exited: nothing came)
        elsewhere = run_cli_process(
            "board", "test", f"ascii+serial://{other.path}", "--text", "Hi", env=env
        )
        assert elsewhere.returncode == 0, elsewhere
        assert b"Hi" in other.read(b"Hi")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
    shown = run_cli_process(
        "board", "test", f"ascii+serial://{board.path}", "--text", "Hello", env=env
    )
    assert shown.returncode == 0, shown
    assert b"Hello" in board.read(b"Hello")
    board.close()
    other.close()
