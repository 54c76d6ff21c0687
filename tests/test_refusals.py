"""Commands that would destroy work refuse: `demo` over a demo database in use or holding work
done since it was built (unless --reset), `init` with another office's configuration (unless
--replace-office, which takes a verified backup first)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.storage.maintenance import inspect
from oss_desk.storage.site import work_since_seed

from .conftest import Cli, db_content, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    cli = Cli(tmp_path / "demo" / "oss-desk-demo.sqlite", monkeypatch)
    built = cli("--db", str(cli.db), "demo", "--no-app", "--days", "1", "--waiting", "2", now=NOW)
    assert built.code == 0, built.err
    return cli


@pytest.fixture
def holder(demo: Cli) -> Iterator[subprocess.Popen[str]]:
    """Another process with the demo database open (as a desk has)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "c.execute('SELECT count(*) FROM events').fetchone()\n"
            "print('open', flush=True)\n"
            "time.sleep(120)\n",
            str(demo.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "open"
    yield process
    process.kill()
    process.wait()


def demo_again(cli: Cli, *extra: str) -> tuple[int, str]:
    result = cli("--db", str(cli.db), "demo", "--no-app", "--days", "1", *extra, now=NOW)
    # A build says what it is doing on stderr ("Building the demo office ...", "  Simulating
    # its history ..."): only those lines are set aside, so a refusal or a warning still shows.
    said = [
        line
        for line in result.err.splitlines(keepends=True)
        if not line.startswith(("Building the demo office", "  Simulating its history"))
    ]
    return result.code, "".join(said)


def test_demo_refuses_while_a_process_has_it_open(demo: Cli, holder: subprocess.Popen[str]) -> None:
    before = db_content(demo.db)
    for extra in ((), ("--reset",)):
        code, err = demo_again(demo, *extra)
        assert code == 6, err
        assert err.count("\n") == 1 and f"process {holder.pid}" in err and "close" in err
    assert db_content(demo.db) == before
    holder.kill()
    holder.wait()
    assert demo_again(demo) == (0, "")  # nobody has it open: built afresh


def test_demo_refuses_over_work_done_in_it_unless_reset(demo: Cli) -> None:
    issued = demo("ticket", "issue", "--service", "C", "--json", now=NOW)
    assert issued.code == 0, issued.err
    conn = sqlite3.connect(demo.db)
    issued_by = conn.execute("SELECT actor FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    assert issued_by not in ("demo", "chloe")  # this test's own login, no demo person
    before = db_content(demo.db)
    refused, err = demo_again(demo)
    assert refused == 6 and "`oss-desk demo --reset`" in err
    assert "holds 2 events recorded after it was built" in err  # arrived, ticket issued
    assert db_content(demo.db) == before
    assert demo_again(demo, "--reset") == (0, "")
    conn = sqlite3.connect(demo.db)
    try:
        built = conn.execute("SELECT count(*) FROM events WHERE kind = 'demo_built'").fetchone()
        since = work_since_seed(conn)
        mine = conn.execute(
            "SELECT count(*) FROM events WHERE actor = ? AND kind = 'arrived'", [issued_by]
        ).fetchone()
    finally:
        conn.close()
    assert built == (1,) and since == 0
    assert mine == (0,)  # the arrival recorded by hand went with the old database
    # Rebuilt untouched: no work since, so it is rebuilt without asking.
    assert demo_again(demo) == (0, "")


def test_init_refuses_another_offices_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", now=NOW).code == 0
    other = tmp_path / "north.toml"
    other.write_text(site_toml().replace('id = "hq"', 'id = "north"'), encoding="utf-8")
    before = db_content(db)
    refused = cli("init", "--config", str(other), now=NOW)
    assert refused.code == 6, refused.err
    assert "holds another office (hq)" in refused.err and "--replace-office" in refused.err
    assert db_content(db) == before
    demo = cli("init", "--demo", now=NOW)  # the demo is another office too
    assert demo.code == 6 and "--replace-office" in demo.err
    # The same office with a changed configuration is loaded as ever.
    changed = tmp_path / "hq.toml"
    changed.write_text(site_toml(recall_cap=5), encoding="utf-8")
    assert cli("init", "--config", str(changed), now=NOW).code == 0
    # Replacing it: a verified backup of the office first, then the new configuration.
    replaced = cli("init", "--config", str(other), "--replace-office", "--json", now=NOW)
    assert replaced.code == 0, replaced.err
    backup = Path(replaced.json()["backup"])
    found = inspect(backup)
    assert found.ok and found.counts["tickets"] == 1
    conn = sqlite3.connect(db)
    try:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM events ORDER BY id DESC LIMIT 2")]
        sites = [r[0] for r in conn.execute("SELECT id FROM sites WHERE active = 1")]
    finally:
        conn.close()
    assert kinds == ["config_loaded", "office_replaced"] and sites == ["north"]
    assert cli("db", "check", now=NOW).code == 0


def test_the_demo_is_another_office_even_with_the_same_site_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real office whose site is called town-hall, like the demo's: `init --demo` over it is
    still refused (and so is a real configuration over the demo)."""
    db = make_db(tmp_path, site_toml().replace('id = "hq"', 'id = "town-hall"'))
    cli = Cli(db, monkeypatch)
    before = db_content(db)
    refused = cli("init", "--demo", now=NOW)
    assert refused.code == 6 and "this configuration is for the built-in demo" in refused.err
    assert db_content(db) == before
    demo_db = make_db(tmp_path / "demo", None)
    real = tmp_path / "real.toml"
    real.write_text(site_toml().replace('id = "hq"', 'id = "town-hall"'), encoding="utf-8")
    other = Cli(demo_db, monkeypatch)("init", "--config", str(real), now=NOW)
    assert other.code == 6 and "holds the built-in demo office" in other.err
