"""What a restore drops is counted by the event log's hash chain, not by the clock: a backup that
was then used on its own (a training copy with its clock moved ahead) parts from the office's
log at its head, and every live event from there on is dropped, however early it is dated. A
copy re-initialised for another site with ``init --replace-office`` keeps the office id, but it
is another office from that event on: refused as such without ``--force``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import Cli, rows, site_toml

MONDAY = "2026-11-23T09:30:00Z"
LATER = "2026-11-23T10:30:00Z"
NEXT_YEAR = "2027-01-08T10:00:00Z"


def _issue(cli: Cli, now: str) -> None:
    done = cli("ticket", "issue", "--service", "C", "--no-print", now=now)
    assert done.code == 0, done.err


def _head(db: Path) -> int:
    return int(rows(db, "SELECT max(id) FROM events")[0][0])


def _forked_copy(cli: Cli, tmp_path: Path) -> tuple[Path, int]:
    """A backup of the office copied out as a file of its own, and the event it ends at."""
    _issue(cli, MONDAY)
    made = cli("db", "backup", "--json", now=MONDAY).json()
    copy = tmp_path / "copy" / "pt.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(made["path"], copy)
    return copy, int(made["head"]["event"])


def test_a_forked_copy_dated_later_still_drops_every_live_event_after_the_fork(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy, at_backup = _forked_copy(cli, tmp_path)
    training = Cli(copy, monkeypatch)
    for _ in range(2):
        _issue(training, NEXT_YEAR)  # the copy's own events, dated after all the office's
    for _ in range(3):
        _issue(cli, LATER)
    dropped = _head(db_path) - at_backup
    assert dropped >= 6  # three tickets: arrived and issued each

    restored = cli("db", "restore", str(copy), "--yes", now=LATER)
    assert restored.code == 0, restored.err
    (said,) = [x for x in restored.out.splitlines() if x.startswith("The replaced database had")]
    assert said.startswith(
        f"The replaced database had {dropped} events that the backup does not have (from "
        f"event {at_backup + 1}, where the backup's log parts from it"
    ), said
    assert "(the newest at 2026-11-23 10:30Z)" in said, said

    # Parted again (the copy and the office each go on), in JSON.
    at_restore = _head(db_path) - 1  # the copy's head: the restore's own event follows it
    _issue(training, NEXT_YEAR)
    for _ in range(2):
        _issue(cli, LATER)
    data = cli("db", "restore", str(copy), "--yes", "--json", now=LATER).json()
    assert data["other_office"] is False
    assert data["newer_events"] == _head(Path(str(data["kept"]))) - at_restore
    assert data["forked_at_event"] == at_restore + 1
    assert str(data["newest_event"]).startswith("2026-11-23T10:30")


def test_a_plain_backup_still_counts_what_came_after_it(cli: Cli, db_path: Path) -> None:
    _issue(cli, MONDAY)
    made = cli("db", "backup", "--json", now=MONDAY).json()
    _issue(cli, LATER)
    data = cli("db", "restore", made["path"], "--yes", "--json", now=LATER).json()
    assert data["newer_events"] == _head(Path(str(data["kept"]))) - int(made["head"]["event"])
    assert data["forked_at_event"] is None


def test_a_copy_re_initialised_for_another_site_is_another_office(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy, _ = _forked_copy(cli, tmp_path)
    other = tmp_path / "copy" / "other.toml"
    other.write_text(site_toml().replace('id = "hq"', 'id = "bacup"'), encoding="utf-8")
    replaced = Cli(copy, monkeypatch)("init", "--config", str(other), "--replace-office", now=LATER)
    assert replaced.code == 0, replaced.err
    _issue(cli, LATER)
    events = _head(db_path)

    refused = cli("db", "restore", str(copy), "--yes", now=LATER)
    assert refused.code == 6, refused.err
    assert "became another office (`init --replace-office`" in refused.err, refused.err
    assert refused.err.count("\n") == 1

    forced = cli("db", "restore", str(copy), "--yes", "--force", "--json", now=LATER).json()
    assert forced["other_office"] is True
    assert forced["newer_events"] == events  # all the office's events are only in the kept copy
