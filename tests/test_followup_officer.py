"""The officer named as answering a comment, compliment or complaint (``followup respond
--officer``) is a staff id or a name, never a note or a number; and whatever it holds goes with
the record's details, by the retention purge and by ``resident forget`` (privacy audit,
finding 5: "ZZNAME6 Resident's MP 07700900999" was taken and stayed after both)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import Cli, db_content, rows
from .followups_site import make_office, run_json

NOW = "2026-11-23T10:00:00Z"
LATER = "2026-12-14T16:00:00Z"
YEARS_ON = "2029-01-04T10:00:00Z"  # past retention.records_days (730) after the answer
NAME = "Zebedee Quuxworth"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(make_office(tmp_path), monkeypatch)


def complaint(cli: Cli) -> str:
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "staff"),
        *("--channel", "letter", "--service", "C", "--name", NAME, "--topic", "the wait"),
        now=NOW,
    )
    return str(made["ref"])


def respond(cli: Cli, ref: str, officer: str) -> tuple[int, str, str]:
    said = cli(
        *("--user", "tl", "followup", "respond", ref, "--outcome", "justified"),
        *("--action-taken", "no", "--officer", officer, "--json"),
        now=LATER,
    )
    return said.code, said.out, said.err


def officers(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT ref, officer FROM followups ORDER BY id")


def test_an_officer_is_a_staff_id_or_a_name_never_a_number_or_a_note(cli: Cli) -> None:
    ref = complaint(cli)
    before = db_content(cli.db)
    for typed in ("ZZNAME6 Resident's MP 07700900999", "mp@example.org", "x"):
        code, _, err = respond(cli, ref, typed)
        assert code == 2
        assert err.count("\n") == 1 and "is not a name: give the officer's staff id or name" in err
    assert db_content(cli.db) == before
    code, out, err = respond(cli, ref, "  Siân  O'Brien-Jones ")
    assert code == 0, err
    assert json.loads(out)["officer"] == "Siân O'Brien-Jones"
    other = complaint(cli)
    code, out, err = respond(cli, other, "adm")  # a staff id: kept as their name
    assert code == 0 and json.loads(out)["officer"] == "Ada Admin", err


def test_the_officer_goes_with_the_records_details_by_forget_and_by_the_purge(cli: Cli) -> None:
    forgotten, purged = complaint(cli), complaint(cli)
    for ref in (forgotten, purged):
        assert respond(cli, ref, "Ada Officer")[0] == 0
    # One written before the check: the resident's details typed in it.
    with sqlite3.connect(cli.db) as conn:
        conn.execute("UPDATE followups SET officer = 'ZZNAME6 07700900999' WHERE ref = ?", [purged])
    conn.close()
    found = run_json(cli, "--user", "tl", "resident", "find", "--name", NAME, now=LATER)
    holds = {r["ref"]: r["holds"] for r in found["records"]}
    assert "officer" in holds[forgotten] and "officer" in holds[purged]
    # A name typed as the officer is found by it too.
    found = run_json(cli, "--user", "tl", "resident", "find", "--name", "zzname6", now=LATER)
    assert [r["ref"] for r in found["records"]] == [purged]
    forget = ("resident", "forget", forgotten, "--yes", "--reason", "IG-2026-7")
    erased = run_json(cli, "--user", "tl", *forget, now=LATER)
    assert "officer" in erased["erased"][0]["erased"]
    assert officers(cli.db) == [(forgotten, None), (purged, "ZZNAME6 07700900999")]
    dry = run_json(cli, "db", "purge", "--dry-run", now=YEARS_ON)
    assert dry["counts"]["officers"] == 1
    assert officers(cli.db)[1] == (purged, "ZZNAME6 07700900999")
    done = run_json(cli, "db", "purge", now=YEARS_ON)
    assert done["counts"]["officers"] == 1
    assert officers(cli.db) == [(forgotten, None), (purged, None)]
    assert not [line for line in db_content(cli.db) if "ZZNAME6" in line or "Ada Officer" in line]
