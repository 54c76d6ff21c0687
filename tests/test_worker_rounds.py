"""Each worker round that is not a device's lane is never fatal, from the building of its
service on: a fault while a round's service is being built (its senders made from the settings,
the report's offices opened) is logged and the round skipped, as a fault in its work is; it
never escapes the round (it did for the referral messages and the daily rollup, built before
the guard)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.errors import ConfigError
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.followup_messages import Sent
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TextReport
from oss_desk.worker import rounds
from oss_desk.worker.run import DeviceWorker

from .cli_here import run_cli_here
from .conftest import MONDAY_0930, ROOT, make_db, rows, run_cli_process, site_toml
from .screens import wait_for


@pytest.mark.parametrize(
    ("built", "round_", "default"),
    [
        ("FollowupMessageDelivery", rounds.referral_messages, Sent()),
        ("TurnTexts", rounds.turn_texts, TextReport()),
        ("ReportService", rounds.fill_rollup, None),
    ],
)
def test_a_fault_while_a_rounds_service_is_built_is_not_fatal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    built: str,
    round_: Any,
    default: object,
) -> None:
    real = getattr(rounds, built)

    class Faulty(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise ConfigError("a setting it is built from is wrong")

    monkeypatch.setattr(rounds, built, Faulty)
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="worker", host=True)
    try:
        with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
            assert round_(session) == default
    finally:
        session.close()
    assert "a setting it is built from is wrong" in caplog.text


# A site removed with a booking left there (review 12, finding 1) -------------------------------

HOURS = "[sites.opening_hours]\n" + "".join(
    f'{day} = "09:00-17:00"\n' for day in ("mon", "tue", "wed", "thu", "fri")
)
LIBRARY = f'[[sites]]\nid = "library"\nname = "Library"\n{HOURS}\n'
LIBRARY_DESK = '[[desks]]\nid = "lib-1"\nname = "Library desk"\nsite = "library"\n\n'
OFFICE = (
    '[access]\nuser_override = "anyone"\n\n[council]\nname = "Test Council"\n\n'
    f'[[sites]]\nid = "hq"\nname = "Civic Centre"\n{HOURS}\n{LIBRARY}'
    '[[services]]\ncode = "C"\nname = "Council Tax"\nappointment_minutes = 30\n\n'
    '[[desks]]\nid = "greet-1"\nname = "Greeting"\nkind = "meet-and-greet"\nsite = "hq"\n\n'
    f'[[desks]]\nid = "desk-1"\nname = "Desk 1"\nsite = "hq"\n\n{LIBRARY_DESK}'
    '[[staff]]\nid = "tl"\nname = "Tara Leader"\nrole = "team-leader"\n\n'
    '[[staff]]\nid = "adv"\nname = "Adam Viser"\nrole = "adviser"\n'
)
EVENING = "2026-11-25T18:00:00+00:00"  # Wednesday, after closing


def library_left(tmp_path: Path) -> dict[str, str]:
    """An office whose Library had a booking on Tuesday that nobody marked and a ticket left
    waiting (no worker ran), and that left the configuration on Wednesday morning (nothing
    there from that day on, so the load is allowed; it closes Tuesday, as the worker would
    have); C001 waits at the Civic Centre. The environment to run commands in.

    Made once per test session (five commands, each in its own process, as an office would
    run them) and copied into ``tmp_path`` for each test: its database, its configuration
    files and its data folder, so each test has an office of its own, as made."""
    made = tmp_path.parent / "library-left"
    if not made.exists():
        building = Path(tempfile.mkdtemp(dir=tmp_path.parent, prefix="library-left-"))
        _make_library_left(building)
        building.rename(made)
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    return {**_library_env(tmp_path), "OSS_DESK_NOW": EVENING}


def _library_env(folder: Path) -> dict[str, str]:
    return {
        "OSS_DESK_DB": str(folder / "office.sqlite"),
        "XDG_DATA_HOME": str(folder / "data"),
        "HOME": str(folder),
    }


def _make_library_left(folder: Path) -> None:
    env = _library_env(folder)
    both, civic = folder / "both.toml", folder / "civic.toml"
    both.write_text(OFFICE, encoding="utf-8")
    civic.write_text(OFFICE.replace(LIBRARY, "").replace(LIBRARY_DESK, ""), encoding="utf-8")
    slip = f"capture://{folder}/slips.bin"  # (the booking's slip: no test reads it)
    steps = [
        ("2026-11-23T09:00:00Z", "init", "--config", str(both)),
        ("2026-11-23T09:01:00Z", "--user", "tl", "appointment", "book", "--service", "C",
         "--start", "2026-11-24T10:00:00Z", "--adviser", "adv", "--desk", "lib-1",
         "--channel", "slip", "--print-to", slip),
        ("2026-11-24T09:10:00Z", "--user", "tl", "ticket", "issue", "--service", "C",
         "--desk", "lib-1"),
        ("2026-11-25T09:05:00Z", "init", "--config", str(civic)),
        ("2026-11-25T09:06:00Z", "--user", "tl", "ticket", "issue", "--service", "C",
         "--desk", "greet-1"),
    ]  # fmt: skip
    for now, *args in steps:
        done = run_cli_process(*args, env={**env, "OSS_DESK_NOW": now})
        assert done.returncode == 0, done.stderr


def housekept(db: Path) -> bool:
    """The booking marked a no-show (at the Library) and the days' tickets closed."""
    return rows(db, "SELECT DISTINCT status FROM tickets") == [("cancelled",)] and rows(
        db, "SELECT status FROM appointments"
    ) == [("no_show",)]


