"""The UI tests' offices are made from a copy of a migrated database (tests/ui/conftest.py,
``office_db``): the same database as one made afresh, row for row, so that no desk test runs on
anything a real ``oss-desk init`` would not make."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from .. import appointments_site, followups_site
from ..conftest import make_db, site_toml
from .conftest import appointments_office, followups_office, office_db

# What differs between any two databases made afresh: when each migration ran (the wall clock),
# when this release first ran on it (the upgrade's mark, migration 0092: the wall clock too), and
# the office's random id and resident secret (made by their migrations); and the header's stamps
# (storage/incarnation.py), random as well.
MADE_APART = re.compile(
    r'^INSERT INTO "(_sqlite_migrations|restores_recorded_since|office_identity|resident_secret)"'
)


def dumped(db: Path, folder: Path) -> tuple[list[str], list[str], list[object]]:
    """(every statement that rebuilds the database, with ``folder`` written as FOLDER; the
    migrations applied, in order; the pragmas that shape the file)."""
    conn = sqlite3.connect(db)
    try:
        lines = [line.replace(str(folder), "FOLDER") for line in conn.iterdump()]
        applied = [
            str(r[0]) for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")
        ]
        assert conn.execute("SELECT count(*) FROM office_identity").fetchone() == (1,)
        assert conn.execute("SELECT length(key) FROM resident_secret").fetchall() == [(32,)]
        pragmas = [
            conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "page_size", "auto_vacuum", "encoding")
        ]
        # A live database's stamps, given (not a backup's copy: those differ).
        live, own = (
            conn.execute(f"PRAGMA {n}").fetchone()[0] for n in ("user_version", "application_id")
        )
        assert live == own != 0
    finally:
        conn.close()
    return [line for line in lines if not MADE_APART.match(line)], applied, pragmas


def test_an_office_from_the_migrated_copy_is_the_office_made_afresh(
    migrated: Path, tmp_path: Path
) -> None:
    fresh, copied = tmp_path / "fresh", tmp_path / "copied"
    fresh.mkdir()
    copied.mkdir()
    toml = site_toml(greet_printer=f"capture://{tmp_path}/printer.bin", desks=2)
    made = dumped(make_db(fresh, toml), fresh)
    from_copy = dumped(office_db(migrated, copied, toml), copied)
    assert from_copy == made
    # Not two empty files: the schema, the migrations and the site's own rows are compared.
    statements, applied, _ = made
    assert sum(line.startswith("CREATE TABLE") for line in statements) > 40
    assert applied[0] == "0001_core" and len(applied) > 40
    assert any('INSERT INTO "desks"' in line and "printer.bin" in line for line in statements)


def test_the_appointments_and_follow_ups_offices_from_the_copy_are_those_made_afresh(
    migrated: Path, tmp_path: Path
) -> None:
    """The offices of tests/appointments_site.py (at its own instant) and tests/followups_site.py,
    made from the migrated copy, are the ones their ``make_office`` makes, row for row."""
    makers: tuple[tuple[str, Callable[[Path], Path], Callable[[Path], Path]], ...] = (
        (
            "appointments",
            lambda folder: appointments_site.make_office(folder, printer="capture://slips.bin"),
            lambda folder: appointments_office(migrated, folder, printer="capture://slips.bin"),
        ),
        (
            "follow-ups",
            lambda folder: followups_site.make_office(folder, printer="capture://greet.bin"),
            lambda folder: followups_office(migrated, folder, printer="capture://greet.bin"),
        ),
    )
    for label, afresh, copied in makers:
        fresh, copy = tmp_path / label / "fresh", tmp_path / label / "copied"
        fresh.mkdir(parents=True)
        copy.mkdir()
        made = dumped(afresh(fresh), fresh)
        assert dumped(copied(copy), copy) == made, label
        assert any('INSERT INTO "desks"' in line for line in made[0]), label
