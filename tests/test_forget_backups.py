"""``resident forget`` says which backups may still hold what it erased, and until when
(review27: it said nothing of the backups, which keep erased details for weeks)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.cli.residents import ELSEWHERE
from oss_desk.clock import format_instant, parse_instant

from .conftest import Cli, rows
from .test_restore_keeps_erasures import compliment
from .test_subject_access import BOB_COMMENT, BOB_NOTE, BOB_PHONE, NOW, bobs_office, office

__all__ = ["bobs_office", "office"]  # the fixtures, used by name


def test_forget_says_which_backups_still_hold_the_details_and_until_when(office: Cli) -> None:
    # review27: forgetting said nothing of the backups, which hold the details for weeks.
    none = office("--user", "amina", "followup", "done", "CB-0001", now=NOW)
    assert none.code == 0, none.err
    assert office("db", "backup", now=NOW).code == 0
    folder = office.db.parent / "backups"
    (made,) = folder.glob("office-*.sqlite")
    three_days_ago = int(time.time()) - 3 * 86400
    os.utime(made, (three_days_ago, three_days_ago))
    forgot = office("--user", "amina", "resident", "forget", "CB-0001", "--yes", now=NOW)
    assert forgot.code == 0, forgot.err
    until = datetime.fromtimestamp(three_days_ago + 14 * 86400).astimezone()
    assert forgot.out.splitlines()[-1] == (
        f"1 backup in {folder} made after the records were may still hold them: the last is "
        f"deleted by the first `oss-desk db backup` after {until:%a %d %b %Y %H:%M} "
        f"(backup.keep_days, 14 days); {ELSEWHERE}"
    )
    as_json = office("--user", "amina", "resident", "forget", "CB-0001", "--yes", "--json")
    assert as_json.json()["backups"] == {
        "count": 1,
        "not_known": 0,
        "folder": str(folder),
        "keep_days": 14,
        "deleted_after": format_instant(datetime.fromtimestamp(three_days_ago + 14 * 86400, UTC)),
        "restore_copies": [],
    }


def test_forget_counts_only_the_backups_made_after_the_records_were(office: Cli) -> None:
    """review30: two backups made a minute before a compliment was recorded were said to
    "may still hold" its details, and a backup written elsewhere with --to was said to be
    none ("No backup holds them"). Only the backups of the office's folder whose event log
    reaches the record's making are counted, by the log rather than any clock, and the line
    names the folder it looked in."""
    folder = office.db.parent / "backups"
    for _ in range(2):
        assert office("db", "backup", now=NOW).code == 0
    assert len(list(folder.glob("office-*.sqlite"))) == 2
    zed = compliment(office)
    forgot = office("--user", "amina", "resident", "forget", zed, "--yes", "--json", now=NOW)
    assert forgot.code == 0, forgot.err
    assert forgot.json()["backups"] == {
        "count": 0,
        "not_known": 0,
        "folder": str(folder),
        "keep_days": 14,
        "deleted_after": None,
        "restore_copies": [],
    }
    again = compliment(office)
    assert office("db", "backup", now=NOW).code == 0  # after the second record was made
    said = office("--user", "amina", "resident", "forget", again, "--yes", now=NOW)
    assert said.code == 0, said.err
    assert said.out.splitlines()[-1].startswith(
        f"1 backup in {folder} made after the records were may still hold them: "
    )
    third = compliment(office)
    said = office("--user", "amina", "resident", "forget", third, "--yes", now=NOW)
    assert said.out.splitlines()[-1] == (
        f"No backup in {folder} was made after the records were; {ELSEWHERE}"
    )


def test_find_after_an_erasure_says_the_older_backups_may_hold_details_naming_no_one(
    office: Cli,
) -> None:
    """The IT administrator's trial: after `resident forget`, `resident find` said "Nothing
    held under that name" with no word of the backups that still held her details. It now
    says which backups may hold details of anyone erased since (made after an erased record
    was, before its erasure), and until when; the same for a name never held, so it tells no
    one who was erased."""
    assert office("db", "backup", now=NOW).code == 0  # before the record: it holds nothing erased
    folder = office.db.parent / "backups"
    (older,) = folder.glob("office-*.sqlite")
    zed = compliment(office)
    before = office("--user", "amina", "resident", "find", "--name", "Zed", "--json", now=NOW)
    assert before.json()["backups"] is None  # nothing was ever erased
    assert office("db", "backup", now=NOW).code == 0
    (made,) = set(folder.glob("office-*.sqlite")) - {older}
    three_days_ago = int(time.time()) - 3 * 86400
    os.utime(made, (three_days_ago, three_days_ago))
    assert office("--user", "amina", "resident", "forget", zed, "--yes", now=NOW).code == 0
    (erased_at,) = rows(office.db, "SELECT at FROM events WHERE kind = 'resident_erased'")
    said = {}
    for name in ("Zed Quill", "Nobody Ever"):
        found = office("--user", "amina", "resident", "find", "--name", name, now=NOW)
        assert found.code == 0, found.err
        said[name] = found.out
    assert said["Zed Quill"] == said["Nobody Ever"]  # the erased and the never held alike
    until = datetime.fromtimestamp(three_days_ago + 14 * 86400).astimezone()
    erased = parse_instant(erased_at[0]).astimezone()
    assert said["Zed Quill"].splitlines()[:2] == [
        "Nothing held under that name (the search is recorded).",
        f"1 backup in {folder} made before {erased:%a %d %b %Y %H:%M} may still hold details "
        "of anyone erased since (`resident forget`): the last is deleted by the first "
        f"`oss-desk db backup` after {until:%a %d %b %Y %H:%M} (backup.keep_days, 14 days); "
        f"{ELSEWHERE}",
    ]
    as_json = office("--user", "amina", "resident", "find", "--name", "Zed", "--json", now=NOW)
    assert as_json.json() == {
        "by": "name",
        "records": [],
        "backups": {
            "erased_before": erased_at[0],
            "count": 1,
            "not_known": 0,
            "folder": str(folder),
            "keep_days": 14,
            "deleted_after": format_instant(
                datetime.fromtimestamp(three_days_ago + 14 * 86400, UTC)
            ),
            "restore_copies": [],
        },
        "not_searched": [],
    }
    # A backup made after the erasure holds nothing erased: the line counts only the older.
    assert office("db", "backup", now=NOW).code == 0
    again = office("--user", "amina", "resident", "find", "--name", "Zed", "--json", now=NOW)
    assert again.json()["backups"]["count"] == 1
    made.unlink()  # the older one gone: nothing erased is held in the folder
    gone = office("--user", "amina", "resident", "find", "--name", "Zed", now=NOW)
    assert "may still hold details of anyone erased since" not in gone.out


def test_find_json_is_a_copy_holding_the_free_text_too(office: Cli) -> None:
    """The trial: the JSON the README calls "a copy to send the resident" listed that a
    ring-back holds a topic, but not the topic's words, which are her personal data."""
    found = office("--user", "amina", "resident", "find", "--phone", BOB_PHONE, "--json", now=NOW)
    assert found.code == 0, found.err
    texts = {r["ref"]: r["texts"] for r in found.json()["records"]}
    assert texts["CB-0001"] == {"topic": ["rent arrears"]}
    visits = sorted(sorted(t.items()) for ref, t in texts.items() if ref.startswith("visit-"))
    assert visits == [[("feedback comment", [BOB_COMMENT])], [("note", [BOB_NOTE])]]
    booking = [t for ref, t in texts.items() if not ref.startswith(("CB-", "visit-"))]
    assert booking == [{}]  # its name and phone only
    # The plain find still names the fields only (the words are read on the record).
    plain = office("--user", "amina", "resident", "find", "--phone", BOB_PHONE, now=NOW)
    assert "rent arrears" not in plain.out


