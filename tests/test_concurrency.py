"""Many desk processes on one database: no duplicate codes, no double calls, nothing lost."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, ROOT, make_db, run_cli_process, site_toml
from .procs import run_at_once

pytestmark = pytest.mark.slow

PROCESSES = 16


def _issue_many(db: str, count: int) -> list[tuple[int, str]]:
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="kiosk")
    try:
        queue = QueueService(session)
        return [(t.id, t.code) for t in (queue.issue("C").ticket for _ in range(count))]
    finally:
        session.close()


def test_sixteen_processes_issue_unique_gapless_codes(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(desks=PROCESSES))
    per_process = 25
    results = run_at_once(_issue_many, [(str(db), per_process)] * PROCESSES)
    issued = [item for batch in results for item in batch]
    total = PROCESSES * per_process
    codes = [code for _, code in issued]
    assert len(set(codes)) == total
    assert sorted(codes) == [f"C{n:03d}" for n in range(1, total + 1)]  # gapless from 001
    conn = sqlite3.connect(db)
    try:
        numbers = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY number")]
        assert numbers == list(range(1, total + 1))
        counter = conn.execute("SELECT last_number FROM ticket_counters").fetchall()
        assert counter == [(total,)]
        # Every ticket has its arrival and issue events: no half-written change.
        assert conn.execute("SELECT count(*) FROM events WHERE kind = 'arrived'").fetchone() == (
            total,
        )
        assert conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'ticket_issued'"
        ).fetchone() == (total,)
    finally:
        conn.close()


def _desk_loop(db: str, desk: str) -> list[int]:
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person=desk, desk_id=desk)
    called: list[int] = []
    try:
        queue = QueueService(session)
        while (ticket := queue.call_next(desk)) is not None:
            called.append(ticket.id)
            time.sleep(0.002)  # a (very fast) conversation: every desk gets a turn
            queue.finish(ticket.id, "resolved")
        return called
    finally:
        session.close()


def test_sixteen_desks_call_every_ticket_exactly_once(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(desks=PROCESSES))
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="greeter")
    total = 480
    try:
        queue = QueueService(session)
        with session.store.write():  # one transaction: set-up only
            issued = {queue.issue("CBW"[i % 3]).ticket.id for i in range(total)}
    finally:
        session.close()
    desks = [f"desk-{i}" for i in range(1, PROCESSES + 1)]
    results = run_at_once(_desk_loop, [(str(db), d) for d in desks])
    called = [tid for batch in results for tid in batch]
    assert len(called) == total
    assert set(called) == issued  # each ticket exactly once
    assert sum(1 for batch in results if batch) > 1  # the desks really competed
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall() == [
            ("done", total)
        ]
        per_ticket = conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'called' "
            "GROUP BY ticket_id HAVING count(*) > 1"
        ).fetchall()
        assert per_ticket == []
    finally:
        conn.close()


def test_cli_processes_issue_at_once(tmp_path: Path) -> None:
    """The same, through the real command line: 8 `oss-desk ticket issue` at a time."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T10:00:00Z"}
    full_env = {**os.environ, **env}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "ticket", "issue", "--service", "B", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
            cwd=ROOT,
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for _, e in outputs]
    import json

    codes = sorted(json.loads(out)["code"] for out, _ in outputs)
    assert codes == [f"B{n:03d}" for n in range(1, 9)]
    assert run_cli_process("queue", "--json", env=env).returncode == 0


def _writer(db: Path, service: str, acks: Path) -> None:
    """A desk issuing tickets as fast as it can, until it is killed: each ticket's id and code
    written to ``acks`` (one write each) once it is committed."""
    fd = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    session = open_session(db=db, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC)))
    queue = QueueService(session)
    while True:
        ticket = queue.issue(service).ticket
        # Acknowledged: the ticket was committed before this line is written.
        os.write(fd, f"{ticket.id} {ticket.code}\n".encode())


def test_kill_9_of_writers_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """Desks killed with SIGKILL while they write, 8 times 4 of them. Each desk is a process
    forked from this one (its modules loaded already: a fresh interpreter took a second or
    more to start on a loaded machine, most of the test's time)."""
    db = make_db(tmp_path, site_toml())
    rng = random.Random(1234)
    acknowledged: dict[int, str] = {}
    kills = 0
    fork = multiprocessing.get_context("fork")

    def tickets() -> int:
        conn = sqlite3.connect(db, timeout=30)
        try:
            return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
        finally:
            conn.close()

    for round_ in range(8):
        before = tickets()
        service = rng.choice("CBW")
        acks = [tmp_path / f"acks-{round_}-{n}.txt" for n in range(4)]
        writers = [fork.Process(target=_writer, args=(db, service, path)) for path in acks]
        for w in writers:
            w.start()
        # Kill them mid-stream: once they are writing, after a random moment more.
        deadline = time.monotonic() + 30
        while tickets() < before + 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.random() * 0.3)
        for w in writers:
            w.kill()  # SIGKILL
            kills += 1
        for w in writers:
            w.join(timeout=30)
            assert w.exitcode == -signal.SIGKILL
        for path in acks:
            for line in path.read_text().splitlines() if path.exists() else []:
                parts = line.split()
                if len(parts) == 2:  # a line cut by the kill is not an acknowledgement
                    acknowledged[int(parts[0])] = parts[1]
    assert kills == 32
    assert len(acknowledged) > 50
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = dict(
            conn.execute(
                "SELECT id, service_code || printf('%03d', number) FROM tickets"
            ).fetchall()
        )
        missing = {i: c for i, c in acknowledged.items() if rows.get(i) != c}
        assert missing == {}
        dupes = conn.execute(
            "SELECT service_code, number, count(*) FROM tickets GROUP BY 1, 2 HAVING count(*) > 1"
        ).fetchall()
        assert dupes == []
        for service, last, count, top in conn.execute(
            "SELECT c.service_code, c.last_number, count(t.id), max(t.number) "
            "FROM ticket_counters c JOIN tickets t USING (service_code, business_day) "
            "GROUP BY c.service_code"
        ):
            assert last == count == top, service  # gapless: nothing allocated without its ticket
        orphans = conn.execute(
            "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.ticket_id = t.id AND e.kind = 'ticket_issued')"
        ).fetchone()
        assert orphans == (0,)
    finally:
        conn.close()
