"""A worker step's unexpected fault (a bug), in a real worker process: the step pauses before
it is tried again (2 s, then longer), the fault is said once and then as a count, never every
poll, and the other lanes carry on; ``worker --once`` runs the other steps, says the failed one
as failed and exits 70 (it exited 0 and said "marked no-show 0", as though nothing was due).
The ``worker --once`` cases run its entry point in the test's own process (their exit status
and output are the command's); the running worker is a process of its own."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.worker import rounds

from .cli_here import run_cli_here
from .conftest import ROOT, Cli, rows
from .followups_site import make_office, run_json
from .screens import wait_for
from .test_worker_rounds import housekept, library_left

NOW = "2026-11-23T10:00:00Z"

FAULTY = """
import importlib
import sys
from pathlib import Path
from oss_desk.worker import rounds

tries, owner, method, every, first_pause, *args = sys.argv[1:]
module, _, owner = owner.rpartition(".")

def faulty(*_args, **_kwargs):
    with Path(tries).open("a") as out:
        out.write("tried\\n")
    raise KeyError("a bug")

setattr(getattr(importlib.import_module(module) if module else rounds, owner), method, faulty)
rounds.STILL_FAILING_EVERY = float(every)
rounds.FIRST_PAUSE = float(first_pause)
from oss_desk.cli import run
sys.exit(run(args))
"""


def faulty_worker(
    tries: Path,
    owner: str,
    method: str,
    *args: str,
    every: float = 900,
    first_pause: float = rounds.FIRST_PAUSE,
) -> list[str]:
    """The command line of ``oss-desk ARGS`` whose worker step ``owner.method`` raises (each
    try adds a line to ``tries``; ``owner`` in :mod:`oss_desk.worker.rounds`, or with its
    module: ``oss_desk.worker.printing.PrintDelivery``); ``every``: seconds between the
    reminders of a fault; ``first_pause``: seconds before a failed step is tried again (then
    twice as long each time)."""
    command = [sys.executable, "-c", FAULTY, str(tries), owner, method, str(every)]
    return [*command, str(first_pause), *args]


def faulty_once(
    monkeypatch: pytest.MonkeyPatch,
    tries: Path,
    owner: str,
    method: str,
    *args: str,
    env: dict[str, str],
) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` (a ``worker --once``) whose worker step ``owner.method`` raises, as
    :func:`faulty_worker` makes it, but through the entry point in the test's own process
    (tests/cli_here.py): its exit status, stdout and stderr are what the command answers, and
    the fault is put back after the test."""
    module, _, name = owner.rpartition(".")
    target = getattr(importlib.import_module(module) if module else rounds, name)

    def faulty(*_args: object, **_kwargs: object) -> None:
        with tries.open("a") as out:
            out.write("tried\n")
        raise KeyError("a bug")

    monkeypatch.setattr(target, method, faulty)
    return run_cli_here(*args, env=env)


def process_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")} | env


