"""Free text an older release stored that today's entry checks refuse (an interpreter need
naming no language, "interpreter:anna smith"; a phone number typed as the officer who answered a
complaint; a reason for cancelling with a terminal's escape in it) stayed where desks show it,
and nothing said so. ``doctor`` now counts them, by kind, and says what deals with each, without
their words (they may hold a resident's details); nothing is rewritten. The real ``oss-desk``
commands against a real SQLite file; the older release's rows are the rows today's commands
make, with the field as that release let it be typed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from . import appointments_site
from .conftest import Cli
from .followups_site import ok, run_json
from .test_cancel_reason_shown import booked_by_ana

NOW = "2026-11-23T10:00:00Z"


def _older_release(db: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def _line(cli: Cli) -> str | None:
    said = cli("doctor", now=NOW)
    found = [line for line in said.out.splitlines() if "old free text" in line]
    return found[0] if found else None


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, str, str, str]:
    """A booking with an interpreter, a cancelled booking with a reason and an answered
    complaint naming its officer, each then as an older release let it be typed."""
    cli = Cli(appointments_site.make_office(tmp_path), monkeypatch)
    needed = booked_by_ana(cli, tmp_path, "--needs", "interpreter:polish")
    cancelled = booked_by_ana(cli, tmp_path)
    ok(cli("--user", "tl", "appointment", "cancel", cancelled, "--by", "resident", now=NOW))
    add = ("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff")
    complaint = str(run_json(cli, *add, "--service", "C", now=NOW)["ref"])
    respond = ("--user", "tl", "followup", "respond", complaint, "--outcome", "justified")
    ok(cli(*respond, "--action-taken", "no", "--officer", "Sam Officer", now=NOW))
    db = cli.db
    _older_release(
        db, "UPDATE appointments SET needs = ? WHERE ref = ?", '["interpreter:anna smith"]', needed
    )
    _older_release(
        db, "UPDATE appointments SET cancel_reason = ? WHERE ref = ?", "moved\x1b[2J", cancelled
    )
    _older_release(db, "UPDATE followups SET officer = ? WHERE ref = ?", "07700 900999", complaint)
    return cli, needed, cancelled, complaint


def test_doctor_counts_what_today_s_checks_refuse_and_says_what_deals_with_it(
    office: tuple[Cli, str, str, str],
) -> None:
    cli, _, cancelled, complaint = office
    line = _line(cli)
    assert line == (
        "warn  old free text: 1 booking or visit holds an interpreter need today's check "
        "refuses (a language not known here): add each language to a staff member's skills in "
        "the site configuration and load it (`oss-desk init --config FILE`); no command "
        f"rewrites a recorded need; 1 follow-up names as officer what is no name ({complaint}); "
        f"1 booking holds a reason for cancelling today's check refuses ({cancelled}); "
        "`oss-desk resident forget REF... --yes` erases those records' details (the retention "
        "purge does too, in its time)"
    ), line
    for private in ("anna smith", "07700 900999", "moved"):
        assert private not in cli("doctor", "--json", now=NOW).out
    # The command it names deals with them; the need stays, said alone.
    forget = ("--user", "tl", "resident", "forget", cancelled, complaint, "--yes")
    ok(cli(*forget, "--reason", "IG-2026-114", now=NOW))
    assert _line(cli) == (
        "warn  old free text: 1 booking or visit holds an interpreter need today's check "
        "refuses (a language not known here): add each language to a staff member's skills in "
        "the site configuration and load it (`oss-desk init --config FILE`); no command "
        "rewrites a recorded need"
    )


def test_nothing_is_said_when_every_stored_text_passes_today_s_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(appointments_site.make_office(tmp_path), monkeypatch)
    booked_by_ana(cli, tmp_path, "--needs", "interpreter:polish")
    assert _line(cli) is None
