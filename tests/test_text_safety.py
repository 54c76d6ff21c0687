"""Text from residents and staff: control characters are stripped when it is stored and shown
escaped when it is displayed (terminal, desk, page); a CSV cell never runs as a formula."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.domain.text import clean_text, printable
from oss_desk.render.csv import csv_cell, figures_csv

from .appointments_site import make_office
from .conftest import Cli, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"
NASTY = "Moved \x1b[2J\x1b]0;pwned\x07 away\u202e (sic)\r\n"


def test_a_cancel_reason_with_terminal_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    slots = cli("appointment", "slots", "--service", "C", "--json", now=NOW).json()
    booked = cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        slots[0]["start"],
        "--channel",
        "slip",
        "--print-to",
        f"capture://{tmp_path / 'slips.bin'}",
        "--name",
        "Ann\x1b[31m Ex\u202eample",
        "--json",
        now=NOW,
    )
    assert booked.code == 0, booked.err
    ref = booked.json()["ref"]
    cancelled = cli("appointment", "cancel", ref, "--by", "resident", "--reason", NASTY, now=NOW)
    assert cancelled.code == 0, cancelled.err
    conn = sqlite3.connect(db)
    reason, name = conn.execute(
        "SELECT a.cancel_reason, c.name FROM appointments a JOIN appointment_contacts c "
        "ON c.appointment_id = a.id WHERE a.ref = ?",
        [ref],
    ).fetchone()
    assert reason == "Moved [2J]0;pwned away (sic)"  # stored without a control character
    assert name == "Ann[31m Example"
    # A reason stored before this rule (an old database) is shown escaped, never sent raw.
    conn.execute("UPDATE appointments SET cancel_reason = ? WHERE ref = ?", [NASTY + "\x00", ref])
    conn.commit()
    conn.close()
    shown = cli("appointment", "show", ref, "--contact", now=NOW)
    assert shown.code == 0, shown.err
    assert "\x1b" not in shown.out and "\x07" not in shown.out and "\u202e" not in shown.out
    assert "\\x1b[2J" in shown.out and "\\u202e" in shown.out
    as_json = json.loads(cli("appointment", "show", ref, "--contact", "--json", now=NOW).out)
    assert as_json["cancel_reason"] == NASTY + "\x00"  # JSON escapes it itself


@given(st.text(max_size=300))
def test_cleaned_text_holds_no_control_character(text: str) -> None:
    if len(" ".join(text.split())) > 200:
        return  # refused for its length (a separate rule)
    cleaned = clean_text(text, limit=200, what="a note")
    if cleaned is not None:
        assert cleaned.isprintable()
        assert all(not (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) for c in cleaned)
        assert "\u202e" not in cleaned and cleaned == cleaned.strip()


@given(st.text(max_size=200))
def test_printable_text_has_no_raw_control_character(text: str) -> None:
    shown = printable(text)
    assert all(not (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) for c in shown)
    assert "\u202e" not in shown and "\u2066" not in shown


@pytest.mark.parametrize("formula", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_run_as_formulas(formula: str) -> None:
    assert csv_cell(formula).startswith("'")
    assert csv_cell(-2) == -2 and csv_cell(None) == "" and csv_cell("C") == "C"


def test_a_staff_name_in_the_csv_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evil = '=HYPERLINK("http://x.example","Payroll")'
    toml = site_toml(
        extra=f'\n[[staff]]\nid = "eve"\nname = {json.dumps(evil)}\nrole = "adviser"\n'
    )
    db = make_db(tmp_path, toml)
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", now=NOW).code == 0
    assert cli("--user", "eve", "ticket", "call-next", "--desk", "desk-1", now=NOW).code == 0
    done = cli("--user", "eve", "ticket", "finish", "C001", "--outcome", "resolved", now=NOW)
    assert done.code == 0, done.err
    text = cli("report", "daily", "--format", "csv", now=NOW).out
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + evil in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    figures = {"summary_note": "-oops", "desks": {"=d": {"served": -1}}}
    assert figures_csv(figures).splitlines()[1:] == [
        "summary,summary_note,'-oops",
        "desks,'=d.served,-1",
    ]


def test_a_follow_ups_text_is_stored_by_the_same_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The follow-up register cleans its free text with the one stored-text rule."""
    from .followups_site import make_office as followups_office
    from .followups_site import run_json

    db = followups_office(tmp_path)
    cli = Cli(db, monkeypatch)
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--name", "Ann\x1b[31m Ex\u202eample", "--phone", "07700 900417"),
        *("--topic", NASTY, "--desk", "greet-1"),
        now=NOW,
    )
    conn = sqlite3.connect(db)
    name, topic = conn.execute(
        "SELECT d.name, d.topic FROM followup_details d JOIN followups f "
        "ON f.id = d.followup_id WHERE f.ref = ?",
        [made["ref"]],
    ).fetchone()
    conn.close()
    assert topic == "Moved [2J]0;pwned away (sic)"
    assert name == "Ann[31m Example"
