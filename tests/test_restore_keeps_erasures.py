"""A restore does not undo ``resident forget`` (review30: ``db restore`` of a backup made
before the erasure put the resident's name and email back, and said only "1 event newer than
the backup"). The erasures made after the backup are made again on the restored database,
recorded against the person restoring with the request's own case reference; one of a record
the backup does not hold needs nothing. Through the CLI on a real demo office's database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import Cli, make_db, rows
from .test_subject_access import NOW

ZED = ("--name", "Zed Quill", "--email", "zed@example.org", "--topic", "kind staff")


def compliment(cli: Cli) -> str:
    """A compliment from Zed, answered (so it may be forgotten): its reference."""
    made = cli("--user", "amina", "followup", "add", "--kind", "compliment", "--category",
               "staff", *ZED, "--json", now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    answered = cli("--user", "amina", "followup", "respond", ref, now=NOW)
    assert answered.code == 0, answered.err
    return ref


def forget(cli: Cli, ref: str) -> None:
    forgot = cli("--user", "amina", "resident", "forget", ref, "--yes", "--reason", "IG-2026-9",
                 now=NOW)  # fmt: skip
    assert forgot.code == 0, forgot.err


def held_by_email(cli: Cli) -> str:
    found = cli("--user", "amina", "resident", "find", "--email", "zed@example.org", now=NOW)
    assert found.code == 0, found.err
    return found.out


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(make_db(tmp_path), monkeypatch)


def test_a_restore_erases_again_what_was_forgotten_after_its_backup(
    office: Cli, tmp_path: Path
) -> None:
    ref = compliment(office)
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    forget(office, ref)
    assert "Zed Quill" not in held_by_email(office)

    restored = office("--user", "tl", "db", "restore", backup, "--yes", now=NOW)
    assert restored.code == 0, restored.err
    assert (
        f"Re-applied 1 erasure made after the backup: {ref} (the resident's details are erased "
        "again)."
    ) in restored.out.splitlines()
    assert held_by_email(office).startswith("Nothing held under that email")
    erasures = rows(office.db, "SELECT actor, data FROM events WHERE kind = 'resident_erased'")
    [(made_at, made_hash)] = rows(
        office.db, "SELECT id, lower(hex(hash)) FROM events WHERE kind = 'followup_created'"
    )
    assert [(actor, json.loads(data)) for actor, data in erasures] == [
        (
            "tl",  # the person restoring, the request's own case reference
            {
                "record": "followup",
                "ref": ref,
                "fields": ["name", "email", "topic"],
                "case": "IG-2026-9",
                "reapplied_after_restore": True,
                "made": {"event": made_at, "sha256": made_hash},  # which record it was
            },
        )
    ]
    again = office("db", "restore", backup, "--yes", "--json", now=NOW)
    assert again.code == 0, again.err  # the erasure is in the log it replaces: made again
    assert again.json()["erasures_after_backup"]["reapplied"] == [ref]
    assert held_by_email(office).startswith("Nothing held under that email")


def test_an_erasure_of_a_record_the_backup_does_not_hold_needs_nothing_again(
    office: Cli, tmp_path: Path
) -> None:
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    ref = compliment(office)
    forget(office, ref)

    restored = office("db", "restore", backup, "--yes", now=NOW)
    assert restored.code == 0, restored.err
    assert (
        f"Erased after the backup, nothing to re-apply: {ref} (the backup holds no details of "
        "the resident there)."
    ) in restored.out.splitlines()
    assert "Re-applied" not in restored.out
    # Recorded all the same, with nothing erased: a later restore of a backup holding it erases
    # it again (review33).
    [(data,)] = rows(office.db, "SELECT data FROM events WHERE kind = 'resident_erased'")
    assert json.loads(data)["ref"] == ref and json.loads(data)["fields"] == []


def test_an_older_then_a_newer_backup_restored_never_bring_a_forgotten_resident_back(
    office: Cli, tmp_path: Path
) -> None:
    """review33: after restoring a backup made before a record, a restore of a backup made
    after it (and before the erasure) put the resident's details back: the erasure the first
    restore needed nothing of left no trace in the log the second one read."""
    zed = compliment(office)
    older, newer = str(tmp_path / "older.sqlite"), str(tmp_path / "newer.sqlite")
    assert office("db", "backup", "--to", older, now=NOW).code == 0
    made = office("--user", "amina", "followup", "add", "--kind", "compliment", "--category",
                  "staff", "--name", "Cal Gamma", "--email", "cal@example.org", "--topic",
                  "kind staff", "--json", now=NOW)  # fmt: skip
    cal = str(made.json()["ref"])
    assert office("--user", "amina", "followup", "respond", cal, now=NOW).code == 0
    assert office("db", "backup", "--to", newer, now=NOW).code == 0
    forget(office, zed)
    forget(office, cal)

    first = office("db", "restore", older, "--yes", "--json", now=NOW)
    assert first.code == 0, first.err
    assert first.json()["erasures_after_backup"]["not_needed"] == [cal]
    second = office("db", "restore", newer, "--yes", "--json", now=NOW)
    assert second.code == 0, second.err
    assert second.json()["erasures_after_backup"]["reapplied"] == [zed, cal]
    for email in ("zed@example.org", "cal@example.org"):
        found = office("--user", "amina", "resident", "find", "--email", email, now=NOW)
        assert found.out.startswith("Nothing held under that email"), found.out
    assert office("db", "check", now=NOW).code == 0


def test_a_backup_that_went_on_on_its_own_keeps_its_own_record_of_that_reference(
    office: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup copied out and used on its own (a training copy) gave out the same follow-up
    reference to another resident: the erasure of the office's record is not made on it."""
    made = office("db", "backup", "--json", now=NOW)
    assert made.code == 0, made.err
    copy = tmp_path / "copy" / "training.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(made.json()["path"], copy)
    training = Cli(copy, monkeypatch)
    amy = training("--user", "amina", "followup", "add", "--kind", "compliment", "--category",
                   "service", "--name", "Amy Other", "--email", "amy@example.org", "--json",
                   now=NOW)  # fmt: skip
    assert amy.code == 0, amy.err
    ref = compliment(office)
    assert amy.json()["ref"] == ref  # the same reference, another resident
    forget(office, ref)

    restored = office("db", "restore", str(copy), "--yes", "--json", now=NOW)
    assert restored.code == 0, restored.err
    assert restored.json()["erasures_after_backup"]["not_needed"] == [ref]
    found = office("--user", "amina", "resident", "find", "--email", "amy@example.org", now=NOW)
    assert "Amy Other" in found.out