def test_a_backup_whose_head_file_is_gone_is_judged_by_its_own_log(office: Cli) -> None:
    """review31: a backup made before the record, its ``.head`` file gone (copied back without
    it, deleted by hand), was counted as "made after the records were". Its own event log
    says it was made before; and reading it leaves nothing beside it."""
    folder = office.db.parent / "backups"
    assert office("db", "backup", now=NOW).code == 0
    (made,) = folder.glob("office-*.sqlite")
    Path(f"{made}.head").unlink()
    zed = compliment(office)
    forgot = office("--user", "amina", "resident", "forget", zed, "--yes", now=NOW)
    assert forgot.code == 0, forgot.err
    assert forgot.out.splitlines()[-1] == (
        f"No backup in {folder} was made after the records were; {ELSEWHERE}"
    )
    assert sorted(p.name for p in folder.iterdir()) == [made.name]


def test_a_backup_whose_event_log_is_not_known_is_never_said_made_after(office: Cli) -> None:
    """No head written beside it and its own log unreadable: it may hold the details, and is
    counted as one whose log is not known, not as one made after the records were."""
    folder = office.db.parent / "backups"
    assert office("db", "backup", now=NOW).code == 0
    (made,) = folder.glob("office-*.sqlite")
    Path(f"{made}.head").unlink()
    made.write_bytes(b"not a database any more" * 200)
    zed = compliment(office)
    forgot = office("--user", "amina", "resident", "forget", zed, "--yes", now=NOW)
    assert forgot.code == 0, forgot.err
    assert forgot.out.splitlines()[-1].startswith(
        f"1 backup whose event log is not known in {folder} may still hold them: the last is "
        "deleted by the first `oss-desk db backup` after "
    ), forgot.out
    assert office("db", "backup", now=NOW).code == 0  # one made after the record, too
    again = compliment(office)
    assert office("db", "backup", now=NOW).code == 0
    said = office("--user", "amina", "resident", "forget", again, "--yes", "--json", now=NOW)
    assert said.code == 0, said.err
    assert said.json()["backups"]["count"] == 1 and said.json()["backups"]["not_known"] == 1