def test_worker_once_marks_a_booking_at_a_removed_site_and_closes_the_day(
    tmp_path: Path,
) -> None:
    """It exited 70 at every run (a KeyError for the site, before close of day)."""
    env = library_left(tmp_path)
    db = Path(env["OSS_DESK_DB"])
    done = run_cli_here("worker", "--once", env=env)  # its output and exit status: no process
    assert done.returncode == 0, done.stderr
    assert "appointments marked no-show 1" in done.stdout
    assert housekept(db)
    closed = "SELECT site_id, business_day FROM tickets WHERE status = 'cancelled' ORDER BY id"
    assert rows(db, closed) == [("library", "2026-11-24"), ("hq", "2026-11-25")]
    assert rows(db, "SELECT site_id FROM events WHERE kind = 'appointment_no_show'") == [
        ("library",)
    ]
    assert not list((tmp_path / "data").rglob("fault-*"))


def test_the_running_worker_closes_the_day_with_a_booking_at_a_removed_site(
    tmp_path: Path,
) -> None:
    """Its housekeeping thread failed and restarted every 2 s, never closing the day."""
    env = library_left(tmp_path)
    db = Path(env["OSS_DESK_DB"])
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")} | env
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=full, stdout=out, stderr=out, cwd=ROOT
        )
    try:
        wait_for(lambda: housekept(db), 30, "the no-show marked and the day closed")
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert "failed" not in log.read_text(encoding="utf-8")


def test_a_housekeeping_step_s_bug_does_not_starve_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A step that fails unexpectedly (here, marking no-shows) is logged with a fault report,
    once per place, and close of day runs all the same."""

    class Faulty(AppointmentService):
        def auto_no_show(self) -> list[Appointment]:
            raise KeyError("library")

    env = library_left(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", env["XDG_DATA_HOME"])
    monkeypatch.setattr(rounds, "AppointmentService", Faulty)
    monkeypatch.setattr(rounds, "_reported", set())
    db = Path(env["OSS_DESK_DB"])
    clock = FixedClock(datetime.fromisoformat(EVENING))
    worker = DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker"))
    with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
        assert worker.run_once().no_shows == 0
        assert rows(db, "SELECT DISTINCT status FROM tickets") == [("cancelled",)]
        (fault,) = (tmp_path / "data").rglob("fault-worker-*")
        said = "appointments' no-shows not marked now: internal error (KeyError)"
        assert f"{said}; details in {fault}" in caplog.text
        caplog.clear()
        worker.run_once()  # the next round says it again, without another report
    assert f"{said} (reported before)" in caplog.text
    assert len(list((tmp_path / "data").rglob("fault-worker-*"))) == 1
