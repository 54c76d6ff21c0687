"""The cases a forced restore's numbering is for, beyond the same day's backup: a backup from an
earlier business day restored mid-day, another office's backup put in place with --force, and a
database with two sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import TRAINING, Cli, make_db, site_toml

FRIDAY = "2026-11-20T10:00:00Z"
FRIDAY_LATER = "2026-11-20T15:00:00Z"
MONDAY_EARLY = "2026-11-23T08:55:00Z"
MONDAY = "2026-11-23T09:30:00Z"
MONDAY_LATER = "2026-11-23T09:45:00Z"


def _code(cli: Cli, service: str, now: str, *more: str) -> str:
    issued = cli("ticket", "issue", "--service", service, "--no-print", "--json", *more, now=now)
    assert issued.code == 0, issued.err
    return str(issued.json()["code"])


def _restore(cli: Cli, backup: str, now: str, *more: str) -> list[str]:
    restored = cli("db", "restore", backup, "--yes", "--force", *more, now=now)
    assert restored.code == 0, restored.err
    return restored.out.splitlines()


def test_a_backup_from_an_earlier_business_day_restored_mid_day(cli: Cli) -> None:
    assert _code(cli, "C", FRIDAY) == "C001"
    backup = cli("db", "backup", "--json", now=FRIDAY).json()["path"]
    assert _code(cli, "C", FRIDAY_LATER) == "C002"
    # Monday before the first ticket: Friday's codes are not today's, nothing is said of them.
    lines = _restore(cli, backup, MONDAY_EARLY)
    assert not [line for line in lines if line.startswith("Tickets up to")], lines
    # Mid-day: today's counter is not in Friday's backup at all; it is carried from nothing.
    assert [_code(cli, "C", MONDAY), _code(cli, "C", MONDAY)] == ["C001", "C002"]
    lines = _restore(cli, backup, MONDAY_LATER)
    (codes,) = [line for line in lines if line.startswith("Tickets up to")]
    assert codes.startswith("Tickets up to C002 were given out at hq on 2026-11-23 after"), codes
    assert _code(cli, "C", MONDAY_LATER) == "C003"
    assert cli("db", "check", now=MONDAY_LATER).code == 0


def test_another_offices_backup_with_force_carries_nothing_and_says_all_is_kept(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Cli(make_db(other_dir, site_toml()), monkeypatch)
    assert _code(other, "C", MONDAY) == "C001"
    backup = other("db", "backup", "--json", now=MONDAY).json()["path"]
    # This office's events are older than the other office's newest: they count all the same.
    assert [_code(cli, "C", "2026-11-23T09:00:00Z") for _ in range(3)] == ["C001", "C002", "C003"]
    events = int(cli("db", "backup", "--json", now=MONDAY).json()["counts"]["events"])
    refused = cli("db", "restore", backup, "--yes", now=MONDAY_LATER)
    assert refused.code != 0 and "another office's database" in refused.err
    lines = _restore(cli, backup, MONDAY_LATER)
    (said,) = [line for line in lines if line.startswith("The replaced database ")]
    assert said.startswith(
        f"The replaced database was another office's: all its {events} events are only in "
        "office.sqlite.before-restore-"
    ), said
    assert not [line for line in lines if line.startswith("Tickets up to")], lines
    assert _code(cli, "C", MONDAY_LATER) == "C002"  # the other office's numbering, not ours
    again = cli("db", "restore", backup, "--yes", "--json", now=MONDAY_LATER).json()
    assert again["other_office"] is False and again["last_codes"] == ["C002"]


TWO_SITES = f"""{TRAINING}
[council]
name = "Test Council"

[[sites]]
id = "hq"
name = "Civic Centre"

[[sites]]
id = "annex"
name = "Library Annex"

[[services]]
code = "C"
name = "Council Tax"

[[desks]]
id = "greet-hq"
kind = "meet-and-greet"
site = "hq"

[[desks]]
id = "greet-annex"
kind = "meet-and-greet"
site = "annex"
"""


def test_two_sites_each_say_their_own_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, TWO_SITES), monkeypatch)
    backup = cli("db", "backup", "--json", now=MONDAY).json()["path"]
    assert [_code(cli, "C", MONDAY_LATER, "--site", "hq") for _ in range(3)][-1] == "C003"
    assert [_code(cli, "C", MONDAY_LATER, "--site", "annex") for _ in range(5)][-1] == "C005"
    lines = [line for line in _restore(cli, backup, MONDAY_LATER) if "Tickets up to" in line]
    assert [line.split(" after the backup")[0] for line in lines] == [
        "Tickets up to C005 were given out at annex on 2026-11-23",
        "Tickets up to C003 were given out at hq on 2026-11-23",
    ]
    assert _code(cli, "C", MONDAY_LATER, "--site", "hq") == "C004"
    assert _code(cli, "C", MONDAY_LATER, "--site", "annex") == "C006"
    data = cli("db", "restore", backup, "--yes", "--force", "--json", now=MONDAY_LATER).json()
    assert data["last_codes_by_site"] == {"annex": ["C006"], "hq": ["C004"]}