def test_a_lane_s_bug_is_paused_and_said_once_then_as_a_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A referral message due whose sending fails unexpectedly: before, the lane tried it again
    every 0.05 s poll and logged an ERROR line each time (98 in 5 s)."""
    capture = tmp_path / "slips.bin"
    db = make_office(
        tmp_path,
        printer=f"capture://{capture}",
        extra='[email]\nsmtp_url = "smtp://127.0.0.1:9"\nfrom_address = "desk@test.example"\n',
    )
    cli = Cli(db, monkeypatch)
    run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--topic", "eviction", "--send-by", "email"),
        *("--email", "zq@example.org"),
        now=NOW,
    )
    tries, log = tmp_path / "tries.txt", tmp_path / "worker.log"
    env = process_env({"OSS_DESK_DB": str(db), "XDG_DATA_HOME": str(tmp_path / "data")})
    # Its pauses half as long as in service (1 s, then 2 s; there 2 s, then 4 s), and the
    # reminders of a fault likewise (2.5 s): the same tries in the same order, in half the time.
    command = faulty_worker(
        tries, "FollowupMessageDelivery", "deliver_due", "worker", every=2.5, first_pause=1.0
    )
    with log.open("wb") as out:
        worker = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=ROOT)
    try:
        wait_for(lambda: tries.exists(), 30, "the referral message tried")
        started = time.monotonic()
        # The other lanes carry on: a ticket's slip is printed while the fault lasts.
        issued = cli("--user", "gil", "ticket", "issue", "--service", "C", "--desk", "greet-1")
        assert issued.code == 0, issued.err
        wait_for(lambda: capture.exists() and capture.stat().st_size > 0, 30, "the slip printed")
        # Tried at 0 s, after 1 s, then 2 s more: the third try is past the 2.5 s between
        # reminders, so it is said again, with a count.
        said = log.read_text
        wait_for(lambda: "still failing" in said(encoding="utf-8"), 30, "the fault said again")
        elapsed = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    text = log.read_text(encoding="utf-8")
    assert "device worker stopped (SIGTERM): the devices are free" in text  # not silent
    lines = [line for line in text.splitlines() if "referral messages not sent now" in line]
    assert len(lines) == 2, text
    assert "internal error (KeyError); details in " in lines[0]
    assert lines[1].endswith(
        f"referral messages not sent now: internal error (KeyError): still failing, 3 times "
        f"since {lines[0].split()[1][:5]}"
    ), lines
    assert tries.read_text().count("tried") <= 3 + elapsed / 1.0, elapsed
    assert len(list((tmp_path / "data").rglob("fault-worker-*"))) == 1


def test_worker_once_says_a_failed_step_and_exits_70_after_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = library_left(tmp_path)
    db = Path(env["OSS_DESK_DB"])
    tries = tmp_path / "tries.txt"
    done = faulty_once(
        monkeypatch, tries, "AppointmentService", "auto_no_show", "worker", "--once", env=env
    )
    assert done.returncode == 70, done.stderr
    assert "appointments marked no-show failed;" in done.stdout
    assert "  Failed: appointments' no-shows not marked now (internal error)" in done.stdout
    log = Path(env["XDG_DATA_HOME"]) / "oss-desk" / "log"
    assert done.stderr == (
        "oss-desk: internal error in 1 of the worker's steps (appointments' no-shows not "
        f"marked now): please report it; details in {log}\n"
    )
    assert len(list(log.glob("fault-worker-*"))) == 1
    # The steps after it ran: the days are closed; the booking is not marked.
    assert rows(db, "SELECT DISTINCT status FROM tickets") == [("cancelled",)]
    assert not housekept(db)
    assert tries.read_text() == "tried\n"


def test_worker_once_json_says_a_failed_step_s_count_is_not_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = library_left(tmp_path)
    tries = tmp_path / "tries.txt"
    once = ("worker", "--once", "--json")
    done = faulty_once(monkeypatch, tries, "AppointmentService", "auto_no_show", *once, env=env)
    assert done.returncode == 70, done.stderr
    said = json.loads(done.stdout)
    assert said["no_shows"] is None
    assert said["steps_failed"] == ["appointments' no-shows not marked now"]
    assert said["printed"] == 1  # the booking's slip: the steps before it ran


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_worker_once_says_what_printed_when_only_the_printer_poll_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """Review 14 (6): delivering the print jobs and asking the printers how they are were one
    step, so a fault in the poll after the jobs printed said "Printed failed, ... failed
    failed" (JSON: nulls). The poll is a step of its own: only the printers are unknown."""
    env = library_left(tmp_path)
    # A paper the round prints: Tuesday's summary (the booking's slip is not printed: the
    # round marks its booking a no-show first, and a slip of a booking over is never printed).
    summary = f"capture://{tmp_path}/summary.bin"
    asked = run_cli_here(*("--user", "tl", "report", "daily", "--date", "2026-11-24"),
                         "--print-to", summary, env=env)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    tries = tmp_path / "tries.txt"
    done = faulty_once(
        monkeypatch,
        tries,
        "oss_desk.worker.printing.PrintDelivery",
        "poll_printers",
        *("worker", "--once", *(["--json"] if as_json else [])),
        env=env,
    )
    assert done.returncode == 70, done.stderr
    assert tries.read_text() == "tried\n"
    assert "(printers not asked how they are now)" in done.stderr
    if as_json:
        said = json.loads(done.stdout)
        assert (said["printed"], said["sent"], said["failed"]) == (1, 0, 0)  # the summary
        assert said["printers"] is None
        assert said["steps_failed"] == ["printers not asked how they are now"]
    else:
        assert done.stdout.startswith("Printed 1, "), done.stdout
        assert "failed 0; board frames" in done.stdout
        assert "  Failed: printers not asked how they are now (internal error)" in done.stdout


def test_housekeeping_runs_when_the_configuration_cannot_be_reread(tmp_path: Path) -> None:
    """The reread that starts each round was outside every guard: its fault ended the thread,
    which restarted every 2 s and never reached a step."""
    env = library_left(tmp_path)
    db = Path(env["OSS_DESK_DB"])
    tries, log = tmp_path / "tries.txt", tmp_path / "worker.log"
    command = faulty_worker(tries, "Session", "refresh_directory", "worker")
    with log.open("wb") as out:
        worker = subprocess.Popen(command, env=process_env(env), stdout=out, stderr=out, cwd=ROOT)
    try:
        wait_for(lambda: housekept(db), 30, "the no-show marked and the day closed")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    assert tries.exists()
    assert "the configuration not reread now: internal error (KeyError)" in log.read_text(
        encoding="utf-8"
    )


def test_worker_once_names_a_failed_step_as_its_summary_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary said "turn texts sent failed" and the line under it "Failed: texts to
    residents not sent now": two names for one thing (and referral texts go to residents too).
    The step now says what the summary says."""
    env = library_left(tmp_path)
    tries = tmp_path / "tries.txt"
    owner = "oss_desk.services.turn_texts.TurnTexts"
    done = faulty_once(monkeypatch, tries, owner, "deliver_due", "worker", "--once", env=env)
    assert done.returncode == 70, done.stderr
    assert "turn texts sent failed;" in done.stdout
    assert "  Failed: turn texts not sent now (internal error)" in done.stdout, done.stdout
    for what in rounds.UNKNOWN_AFTER:  # each step's name ends as every other's
        assert what.endswith(" now") and " not " in what, what
