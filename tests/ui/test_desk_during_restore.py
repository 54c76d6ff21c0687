"""A desk left open during `db restore --force`: it is told its database was replaced by a
restore, where its last changes are (the kept copy, named) and what to do; never that the file
was "deleted or moved away" with "nothing saved" (before, the restore moved the database away
and then put the backup in its place, and a desk's check in between read that as the file
gone)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from textual.widgets import Static

from oss_desk.errors import DatabaseGone
from oss_desk.storage.database import open_store
from oss_desk.storage.file_checks import check_file, wal_of
from oss_desk.storage.incarnation import file_identity
from oss_desk.ui.dialogs.blocked import DatabaseBlocked
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import run_cli_process
from .conftest import AppFactory, until

NOW = "2026-11-23T09:30:00Z"


async def test_a_desk_open_during_a_forced_restore_is_told_it_was_replaced(
    office: Path, make_app: AppFactory
) -> None:
    env = {"OSS_DESK_DB": str(office), "OSS_DESK_NOW": NOW}
    made = run_cli_process("db", "backup", "--json", env=env)
    assert made.returncode == 0, made.stderr
    backup = made.stdout.split('"path": "')[1].split('"')[0]
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        greet = app.screen
        assert isinstance(greet, GreetScreen)
        await pilot.press("c", "enter")
        await until(lambda: greet.last_issued is not None)
        opened = file_identity(office)
        restored = await asyncio.to_thread(
            run_cli_process, "db", "restore", backup, "--yes", "--force", env=env
        )
        assert restored.returncode == 0, restored.stderr
        kept = next(office.parent.glob("office.sqlite.before-restore-*"))
        assert file_identity(kept) == opened  # the desk's own file, kept by a hard link
        await until(
            lambda: (
                isinstance(app.screen, DatabaseBlocked)
                and bool(app.screen.query("#blocked-message"))
            )
        )
        message = " ".join(str(app.screen.query_one("#blocked-message", Static).render()).split())
        assert isinstance(app.blocked, DatabaseGone)
        assert f"{office} was replaced by another file" in message
        assert "by `oss-desk db restore`" in message
        assert f"kept as {kept.name}" in message
        assert "deleted or moved away" not in message
        assert "close it and start it again" in message


def test_a_wal_moved_an_instant_before_the_file_is_replaced_is_said_as_a_replacement(
    office: Path,
) -> None:
    """A check that falls between the restore moving the WAL aside and putting its file in
    place looks again: the database replaced, not the WAL deleted."""
    store = open_store(office)
    try:
        store.conn.execute("SELECT count(*) FROM events").fetchone()
        check_file(store)  # the WAL it writes, first seen
        kept = office.with_name("office.sqlite.before-restore-x")
        os.link(office, kept)
        os.replace(wal_of(office), kept.with_name(kept.name + "-wal"))
        copy = office.with_name("restored.sqlite")
        copy.write_bytes(kept.read_bytes())
        swap = threading.Timer(0.01, os.replace, (copy, office))
        swap.start()
        try:
            check_file(store)
        except DatabaseGone as exc:
            said = exc.message
        else:
            raise AssertionError("the check saw nothing")
        finally:
            swap.join()
        assert said.startswith(f"{office} was replaced by another file"), said
        assert f"kept as {kept.name}" in said and "-wal" not in said.split("kept as")[0]
    finally:
        store.close()
