"""``followup done --unreachable`` closed a ring-back for good while its deadline was a day
away, after one try, without the question the desk's U asks first ("CB-0001 has until Tue 24
Nov and 1 attempt so far: close it unreached now?"). At a terminal it now asks the same, in the
same words (one rule, ``domain.followup_closing``): "n" keeps it open, to try again; where it
cannot ask (a script, no terminal) it is refused in one line, exit 2, unless ``--yes`` says so.
Past the deadline nothing is asked, as at the desk. The real ``oss-desk`` in a process of its
own at a pseudo-terminal, and in this process, against a real SQLite file."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, Cli, db_content, rows
from .followups_site import make_office, ok

NOW = "2026-11-23T10:00:00Z"  # Monday: a ring-back made now is due Tuesday 24 November
QUESTION = "CB-0001 has until Tue 24 Nov and 1 attempt so far: close it unreached now?"
DONE = ("--user", "ana", "followup", "done", "CB-0001", "--unreachable")


@pytest.fixture
def tried_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A ring-back, tried once without an answer; the office's CLI."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    add = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C")
    ok(cli(*add, "--phone", "07700 900417", now=NOW))
    ok(cli("--user", "ana", "followup", "attempt", "CB-0001", "--result", "no-answer", now=NOW))
    return cli


def _status(db: Path) -> str:
    return str(rows(db, "SELECT status FROM followups WHERE ref = 'CB-0001'")[0][0])


def at_a_terminal(db: Path, answer: str, now: str = NOW) -> tuple[int, str, str]:
    """``followup done CB-0001 --unreachable`` at a pseudo-terminal, answering ``answer`` to
    the question it asks: its exit status, stdout, and what the terminal showed."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now}
    proc = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", *DONE],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        cwd=ROOT,
        text=True,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while b"[y/N]: " not in shown and proc.poll() is None:
            assert time.monotonic() < deadline, shown
            if select.select([master], [], [], 0.5)[0]:
                shown += os.read(master, 4096)
        os.write(master, answer.encode() + b"\n")
        out, _ = proc.communicate(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the process has gone: its terminal is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, shown.decode(errors="replace")


def test_at_a_terminal_it_asks_what_the_desk_asks_and_no_keeps_it_open(tried_once: Cli) -> None:
    code, out, shown = at_a_terminal(tried_once.db, "n")
    assert f"{QUESTION} [y/N]: " in shown, shown
    assert (code, out) == (0, "CB-0001: stays open, to try again by Tue 24 Nov\n")
    assert _status(tried_once.db) == "open"
    code, out, shown = at_a_terminal(tried_once.db, "y")
    assert f"{QUESTION} [y/N]: " in shown, shown
    assert (code, out) == (
        0,
        "CB-0001: closed unreached after 1 attempt; counted as returned in time\n",
    )
    assert _status(tried_once.db) == "unreachable"


def test_where_it_cannot_ask_it_is_refused_in_one_line_unless_yes(tried_once: Cli) -> None:
    before = db_content(tried_once.db)
    refused = tried_once(*DONE, now=NOW)  # stdin is no terminal here
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        "oss-desk: CB-0001 has until Tue 24 Nov and 1 attempt so far: add --yes to close it "
        "unreached now, or try again\n"
    )
    assert db_content(tried_once.db) == before
    closed = ok(tried_once(*DONE, "--yes", now=NOW))
    assert closed.out == "CB-0001: closed unreached after 1 attempt; counted as returned in time\n"
    assert _status(tried_once.db) == "unreachable"


def test_past_the_deadline_nothing_is_asked(tried_once: Cli) -> None:
    closed = ok(tried_once(*DONE, now="2026-11-25T10:00:00Z"))  # Wednesday
    assert closed.out == (
        "CB-0001: closed unreached after 1 attempt; counted as returned late (was due Tue 24 Nov)\n"
    )


def test_a_ring_back_that_cannot_be_closed_unreached_says_why_not_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    add = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C")
    ok(cli(*add, "--phone", "07700 900417", now=NOW))
    refused = cli(*DONE, now=NOW)  # no try yet: the rule's own words, exit 6
    assert (refused.code, refused.err) == (
        6,
        "oss-desk: CB-0001 has no attempt recorded: record the tries first (attempt)\n",
    )
