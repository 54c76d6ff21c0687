"""``make_db`` makes its offices from a copy of a migrated database (tests/conftest.py): the same
database as one made afresh by ``oss-desk init --config``, row for row, with an office id, a
resident secret and file stamps of its own, so that no test runs on anything a real ``init``
would not make, and two offices of one test are never one office twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.config_cache import PlainSection, cache_path
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

from .conftest import MONDAY_0930, make_db, site_toml
from .ui.test_office_db import dumped


def _own(db: Path) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("SELECT uuid FROM office_identity").fetchone()[0],
            conn.execute("SELECT key FROM resident_secret").fetchone()[0],
            conn.execute("PRAGMA user_version").fetchone()[0],
        )
    finally:
        conn.close()


def test_an_office_make_db_copies_is_the_office_made_afresh(tmp_path: Path) -> None:
    fresh, copied, other = tmp_path / "fresh", tmp_path / "copied", tmp_path / "other"
    for folder in (fresh, copied, other):
        folder.mkdir()
    toml = site_toml(greet_printer=f"capture://{tmp_path}/printer.bin", desks=2)
    config = fresh / "site.toml"
    config.write_text(toml, encoding="utf-8")
    initialise(fresh / "office.sqlite", clock=FixedClock(MONDAY_0930), config_path=config)
    made = dumped(fresh / "office.sqlite", fresh)
    db = make_db(copied, toml)
    assert dumped(db, copied) == made
    assert any("site" in line for line in made[0]), "the site's own rows are compared"
    # Each office its own: id, resident secret and live stamp differ from any other's.
    mine, theirs = _own(db), _own(make_db(other, toml))
    assert all(a != b for a, b in zip(mine, theirs, strict=True)), (mine, theirs)
    assert all(a != b for a, b in zip(mine, _own(fresh / "office.sqlite"), strict=True))
    # The validated settings copy the first command leaves (oss_desk/config_cache.py) is
    # already there, as that command would leave it, made afresh or again from the same key.
    assert not cache_path(fresh / "office.sqlite").exists()
    first = open_session(db=fresh / "office.sqlite", person="tl")
    try:
        assert not isinstance(first.settings, PlainSection)  # the check can fail: validated
    finally:
        first.close()
    left = cache_path(fresh / "office.sqlite").read_text(encoding="utf-8")
    for office in (db, other / "office.sqlite"):
        assert cache_path(office).read_text(encoding="utf-8") == left
        assert cache_path(office).stat().st_mode & 0o777 == 0o600
        session = open_session(db=office, person="tl")
        try:
            assert isinstance(session.settings, PlainSection)  # read back, not validated
        finally:
            session.close()
