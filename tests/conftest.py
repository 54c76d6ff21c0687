"""Shared fixtures: real SQLite files in temporary folders, a fixed clock, the real CLI."""

from __future__ import annotations

import compileall
import contextlib
import gc
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from oss_desk.clock import FixedClock
from oss_desk.config_cache import cache_key, cache_path, stored_settings
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise
from oss_desk.storage.site import latest_config

from .hardware.fakes import FakePrinter, release_held_ports
from .migrated import copy_of, unstamp
from .rewrite_share import rewrite_share
from .schedule import LongestFirstScheduling, longest_first

if TYPE_CHECKING:
    from oss_desk.config import Settings

    from .messaging import NotifyServer, SmtpServer

ROOT = Path(__file__).resolve().parents[1]
# A Monday in November, mid-morning in London (GMT).
MONDAY_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

# Property tests are judged on what they find, not on how fast an example runs: on a loaded
# 2-core machine running two workers, one example of a database test can take longer than
# hypothesis' 200 ms deadline or its "too slow" health check, and fail a test that found nothing.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def pytest_configure(config: pytest.Config) -> None:
    """The project's bytecode, compiled once before the tests run (only what changed since).

    Many tests start ``oss-desk`` in a process of its own. Where bytecode is not written as
    modules are imported (PYTHONDONTWRITEBYTECODE, as on some CI machines), each such process
    compiled every module it imports from source again: about 0.5 s of CPU a process, half its
    start. Compiled here, every process reads it; a source changed later is compiled afresh
    by the process that imports it, as without. Done once, not again in xdist's workers; there,
    each worker rewrites the asserts of a share of the test modules for all of them
    (tests/rewrite_share.py)."""
    if hasattr(config, "workerinput"):
        rewrite_share(config, ROOT / "tests")
        return
    for folder in ("oss_desk", "tests"):
        compileall.compile_dir(ROOT / folder, quiet=1, workers=1)


SUITE_GC_THRESHOLDS = (20_000, 20, 50)
"""Python's default is (700, 10, 10): a full pass every 70,000 net allocations or so."""


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collecting made (every test module, item and parameter: hundreds of thousands of
    objects that live all run) is set aside from Python's cyclic collector (``gc.freeze``), and
    the collector runs less often (a larger first generation, fewer full passes): the desk's
    tests make large object graphs, and each full pass looked at everything alive. Measured
    with /usr/bin/time over the whole suite collected and tests/ui/test_flows.py run: 33.2 s ->
    25.7 s user CPU. The desk itself is unchanged (each process it runs in sets its own)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SUITE_GC_THRESHOLDS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, each file's tests together and in their order (tests/schedule.py
    has the files and their seconds), so that no long file starts late and ends the run alone."""
    longest_first(items)


@pytest.hookimpl(optionalhook=True)  # with -p no:xdist too
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LongestFirstScheduling | None:
    """With ``-n``, workers take a file at a time, longest first (tests/schedule.py), unless
    another ``--dist`` than xdist's default is asked for."""
    if config.getoption("dist") != "load":
        return None
    return LongestFirstScheduling(config, log)


def isolate_env(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """No test reads the developer's own database, config, clock or data folder."""
    for name in list(os.environ):
        if name.startswith("OSS_DESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg-data"))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_env(monkeypatch, tmp_path)


@contextlib.contextmanager
def office_for_the_file(folder: Path) -> Iterator[pytest.MonkeyPatch]:
    """For a fixture that makes an office once for a test file (each test works on a copy of
    its file): the environment each test has (:func:`isolate_env`, in ``folder``) while it is
    made, and no journal left beside the closed file after."""
    with pytest.MonkeyPatch.context() as m:
        isolate_env(m, folder)
        yield m
    assert not list(folder.glob("office.sqlite-*")), "a journal left beside the closed file"


@pytest.fixture(autouse=True)
def _held_ports() -> Iterator[None]:
    """The ports a test was given to stay refused (:func:`.hardware.fakes.closed_port`) are held
    for its life, then let go."""
    yield
    release_held_ports()


TRAINING = '[access]\nuser_override = "anyone"\nname_unlisted = true\n'
"""Tests act as many people from one login: they opt in to what a real office never allows
(``access.user_override = "anyone"``; the default is strict, tested in tests/test_identity.py)."""


def site_toml(
    *,
    desks: int = 4,
    greet_printer: str | None = None,
    recall_cap: int = 3,
    extra: str = "",
) -> str:
    """A small site configuration for tests: services C, B, H, W and ``desks`` adviser desks."""
    printer = f'printer = "{greet_printer}"\n' if greet_printer else ""
    adviser_desks = "".join(
        f'\n[[desks]]\nid = "desk-{i}"\nname = "Desk {i}"\n' for i in range(1, desks + 1)
    )
    return f"""{TRAINING}
[council]
name = "Test Council"

[[sites]]
id = "hq"
name = "Civic Centre"

[[services]]
code = "C"
name = "Council Tax"

[[services]]
code = "B"
name = "Benefits"

[[services]]
code = "H"
name = "Housing - homelessness"
label = "Housing"
private_room = true

[[services]]
code = "W"
name = "Waste"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"
{printer}
[[desks]]
id = "room-1"
name = "Interview room"
kind = "interview-room"
services = ["H", "B"]
{adviser_desks}
[[staff]]
id = "tl"
name = "Team Leader"
role = "team-leader"

[queue]
recall_cap = {recall_cap}
staffed_desks_only = false
{extra}
"""


