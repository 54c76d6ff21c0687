"""A restore never puts the restored database in place without the erasures made after its
backup (review31: they were made in a session of their own after the swap, so a desk taking its
turn in between, a restore killed there, or a person refused, left the resident's details back,
exit 0, with nothing owing the erasure). They are made on the staged copy under the restore's
write turn; a restore that cannot make them restores nothing. Real processes on real files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.services import dbops
from oss_desk.storage.writelock import lock_path

from .cli_here import run_cli_here
from .conftest import ROOT, Cli, make_db, rows, site_toml
from .test_identity import office_toml
from .test_restore_keeps_erasures import ZED, compliment, forget, held_by_email
from .test_restore_race import _waiting_for_a_lock
from .test_subject_access import NOW

KILLED_AFTER_THE_SWAP = """
import os, signal, sys
from oss_desk.services import dbops
real = dbops._swap
def swap(*args, **kwargs):
    kept = real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # the worst moment: the copy just put in place
    return kept
dbops._swap = swap
from oss_desk.cli import run
sys.exit(run(sys.argv[1:]))
"""


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(make_db(tmp_path), monkeypatch)


def _backed_up_then_forgotten(office: Cli, tmp_path: Path) -> tuple[str, str]:
    ref = compliment(office)
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    forget(office, ref)
    return ref, backup


def restore_killed_by(script: str, office: Cli, backup: str) -> None:
    """``db restore BACKUP`` in its own process, run by ``script`` (which kills it with SIGKILL
    at its chosen moment), on ``office``'s database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(office.db), "OSS_DESK_NOW": NOW}
    killed = subprocess.run(
        [sys.executable, "-c", script, "db", "restore", backup, "--yes"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)


def test_a_restore_killed_the_moment_its_copy_is_in_place_brings_no_details_back(
    office: Cli, tmp_path: Path
) -> None:
    ref, backup = _backed_up_then_forgotten(office, tmp_path)
    restore_killed_by(KILLED_AFTER_THE_SWAP, office, backup)
    assert list(office.db.parent.glob(f"{office.db.name}.before-restore-*"))  # it was swapped
    assert held_by_email(office).startswith("Nothing held under that email")
    [(data,)] = rows(office.db, "SELECT data FROM events WHERE kind = 'resident_erased'")
    assert json.loads(data)["ref"] == ref and json.loads(data)["reapplied_after_restore"]
    assert office("db", "check", now=NOW).code == 0


def test_a_process_taking_the_write_turn_after_the_swap_cannot_stop_the_erasures(
    office: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A desk (under --force) or a restarted worker takes the database's write turn the moment
    the restored copy is in place, and holds it past the busy timeout."""
    ref, backup = _backed_up_then_forgotten(office, tmp_path)
    holders: list[subprocess.Popen[str]] = []
    real = dbops._swap
    hold = (
        "import fcntl, sys, time\n"
        "f = open(sys.argv[1], 'a')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(30)\n"
    )

    def swap(*args: object, **kwargs: object) -> object:
        kept = real(*args, **kwargs)  # type: ignore[arg-type]
        holder = subprocess.Popen(
            [sys.executable, "-c", hold, str(lock_path(office.db))],
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        deadline = time.monotonic() + 20
        while not _waiting_for_a_lock(holder.pid):  # in the queue for the restore's turn
            assert time.monotonic() < deadline, "the other process never asked for the turn"
            time.sleep(0.02)
        return kept

    monkeypatch.setattr(dbops, "_swap", swap)
    try:
        restored = office(
            "db", "restore", backup, "--yes", "--force", "--json",
            now=NOW, env={"OSS_DESK_BUSY_TIMEOUT": "1"},
        )  # fmt: skip
        (holder,) = holders
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    finally:
        for holder in holders:
            holder.kill()
            holder.wait(10)
    assert restored.code == 0, restored.err
    assert restored.json()["erasures_after_backup"]["reapplied"] == [ref]
    assert restored.err == ""
    assert not list(office.db.parent.glob(f".{office.db.name}.restore-*"))  # nothing left
    assert held_by_email(office).startswith("Nothing held under that email")


def test_a_person_who_may_not_act_restores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``OSS_DESK_USER=amina`` from Ben's login, which may not name her: refused before
    anything is copied, as every command is (the restore went ahead, exit 0, and only the
    re-apply was refused: the details were back)."""
    office = Cli(make_db(tmp_path, office_toml(me_as="team-leader")), monkeypatch)
    made = office("followup", "add", "--kind", "compliment", "--category", "staff", *ZED,
                  "--json", now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    assert office("followup", "respond", ref, now=NOW).code == 0
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    forgot = office("resident", "forget", ref, "--yes", "--reason", "IG-1", now=NOW)
    assert forgot.code == 0, forgot.err
    kinds = "SELECT kind FROM events ORDER BY id"
    before = rows(office.db, kinds)
    refused = run_cli_here(
        "db", "restore", backup, "--yes", "--json",
        env={"OSS_DESK_DB": str(office.db), "OSS_DESK_NOW": NOW, "OSS_DESK_USER": "amina"},
    )  # fmt: skip
    assert refused.returncode == 9, (refused.stdout, refused.stderr)
    (line,) = refused.stderr.strip().splitlines()
    assert "may not act as 'amina'" in line, line
    assert refused.stdout == ""
    assert rows(office.db, kinds) == [*before, ("identity_refused",)]  # nothing else
    assert not list(office.db.parent.glob(f"{office.db.name}.before-restore-*"))
    assert not list(office.db.parent.glob(f".{office.db.name}.restore-*"))
    found = office("resident", "find", "--email", "zed@example.org", now=NOW)
    assert found.out.startswith("Nothing held under that email"), found.out


def test_an_erasure_made_before_the_office_was_replaced_is_made_again(
    office: Cli, tmp_path: Path
) -> None:
    """Backup, forget, ``init --replace-office`` (another configuration under the same office
    id), then the backup restored over it: the erasure was made on the backup's own resident
    before the copy parted, and is made again (it was read only of the very same office)."""
    ref, backup = _backed_up_then_forgotten(office, tmp_path)
    other = tmp_path / "north.toml"
    other.write_text(site_toml().replace('id = "hq"', 'id = "north"'), encoding="utf-8")
    replaced = office("init", "--config", str(other), "--replace-office", now=NOW)
    assert replaced.code == 0, replaced.err
    restored = office("db", "restore", backup, "--yes", "--force", "--json", now=NOW)
    assert restored.code == 0, restored.err
    assert restored.json()["other_office"] is True
    assert restored.json()["erasures_after_backup"]["reapplied"] == [ref]
    assert held_by_email(office).startswith("Nothing held under that email")


def _damage(db: Path) -> None:
    """Its schema page overwritten (after its header): it cannot be read."""
    with open(db, "r+b") as f:
        f.seek(100)
        f.write(b"\xa5" * 3996)


def test_erasures_not_known_are_said_not_known_never_none(office: Cli, tmp_path: Path) -> None:
    """The replaced database cannot be read: the erasures made after the backup are not known
    (JSON null), and the text says so, naming the kept copy, never that there were none."""
    _, backup = _backed_up_then_forgotten(office, tmp_path)
    _damage(office.db)
    for how in ((), ("--json",)):
        restored = office("db", "restore", backup, "--yes", "--skip-ahead", "0", *how, now=NOW)
        assert restored.code == 0, restored.err
        if how:
            assert restored.json()["erasures_after_backup"] is None
        else:
            (kept,) = office.db.parent.glob(f"{office.db.name}.before-restore-*")
            assert (
                "The replaced database could not be read, so the erasures (`resident forget`) "
                f"made after the backup are not known: check the kept copy {kept.name} and run "
                "`oss-desk resident forget` again for any."
            ) in restored.out.splitlines(), restored.out
            _damage(office.db)  # the next restore replaces a damaged one again


def test_a_booking_cancelled_then_forgotten_after_the_backup_is_cancelled_again(
    office: Cli, tmp_path: Path
) -> None:
    """The backup holds the booking as still to come (``resident forget`` refuses one): the
    re-apply cancels it again first, as the replaced database had it (its slot free, no
    booking held for nobody), then erases it and cancels its messages still to send."""
    made = office("--user", "amina", "appointment", "book", "--service", "C", "--start",
                  "2026-11-25T10:00:00Z", "--channel", "email", *ZED[:4], "--json",
                  now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    cancel = ("appointment", "cancel", ref, "--by", "resident")
    assert office("--user", "amina", *cancel, now=NOW).code == 0
    forgot = office("--user", "amina", "resident", "forget", ref, "--yes", "--cancel-messages",
                    "--reason", "IG-3", now=NOW)  # fmt: skip
    assert forgot.code == 0, forgot.err
    waiting = "SELECT count(*) FROM messages WHERE status IN ('pending', 'retry')"
    restored = office("--user", "tl", "db", "restore", backup, "--yes", "--json", now=NOW)
    assert restored.code == 0, restored.err
    said = restored.json()["erasures_after_backup"]
    assert said["reapplied"] == [ref] and said["cancelled_again"] == [ref]
    assert said["still_booked"] == []
    assert said["messages_cancelled"] >= 1 and rows(office.db, waiting) == [(0,)]
    assert rows(
        office.db, f"SELECT status, cancelled_by FROM appointments WHERE ref = '{ref}'"
    ) == [("cancelled", "resident")]
    assert held_by_email(office).startswith("Nothing held under that email")
    again = office("--user", "tl", "db", "restore", backup, "--yes", now=NOW)
    assert again.code == 0, again.err
    assert (
        f"Cancelled again first: {ref} (still booked in the backup; cancelled after it, then "
        "forgotten: the slot is free again)."
    ) in again.out.splitlines(), again.out
    (line,) = [line for line in again.out.splitlines() if line.startswith("Re-applied")]
    assert line.startswith(
        f"Re-applied 1 erasure made after the backup: {ref} (the resident's details are erased "
        "again; "
    ) and line.endswith(" still to send for it cancelled)."), line


def test_a_booking_forgotten_after_it_was_missed_is_named_still_booked(
    office: Cli, tmp_path: Path
) -> None:
    """The replaced database had the booking marked a no-show, then forgotten; the backup
    holds it as booked: erased again, and named with the command that frees its slot."""
    made = office("--user", "amina", "appointment", "book", "--service", "C", "--start",
                  "2026-11-23T11:00:00Z", "--channel", "email", *ZED[:4], "--json",
                  now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    later = "2026-11-23T14:00:00Z"
    missed = office("--user", "amina", "appointment", "no-show", ref, now=later)
    assert missed.code == 0, missed.err
    forgot = office("--user", "amina", "resident", "forget", ref, "--yes", "--cancel-messages",
                    "--reason", "IG-4", now=later)  # fmt: skip
    assert forgot.code == 0, forgot.err
    restored = office("--user", "tl", "db", "restore", backup, "--yes", now=later)
    assert restored.code == 0, restored.err
    assert (
        f"{ref} is still booked in the backup and was forgotten after it: its slot is held for "
        f"nobody until you cancel it with `oss-desk appointment cancel {ref} --by resident` "
        "(if it is still to come)."
    ) in restored.out.splitlines(), restored.out
    assert held_by_email(office).startswith("Nothing held under that email")


def test_a_person_who_may_not_act_restores_nothing_over_a_damaged_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database cannot be read, so its configuration cannot say who may act: the
    backup's does, before the copy is put in place."""
    office = Cli(make_db(tmp_path, office_toml(me_as="team-leader")), monkeypatch)
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    _damage(office.db)
    env = {"OSS_DESK_DB": str(office.db), "OSS_DESK_NOW": NOW}
    args = ("db", "restore", backup, "--yes", "--skip-ahead", "0")
    refused = run_cli_here(*args, env=env | {"OSS_DESK_USER": "amina"})
    assert refused.returncode == 9, (refused.stdout, refused.stderr)
    (line,) = refused.stderr.strip().splitlines()
    assert "may not act as 'amina'" in line, line
    # Recorded only in the backup's copy, which is deleted (review33: "the refusal is recorded").
    assert line.endswith("; the refusal could not be recorded (the database cannot be read)")
    assert not list(office.db.parent.glob(f"{office.db.name}.before-restore-*"))
    assert not list(office.db.parent.glob(f".{office.db.name}.restore-*"))
    done = run_cli_here(*args, env=env)  # as the login's own person
    assert done.returncode == 0, done.stderr
    assert not list(office.db.parent.glob(f".{office.db.name}.restore-*"))


def test_a_booking_cancelled_again_by_a_restore_counts_when_it_was_cancelled(
    office: Cli, tmp_path: Path
) -> None:
    """Cancelled by the resident in November, then forgotten; the office restores a backup of
    before it in December. The cancellation made again is the one the replaced database
    recorded: dated when it was made, it counts in November's report, not December's (the
    restore's day), and its notice is the notice the resident gave."""
    made = office("--user", "amina", "appointment", "book", "--service", "C", "--start",
                  "2026-12-08T10:00:00Z", "--channel", "email", *ZED[:4], "--json",
                  now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    backup = str(tmp_path / "pre.sqlite")
    assert office("db", "backup", "--to", backup, now=NOW).code == 0
    november = "2026-11-27T15:00:00Z"
    cancel = ("appointment", "cancel", ref, "--by", "resident")
    assert office("--user", "amina", *cancel, now=november).code == 0
    forgot = office("--user", "amina", "resident", "forget", ref, "--yes", "--cancel-messages",
                    "--reason", "IG-5", now=november)  # fmt: skip
    assert forgot.code == 0, forgot.err

    def cancelled(month: str) -> object:
        report = office("report", "monthly", "--month", month, "--format", "json", now=december)
        assert report.code == 0, report.err
        return report.json()["appointments_cancelled"]

    december = "2026-12-02T10:00:00Z"
    before = cancelled("2026-11")
    assert before == {"resident": 1, "council": 0}
    notice = f"SELECT notice_days FROM appointments WHERE ref = '{ref}'"
    given = rows(office.db, notice)
    restored = office("--user", "tl", "db", "restore", backup, "--yes", "--json", now=december)
    assert restored.code == 0, restored.err
    assert restored.json()["erasures_after_backup"]["cancelled_again"] == [ref]
    assert rows(
        office.db, f"SELECT cancelled_at, cancelled_by FROM appointments WHERE ref = '{ref}'"
    ) == [("2026-11-27T15:00:00.000Z", "resident")]
    assert rows(office.db, notice) == given != [(None,)]
    assert cancelled("2026-11") == before  # the same count as the replaced database had
    assert cancelled("2026-12") == {"resident": 0, "council": 0}
