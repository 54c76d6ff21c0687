"""``resident forget`` says which backups may still hold what it erased, and until when
(review27: it said nothing of the backups, which keep erased details for weeks)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from oss_desk.clock import format_instant

from .conftest import Cli
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
        f"1 backup made before now in {folder} may still hold them (those made after the "
        "records were): the last is deleted by the "
        f"first `oss-desk db backup` after {until:%a %d %b %Y %H:%M} (backup.keep_days, 14 "
        "days); copies taken off the host go by their own schedule."
    )
    as_json = office("--user", "amina", "resident", "forget", "CB-0001", "--yes", "--json")
    assert as_json.json()["backups"] == {
        "count": 1,
        "folder": str(folder),
        "keep_days": 14,
        "deleted_after": format_instant(datetime.fromtimestamp(three_days_ago + 14 * 86400, UTC)),
    }