_MIGRATED: list[Path] = []
"""This test process's database with every migration applied and no office loaded (made on
first use, never opened by the product again, only copied: :func:`make_db`)."""


def _migrated() -> Path:
    if not _MIGRATED:
        db = Path(tempfile.mkdtemp(prefix="oss-desk-migrated-")) / "office.sqlite"
        with pytest.MonkeyPatch.context() as env:  # none of the calling test's own settings
            isolate_env(env, db.parent)
            initialise(db, clock=FixedClock(MONDAY_0930))
        unstamp(db)
        assert not db.with_name(db.name + "-wal").exists()
        _MIGRATED.append(db)
    return _MIGRATED[0]


def make_db(tmp_path: Path, toml: str | None = None, name: str = "office.sqlite") -> Path:
    """A real database file with a site loaded (the demo site when ``toml`` is None).

    With ``toml``, from a copy of a migrated database (creating the schema is most of what a
    new database costs): ``oss-desk init --config`` on a database that has its schema and no
    office yet, as on an office's host after a first ``init`` without one, with the office id,
    the resident secret and the file's stamps made afresh as their migrations and ``init`` make
    them (tests/test_make_db.py: row for row the database made afresh)."""
    db = tmp_path / name
    clock = FixedClock(MONDAY_0930)
    if toml is None:
        _keep_settings_copy(db, initialise(db, clock=clock, demo_dir=tmp_path).settings)
        return db
    copy_of(_migrated(), db)
    config = tmp_path / "site.toml"
    config.write_text(toml, encoding="utf-8")
    _keep_settings_copy(db, initialise(db, clock=clock, config_path=config).settings)
    return db


_SETTINGS_COPIES: dict[str, bytes] = {}
"""The validated settings copies :func:`_keep_settings_copy` has left, by their key (what they
hold depends on the stored configuration and the key's other parts, not on the office)."""


def _keep_settings_copy(db: Path, settings: Settings | None) -> None:
    """The validated copy of the office's settings left beside it, as the office's first command
    leaves it (oss_desk/config_cache.py): a test's first ``oss-desk`` process reads it and does
    not validate. Made by the product (validating the configuration ``init`` stored) the first
    time this test process meets its key, then the same bytes again (tests/test_make_db.py: the
    copy the first command leaves). tests/test_config_cache.py removes it to prove that command.

    The key is found without opening the database (reading it costs more than the rest): from
    the document ``init`` stored, ``settings.file_document()`` through JSON, checked against
    the stored one when the copy is first made."""
    assert settings is not None, "make_db loads a site"
    document = json.loads(json.dumps(settings.file_document()))
    key = cache_key("stored:" + _keyed(document))
    copy = cache_path(db)
    kept = _SETTINGS_COPIES.get(key)
    if kept is not None:
        copy.unlink(missing_ok=True)  # an office made again in its place: its own, mode 0600
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(kept)
        return
    conn = sqlite3.connect(db)
    try:
        stored = latest_config(conn)
    finally:
        conn.close()
    assert stored is not None, "make_db loads a site"
    stored_settings(stored.document, f"the configuration stored in {db}", db)
    kept = copy.read_bytes()
    if _keyed(stored.document) == _keyed(document) and json.loads(kept)["key"] == key:
        _SETTINGS_COPIES[key] = kept  # else made by the product each time


def _keyed(document: dict[str, Any]) -> str:
    """The stored document as the copy's key holds it (oss_desk.config_cache.stored_settings)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return make_db(tmp_path, site_toml())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_0930)


@pytest.fixture
def session(db_path: Path, clock: FixedClock) -> Iterator[Session]:
    s = open_session(db=db_path, clock=clock, person="tester")
    yield s
    s.close()


def desk_session(db: Path, clock: FixedClock, desk: str, person: str = "tester") -> Session:
    return open_session(db=db, clock=clock, person=person, desk_id=desk)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        import json

        return json.loads(self.out)


class Cli:
    """Runs the real ``oss-desk`` entry point in this process (fast) against one database."""

    def __init__(self, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.db = db
        self.monkeypatch = monkeypatch

    def __call__(
        self, *args: str, now: str | None = None, env: dict[str, str] | None = None
    ) -> CliResult:
        from oss_desk.cli import run

        out, err = io.StringIO(), io.StringIO()
        with self.monkeypatch.context() as m:
            m.setenv("OSS_DESK_DB", str(self.db))
            if now is not None:
                m.setenv("OSS_DESK_NOW", now)
            for key, value in (env or {}).items():
                m.setenv(key, value)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = run(list(args))
        return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(db_path, monkeypatch)


def run_cli_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (for what only a process shows: exit codes, stderr)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "oss_desk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )


def db_content(db: Path) -> list[str]:
    """The database's content as SQL, for "unchanged" checks (independent of file layout)."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def notify() -> Iterator[NotifyServer]:
    """A loopback GOV.UK Notify for one test."""
    from .messaging import NotifyServer

    server = NotifyServer()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A loopback SMTP server (aiosmtpd) for one test."""
    from .messaging import SmtpServer

    server = SmtpServer()
    yield server
    server.stop()


def ticket_line(out: str) -> str:
    """``ticket issue``'s own line (a second one says when the office is closed now, which by the
    real clock a test meets at night, at weekends and on bank holidays)."""
    return out.splitlines()[0] + "\n" if out else out


def rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """The rows a query returns from the database file, read on its own connection."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    """A network printer on a loopback socket (``tests.hardware.fakes``), closed after the test."""
    found = FakePrinter()
    try:
        yield found
    finally:
        found.close()
