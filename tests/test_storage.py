"""Opening the database: pragmas, refusals, integrity, migrations (real files, real processes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.errors import StorageError
from oss_desk.storage import database
from oss_desk.storage.database import filesystem_type, open_store
from oss_desk.storage.migrations import MIGRATION_SET, schema_files

from .procs import run_at_once

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:26 / /srv/office rw,relatime shared:5 - nfs4 fileserver:/office rw,vers=4.2
31 22 0:27 / /mnt/share\\040drive rw,relatime shared:6 - cifs //nas/share rw
32 30 8:2 / /srv/office/local rw,relatime shared:7 - ext4 /dev/sdb1 rw
33 22 0:28 / /home/desk/remote rw - fuse.sshfs desk@host:/ rw
"""


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("/var/lib/oss-desk", "ext4"),
        ("/srv/office", "nfs4"),
        ("/srv/office/db", "nfs4"),
        ("/srv/office/local/db", "ext4"),  # a local disk mounted inside the share
        ("/srv/officer", "ext4"),  # a sibling, not inside the share
        ("/mnt/share drive/x", "cifs"),
        ("/home/desk/remote/oss.sqlite", "fuse.sshfs"),
    ],
)
def test_filesystem_type_from_mountinfo(path: str, fstype: str) -> None:
    assert filesystem_type(Path(path), MOUNTINFO) == fstype


def test_refuses_a_database_on_a_network_filesystem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "mountinfo"
    fake.write_text(
        f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 0:30 / {tmp_path} rw - nfs4 x:/y rw\n"
    )
    monkeypatch.setattr(database, "MOUNTINFO", fake)
    with pytest.raises(StorageError, match=r"network filesystem \(nfs4\): SQLite corrupts"):
        open_store(tmp_path / "office.sqlite", create=True)
    assert not (tmp_path / "office.sqlite").exists()


def test_pragmas_on_every_connection(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 15000
    finally:
        store.close()


def test_refuses_text_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database at all\n" * 100)
    before = path.read_bytes()
    for create in (False, True):
        with pytest.raises(StorageError, match="is not an SQLite database"):
            open_store(path, create=create)
    assert path.read_bytes() == before


def test_refuses_another_applications_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another application"):
        open_store(path, create=True)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "no database at"),
    ],
)
def test_refuses_bad_paths(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "db"
    make(target)
    with pytest.raises(StorageError, match=message):
        open_store(target)


def test_cannot_create_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create"):
        open_store(blocker / "sub" / "db.sqlite", create=True)


@pytest.mark.parametrize(
    "path",
    [
        "/proc/self/oss-desk/db.sqlite",  # cannot make the folder (even as root)
        "/proc/self/db.sqlite",  # the folder is not writable
        "/sys/db.sqlite",  # a read-only filesystem
    ],
)
def test_cannot_create_in_places_nobody_may_write(path: str) -> None:
    with pytest.raises(StorageError, match=r"cannot (create|open)"):
        open_store(Path(path), create=True)


def test_quick_check_finds_a_damaged_page(db_path: Path) -> None:
    # Fill the database so that it has several pages, checkpoint, then scribble on one page.
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(400)])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    page = 4096
    with db_path.open("r+b") as f:
        f.seek(page * 20)
        f.write(bytes([0xA5]) * page)
    with pytest.raises(StorageError, match="failed its integrity check"):
        open_store(db_path)


def _open_concurrently(path: str) -> str:
    store = open_store(Path(path), create=True)
    store.close()
    return "ok"


def test_many_processes_migrating_at_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    results = run_at_once(_open_concurrently, [(str(path),)] * 6)
    assert results == ["ok"] * 6
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT name, count(*) FROM _sqlite_migrations WHERE migration_set = ? GROUP BY name",
        [MIGRATION_SET],
    ).fetchall()
    conn.close()
    assert rows == [(name, 1) for name, _ in schema_files()]


def test_schema_of_a_fresh_database(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.sqlite", create=True)
    try:
        conn = store.conn
        tables = {
            r[0]: r[1]
            for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        }
        for name in (
            "sites",
            "services",
            "desks",
            "desk_services",
            "staff",
            "visits",
            "ticket_counters",
            "tickets",
            "events",
            "print_jobs",
            "config_snapshots",
        ):
            assert name in tables
            assert "STRICT" in tables[name]
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert {"events_no_update", "events_no_delete"} <= triggers
        ticket_cols = {r[1] for r in conn.execute("PRAGMA table_info(tickets)")}
        assert {
            "site_id",
            "service_code",
            "business_day",
            "number",
            "status",
            "desk_id",
            "queued_at",
            "recalls",
            "printed_at",
        } <= ticket_cols
        unique = [
            [c[2] for c in conn.execute(f"PRAGMA index_info('{idx[1]}')")]
            for idx in conn.execute("PRAGMA index_list(tickets)")
            if idx[2]
        ]
        assert ["site_id", "service_code", "business_day", "number"] in unique
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()