def test_forget_and_find_name_the_copy_a_restore_kept_beside_the_database(office: Cli) -> None:
    """A review: after a restore, `resident forget` named the backups that may still hold the
    details and never the copy the restore kept beside the database (the whole database as it
    stood, residents' details included); `resident find` no more. Both now name it, with the
    `rm` that deletes it, and a backup run deletes it past backup.keep_days as before."""
    zed = compliment(office)
    assert office("db", "backup", now=NOW).code == 0
    folder = office.db.parent / "backups"
    (backup,) = folder.glob("office-*.sqlite")
    restored = office("db", "restore", str(backup), "--yes", now=NOW)
    assert restored.code == 0, restored.err
    (copy,) = office.db.parent.glob("office.sqlite.before-restore-*")
    # Before anyone is erased too (a review: "Nothing held" and no word of the copy, which held
    # a booking made after the backup): whoever is searched for, the copy is named.
    before = office("--user", "amina", "resident", "find", "--name", "Nobody", now=NOW)
    assert before.code == 0, before.err
    assert (
        f"1 copy of the database kept by `oss-desk db restore` beside it ({copy.name}) may "
        "still hold details of anyone (it is not searched" in before.out
    ), before.out
    as_json = office("--user", "amina", "resident", "find", "--name", "Nobody", "--json", now=NOW)
    assert as_json.json()["not_searched"] == [str(copy)]
    forgot = office("--user", "amina", "resident", "forget", zed, "--yes", now=NOW)
    assert forgot.code == 0, forgot.err
    line = forgot.out.splitlines()[-1]
    assert line.startswith(
        f"1 copy of the database kept by `oss-desk db restore` beside it ({copy.name}) may "
        f"still hold them: once looked at, delete it (`rm {copy}"
    ), line
    assert line.endswith(
        "else the first `oss-desk db backup` after backup.keep_days (14 days) deletes it."
    )
    found = office("--user", "amina", "resident", "find", "--name", "Nobody", "--json", now=NOW)
    assert found.json()["backups"]["restore_copies"] == [str(copy)]
    assert found.json()["not_searched"] == [str(copy)]
    for side in copy.parent.glob(f"{copy.name}*"):
        side.unlink()
    gone = office("--user", "amina", "resident", "find", "--name", "Nobody", now=NOW)
    assert "kept by `oss-desk db restore`" not in gone.out
