"""Review 16 (7): an office's copy made by an older version (a nightly backup or a replica not
yet upgraded), added to a report with ``--include``, is read as it is and gives the figures of
the same copy upgraded. A copy at schema 0008 was refused ("no such table: desk_capabilities",
exit 4): a table a later migration added, which the copy upgraded holds empty, is read as an
empty one. The copies are built as tests/test_upgrade.py builds them: the tables of that schema,
holding a real office's rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from oss_desk.clock import FixedClock, read_instant
from oss_desk.services.site import initialise
from oss_desk.storage.migrations import build_migrations

from .appointments_site import office_toml
from .conftest import Cli, db_content, make_db, site_toml
from .test_migrate import at_migration, fill_from

DAY = "2026-11-23"
NORTH = 'id = "north"\nname = "North"'
LATER = "2026-11-30T12:00:00Z"
STOPS = ("0009_event_chain", "0005_calls", "0024_visit_facts")
"""Copies at schema 0008, 0004 (the oldest a report reads) and 0023 (before ``visit_facts``).
A copy kept by an older contact rule is tests/test_reached_a_desk.py's: a copy built here would
hold ``visit_facts`` rows its triggers made as the events were copied in, before the tickets
they read."""

REPORTS = (
    ("daily", "--date", DAY),
    ("monthly", "--month", "2026-11"),
    ("period", "--from", "2026-11-01", "--to", "2026-11-30"),
    ("quarterly", "--quarter", "2026-Q4"),
    ("annual", "--year", "2026"),
)


def north_office(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another office (site ``north``) with a day of visits: served, resolved at meet-and-greet,
    a no-show and one left waiting; an appointment checked in whose resident left before being
    seen (schema/0057 gives it its state on upgrading), and one missed."""
    folder.mkdir()
    config = folder / "north.toml"
    config.write_text(office_toml().replace('id = "hq"\nname = "Civic Centre"', NORTH))
    north = folder / "office.sqlite"
    initialise(north, clock=FixedClock(read_instant("2026-11-20T09:00:00Z")), config_path=config)
    cli = Cli(north, monkeypatch)

    def ok(*args: str, at: str) -> Any:
        done = cli("--user", "tl", *args, "--json", now=f"{at}Z")
        assert done.code == 0, (args, done.err)
        return done.json()

    slip = ("--channel", "slip", "--print-to", f"capture://{folder}/slips.bin")
    booked = [
        ok("appointment", "book", "--service", "C", "--start", start, "--adviser", "ana", *slip,
           at="2026-11-20T10:00:00")["ref"]
        for start in (f"{DAY}T10:00:00Z", f"{DAY}T11:00:00Z")
    ]  # fmt: skip
    for minute, service in ((0, "C"), (2, "W"), (4, "C"), (6, "W")):
        issue = ("ticket", "issue", "--service", service, "--desk", "greet-1")
        ok(*issue, at=f"{DAY}T09:0{minute}:00")
    steps = (
        ("ticket", "call-next", "--desk", "desk-1"),
        ("ticket", "finish", "C001", "--outcome", "resolved"),
        ("ticket", "call-next", "--desk", "desk-1"),
        ("ticket", "no-show", "W001"),
        ("visit", "quick", "--service", "W", "--outcome", "signposted", "--desk", "greet-1"),
    )
    for n, step in enumerate(steps):
        ok(*step, at=f"{DAY}T09:{20 + n}:00")
    came = ok("appointment", "check-in", booked[0], at=f"{DAY}T09:55:00")
    ok("ticket", "cancel", came["code"], "--reason", "left", at=f"{DAY}T10:30:00")
    ok("appointment", "no-show", booked[1], at=f"{DAY}T11:40:00")
    return north


def copy_at(source: Path, path: Path, stop_before: str) -> Path:
    db = at_migration(path, stop_before)
    fill_from(db, source)
    db.conn.close()
    return path


def upgraded(copy: Path, path: Path) -> Path:
    shutil.copy(copy, path)
    db = sqlite_utils.Database(path)
    build_migrations().apply(db)
    db.conn.close()
    return path


def test_every_report_over_an_older_office_s_copy_gives_the_copy_upgraded_s_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    here = Cli(make_db(tmp_path / "here", site_toml()), monkeypatch)
    north = north_office(tmp_path / "north", monkeypatch)

    def report(kind: tuple[str, ...], copy: Path) -> dict[str, Any]:
        done = here("--user", "tl", "report", *kind, "--include", str(copy), "--json", now=LATER)
        assert done.code == 0, (kind, copy.name, done.err)
        found: dict[str, Any] = json.loads(done.out)
        return found

    for stop in STOPS:
        old = copy_at(north, tmp_path / f"north-{stop[:4]}.sqlite", stop)
        new = upgraded(old, tmp_path / f"north-{stop[:4]}-upgraded.sqlite")
        old.chmod(0o444)
        before = db_content(old)
        for kind in REPORTS:
            assert report(kind, old) == report(kind, new), (stop, kind[0])
        assert db_content(old) == before  # read as it is, never written
        daily = report(REPORTS[0], old)
        assert (daily["visits"], daily["by_site"]) == (6, {"hq": 0, "north": 6}), stop
        month = report(REPORTS[1], old)
        assert (month["appointments_kept"], month["appointments_no_show"]) == (1, 1), stop
    # Every presentation of it, as the copy upgraded's (the oldest copy).
    old, new = (tmp_path / f"north-{STOPS[0][:4]}{end}.sqlite" for end in ("", "-upgraded"))
    for fmt in ("text", "csv", "html"):
        shown = [
            here("--user", "tl", "report", "monthly", "--month", "2026-11", "--include", str(copy),
                 "--format", fmt, now=LATER)
            for copy in (old, new)
        ]  # fmt: skip
        assert shown[0].code == 0 and shown[0].out == shown[1].out, (fmt, shown[0].err)


def test_a_copy_older_than_a_report_reads_is_refused_in_one_line_naming_it_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy at schema 0003 (its events name no appointment) was said to be "not an oss-desk
    database": it is named, with its schema and what to do, exit 4."""
    (tmp_path / "here").mkdir()
    here = Cli(make_db(tmp_path / "here", site_toml()), monkeypatch)
    old = copy_at(north_office(tmp_path / "north", monkeypatch), tmp_path / "north-0003.sqlite",
                  "0004_appointments")  # fmt: skip
    for kind in REPORTS:
        done = here("--user", "tl", "report", *kind, "--include", str(old), now=LATER)
        assert (done.code, done.out) == (4, ""), kind
        assert done.err == (
            f"oss-desk: {old} was made by an older oss-desk (schema 0003_devices; reports read "
            "copies from 0004_appointments on): upgrade a copy of it with "
            "`oss-desk --db COPY init` and include the copy\n"
        ), kind
