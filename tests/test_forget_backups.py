"""``resident forget`` says which backups may still hold what it erased, and until when
(review27: it said nothing of the backups, which keep erased details for weeks)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.cli.residents import ELSEWHERE
from oss_desk.clock import format_instant

from .conftest import Cli
from .test_restore_keeps_erasures import compliment
from .test_subject_access import NOW, office

__all__ = ["office"]  # the fixture, used by name


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
