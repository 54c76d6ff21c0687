"""The host's clock stepped back a few minutes (NTP correcting a clock that ran fast) while the
desks work: nothing is dated before what was already recorded. It was: the desk that called a
ticket two minutes after the step recorded the call two minutes before the ticket's issue, and
the finish before the call (a history out of order; a time at the desk below zero).

The machine's own clock cannot be stepped under a test (other programs share it), so the real
clock the commands read (``oss_desk.clock``'s, as every command without ``OSS_DESK_NOW`` reads
it) runs on from the real time with a step of our choosing added; everything else is the real
command on a real database file.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk import clock as clock_module
from oss_desk.clock import SystemClock, read_instant
from oss_desk.domain.clock_steps import STEP_BACK_HELD
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import Cli, make_db, rows, site_toml, ticket_line


class SteppedClock(datetime):
    """The host's real time, with an NTP step: :attr:`step` added (negative: stepped back)."""

    step = timedelta(0)

    @classmethod
    def now(cls, tz: object = None) -> SteppedClock:
        real = datetime.now(UTC) + cls.step
        return cls.fromtimestamp(real.timestamp(), UTC)


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> type[SteppedClock]:
    monkeypatch.setattr(SteppedClock, "step", timedelta(0))
    monkeypatch.setattr(clock_module, "datetime", SteppedClock)
    return SteppedClock


def events(db: Path) -> list[tuple[int, str, str]]:
    return [
        (i, kind, at) for i, kind, at in rows(db, "SELECT id, kind, at FROM events ORDER BY id")
    ]


def test_a_clock_stepped_back_dates_nothing_before_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: type[SteppedClock]
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    # A desk app open before the step (one session for its life), and commands after it.
    desk = open_session(db=db, clock=SystemClock(), person="tester", desk_id="desk-1")
    try:
        issued = cli("ticket", "issue", "--service", "C", "--no-print")
        assert issued.code == 0, issued.err
        stepped.step = -timedelta(minutes=2)  # NTP: the clock was two minutes fast
        called = QueueService(desk).call_next("desk-1")
        assert called is not None and called.code == "C001"
        finished = cli("ticket", "finish", "C001", "--outcome", "resolved")
        assert finished.code == 0, finished.err
        history = cli("ticket", "history", "C001")
        assert history.code == 0, history.err
    finally:
        desk.close()
    logged = events(db)
    ats = [at for _, _, at in logged]
    assert ats == sorted(ats), logged  # the record never runs back
    ticket = rows(db, "SELECT issued_at, called_at, finished_at FROM tickets WHERE number = 1")
    issued_at, called_at, finished_at = (read_instant(at) for at in ticket[0])
    assert issued_at <= called_at <= finished_at, ticket
    lines = [x.split()[0] for x in history.out.splitlines() if x.startswith("  ")]
    assert lines == sorted(lines), history.out  # times in the order things happened
    # Once the real clock has caught up, times are the real clock's again.
    stepped.step = timedelta(0)
    again = cli("ticket", "issue", "--service", "C", "--no-print")
    assert again.code == 0, again.err
    last = read_instant(events(db)[-1][2])
    assert abs(last - datetime.now(UTC)) < timedelta(seconds=30)


def test_a_clock_far_behind_the_record_is_believed_and_doctor_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: type[SteppedClock]
) -> None:
    """Events dated further ahead than a step NTP makes (a command run with OSS_DESK_NOW on the
    office, a clock that was wrong for hours) do not hold the time: the real clock is recorded,
    and doctor's clock check fails until it catches up (the one span, both sides)."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    stepped.step = -(STEP_BACK_HELD + timedelta(minutes=1))
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    first, second = (read_instant(at) for _, kind, at in events(db)[-4:] if kind == "arrived")
    assert second < first  # believed: held it would have been dated the first's time
    doctor = cli("doctor")
    clock_line = next(x for x in doctor.out.splitlines() if x.split()[1:2] == ["clock:"])
    assert clock_line.startswith("fail") and "behind the database's newest event" in clock_line


def test_a_configuration_loaded_while_held_does_not_release_the_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: type[SteppedClock]
) -> None:
    """``init --config`` after a change, on the live office, while the clock is held: its own
    event is dated at the held time, and the tickets after it are still called in order."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    ahead = datetime.now(UTC) + timedelta(minutes=4)  # events dated before the step back
    assert cli("ticket", "issue", "--service", "C", "--no-print", now=ahead.isoformat()).code == 0
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    config = tmp_path / "site.toml"
    config.write_text(site_toml(desks=5), encoding="utf-8")  # a desk added
    loaded = cli("init", "--config", str(config))
    assert loaded.code == 0, loaded.err
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    logged = events(db)
    ats = [at for _, _, at in logged]
    assert ats == sorted(ats), logged
    called = [cli("ticket", "call-next", "--desk", f"desk-{n}") for n in (1, 2, 3)]
    assert [c.code for c in called] == [0, 0, 0], [c.err for c in called]
    assert [ticket_line(c.out).split()[0] for c in called] == ["C001", "C002", "C003"]


def test_another_thread_reads_the_held_time_of_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: type[SteppedClock]
) -> None:
    """The desk app's screen (its main thread) reads the clock of a session whose connection
    belongs to the thread that opened it: the time it shows (the clock, "called N min ago")
    is the held time that thread last read, not the real one, and nothing fails to get it."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    ahead = datetime.now(UTC) + timedelta(minutes=4)  # events dated before the step back
    assert cli("ticket", "issue", "--service", "C", "--no-print", now=ahead.isoformat()).code == 0
    newest = max(read_instant(at) for _, _, at in events(db))
    desk = open_session(db=db, clock=SystemClock(), person="tester", desk_id="desk-1")
    try:
        assert desk.clock.now() == newest  # its own thread: held
        seen: list[datetime | BaseException] = []

        def screen() -> None:
            try:
                seen.append(desk.clock.now())
            except BaseException as exc:  # reported below: a failure is seen, not lost
                seen.append(exc)

        thread = threading.Thread(target=screen)
        thread.start()
        thread.join()
        assert seen == [newest]
    finally:
        desk.close()


def test_doctor_warns_while_the_office_time_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: type[SteppedClock]
) -> None:
    """While every change is dated at the newest event's time (the clock stepped back within
    the span held), doctor says so: the office's record is not keeping the real time."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    stepped.step = -timedelta(minutes=3)  # NTP: the clock was three minutes fast
    doctor = cli("doctor")
    clock_line = next(x for x in doctor.out.splitlines() if x.split()[1:2] == ["clock:"])
    newest = max(read_instant(at) for _, _, at in events(db))
    assert clock_line.startswith("warn"), clock_line
    assert f"held at {newest:%H:%M}Z (its newest event), 3 min ahead of" in clock_line
    # Caught up: the real time again, and doctor's clock line is ok.
    stepped.step = timedelta(0)
    doctor = cli("doctor")
    clock_line = next(x for x in doctor.out.splitlines() if x.split()[1:2] == ["clock:"])
    assert clock_line.startswith("ok"), clock_line
