"""Start-up pays only for what a command needs: a command's modules are imported when it runs,
and the large packages of other commands never are (read from ``python -X importtime``, which
names every module a process imported; not a timing).

If one of these fails, a module-level import has brought a large package (or another command's
code) onto every command's start-up: import it where it is used instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from oss_desk.cli import COMMANDS, cli
from oss_desk.config_cache import cache_path

from .conftest import MONDAY_0930, ROOT, make_db, site_toml

# Never imported by a command that does not use them (the desk app, the worker, appointments,
# charts, calendars, bank holidays; sqlite-utils only when a migration runs).
DENIED = (
    "sqlite_utils",
    "textual",
    "rich",
    "textual_plotext",
    "plotext",
    "icalendar",
    "holidays",
    "oss_desk.ui",
    "oss_desk.worker",
    "oss_desk.devtools",
    "oss_desk.services.appointments",
    "oss_desk.storage.appointments",
)


def python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in a fresh process run from the project's folder, with none of this
    process's ``OSS_DESK_*`` variables (``env``'s only); it must succeed."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def imported(*args: str, env: dict[str, str] | None = None) -> list[str]:
    """Every module a fresh process imported while running ``args`` (``python -X importtime``)."""
    done = python("-X", "importtime", *args, env=env)
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    assert "click" in names, "python -X importtime printed nothing we could read"
    return names


def denied(names: list[str]) -> list[str]:
    return sorted(
        {n for n in names for d in DENIED if n == d or n.startswith(d + ".")},
    )


def test_importing_the_command_line_imports_no_command() -> None:
    names = imported("-c", "import oss_desk.cli")
    assert denied(names) == []
    ours = {n for n in names if n.startswith("oss_desk.")}
    # Neither the settings, nor the services, nor the storage: only the command line itself.
    assert not {n for n in ours if n.split(".")[1] in ("services", "storage", "config")}
    assert "pydantic" not in names and "sqlite_utils" not in names


@pytest.mark.parametrize(
    "command",
    [
        ["queue"],
        ["ticket", "issue", "--service", "C"],
        ["ticket", "call-next", "--desk", "desk-1"],
        ["desks", "list"],
        ["report", "daily"],
    ],
    ids=" ".join,
)
def test_a_command_imports_nothing_on_the_deny_list(command: list[str], tmp_path: Path) -> None:
    db = make_db(tmp_path)
    env = {"OSS_DESK_DB": str(db)}
    if "call-next" in command:
        # The demo office: nobody is logged in to a desk, so call next is told to call anyway.
        env["OSS_DESK_QUEUE__STAFFED_DESKS_ONLY"] = "false"
    names = imported("-m", "oss_desk", *command, env=env)
    assert denied(names) == []
    assert "oss_desk.services.session" in names  # it did run against the office
    # The settings library (and asyncio, which it imports) only when a setting is in the
    # environment; OSS_DESK_DB is a path, not a setting.
    assert ("pydantic_settings" in names) == ("call-next" in command)


def test_the_deny_list_would_catch_a_command_that_uses_them(tmp_path: Path) -> None:
    """The check can fail: a command that needs appointments does import them."""
    db = make_db(tmp_path)
    names = imported("-m", "oss_desk", "appointment", "list", env={"OSS_DESK_DB": str(db)})
    assert "oss_desk.services.appointments" in denied(names)


def test_help_still_lists_every_command() -> None:
    """Lazy loading keeps ``--help`` whole: every command, in order, with its summary."""
    with click.Context(cli) as ctx:
        listed = cli.list_commands(ctx)
        assert listed == list(COMMANDS)
        text = cli.get_help(ctx)
    for name in listed:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert f"  {name} " in text
        summary = command.get_short_help_str(limit=30).rstrip(".")
        assert summary[:20] in " ".join(text.split()), name


# The desk app's first frame pays only for the first screen: the other modes' screens, charts,
# calendars, reports, the follow-up and booking code, the mail library's address parser (it
# checks an email address when one is typed or sent) and the device worker (started after the
# first frame) load when first used.
DESK_DENIED = (
    "sqlite_utils",
    "email.headerregistry",
    "pydantic_settings",
    "plotext",
    "textual_plotext",
    "icalendar",
    "holidays",
    "qrcode",
    "escpos",
    "PIL",
    "smtplib",
    "oss_desk.worker",
    "oss_desk.render",
    "oss_desk.services.reports",
    "oss_desk.services.followups",
    "oss_desk.services.appointments",
    "oss_desk.services.visit_history",
    "oss_desk.domain.reports",
    "oss_desk.ui.screens.leader",
    "oss_desk.ui.screens.appointments",
    "oss_desk.ui.screens.reports",
    "oss_desk.ui.screens.followups",
    "oss_desk.ui.screens.scans",
    "oss_desk.ui.screens.appointment_booking",
    "oss_desk.ui.dialogs.followups",
)

FIRST_FRAME = """
import json, sys, threading
from oss_desk.ui import app as desk_app

class FirstFrame(desk_app.OssDeskApp):
    def on_ready(self):  # the first frame is out: what has this process imported?
        if sys.argv[2] == "devices":  # or, once its device worker's lanes run
            self.set_interval(0.02, self.when_devices_run)
            return
        if sys.argv[2] != "-":
            self.switch_mode(sys.argv[2])
        self.list_modules()

    def when_devices_run(self):
        names = {t.name for t in threading.enumerate()}
        if "oss-desk-housekeeping" in names:
            self.list_modules()

    def list_modules(self):
        if self.return_code is not None:
            return
        with open(sys.argv[1], "w") as f:
            json.dump(sorted(sys.modules), f)
        self.exit()

    def run(self, *args, **kwargs):
        return super().run(*args, headless=True, **kwargs)

desk_app.OssDeskApp = FirstFrame
from oss_desk.cli import run
sys.exit(run(sys.argv[3:]))
"""


def first_frame_imports(db: Path, out: Path, desk: str, mode: str = "-") -> list[str]:
    """Every module a real ``oss-desk desk`` process (headless) had imported when its first
    frame was out (after switching to ``mode``, if given; ``devices``: once the device worker
    it starts after the first frame runs its lanes). As at an office, a command before it has
    validated the settings and kept their copy: the desk reads the copy (validating them again,
    once after each change, imports pydantic and what checks an address)."""
    env = {"OSS_DESK_DB": str(db), "HOME": str(out.parent)}
    python("-m", "oss_desk", "queue", env=env)  # keeps the validated copy
    python("-c", FIRST_FRAME, str(out), mode, "desk", "--desk", desk, env=env)
    names: list[str] = json.loads(out.read_text())
    assert "oss_desk.ui.app" in names and "textual" in names
    return names


def desk_denied(names: list[str]) -> list[str]:
    return sorted({n for n in names for d in DESK_DENIED if n == d or n.startswith(d + ".")})


def only_its_first_screen(names: list[str], screen: str) -> None:
    """The desk's first frame imported its first screen, not the other, and nothing denied."""
    assert screen in names
    assert desk_denied(names) == []
    others = {"oss_desk.ui.screens.greet", "oss_desk.ui.screens.adviser"} - {screen}
    assert not others & set(names)


def test_the_desks_first_frame_imports_only_its_first_screen(tmp_path: Path) -> None:
    """An adviser's desk (meet-and-greet's, greet-1: its own test below, from one process)."""
    names = first_frame_imports(make_db(tmp_path), tmp_path / "modules.json", "desk-1")
    only_its_first_screen(names, "oss_desk.ui.screens.adviser")


# A desk with its devices running (the worker it starts after its first frame owns the
# printers, the board and the housekeeping) holds neither the settings' pydantic models nor
# pydantic (about 9 MB of the desk's memory): the session reads the validated copy of the
# settings; a report on another office's database, or the calendar of a site that left the
# configuration, loads them when asked.
DEVICES_DENIED = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "oss_desk.config",
    "sqlite_utils",
    "plotext",
    "icalendar",
    "oss_desk.render",
    "oss_desk.ui.screens.reports",
)


def test_a_desk_with_its_devices_running_holds_no_settings_models(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    names = first_frame_imports(db, tmp_path / "modules.json", "greet-1", "devices")
    assert {"oss_desk.worker.rounds", "oss_desk.services.reports"} <= set(names)
    held = {n for n in names for d in DEVICES_DENIED if n == d or n.startswith(d + ".")}
    assert sorted(held) == []


# Meet-and-greet, the usual first screen, draws without its dialogs and the flows it shares
# with other screens (each imported when its key is first pressed), and without what only its
# data and its actions need: the snapshot, the delivery service the status line reads, the
# queue service, the outbox and the message tables (imported with the first snapshot, after
# the first frame), the follow-up rules (when a key needs them), the rules of the booking
# channels and the appointments' domain (its Ctrl+N needs only the words for texts not set up),
# the rules of closed days and opening hours and the command line's views of a ticket (read
# with the first snapshot), the reports' standards (its queue colours its waits by the wait
# rule alone: domain/wait_target.py), the counter's and the queue's rules (its empty queue and
# the session's login need neither: they fill its rows), the backups' files (looked for only
# when the database is missing), and the other admin commands.
GREET_DENIED = (
    "oss_desk.ui.dialogs",
    "oss_desk.ui.screens.flows",
    "oss_desk.ui.screens.followup_flows",
    "oss_desk.services.desk_view",
    "oss_desk.services.delivery",
    "oss_desk.services.alerts",
    "oss_desk.services.queue",
    "oss_desk.storage.outbox",
    "oss_desk.storage.feedback_texts",
    "oss_desk.storage.report_mails",
    "oss_desk.domain.followups",
    "oss_desk.domain.channels",
    "oss_desk.domain.appointments",
    "oss_desk.domain.closed_day",
    "oss_desk.domain.workdays",
    "oss_desk.services.views",
    "oss_desk.domain.standards",
    "oss_desk.domain.counter",
    "oss_desk.domain.queue",
    "oss_desk.domain.wait_clock",
    "oss_desk.services.backup_files",
    "oss_desk.cli.admin",
    "oss_desk.cli.counter",
)


def test_meet_and_greets_first_frame_imports_none_of_its_dialogs(tmp_path: Path) -> None:
    names = first_frame_imports(make_db(tmp_path), tmp_path / "modules.json", "greet-1")
    only_its_first_screen(names, "oss_desk.ui.screens.greet")
    assert sorted({n for n in names for d in GREET_DENIED if n == d or n.startswith(d + ".")}) == []


def test_the_desk_deny_list_would_catch_a_screen_loaded_at_start(tmp_path: Path) -> None:
    """The check can fail: once the team leader's and the reports screens are shown, their
    code is imported."""
    db = make_db(tmp_path)
    names = first_frame_imports(db, tmp_path / "modules.json", "greet-1", mode="reports")
    assert {"oss_desk.ui.screens.reports", "plotext"} <= set(desk_denied(names))


# `oss-desk queue` (a kiosk's or a script's most run command) reads the live queue: it loads
# neither the code that changes tickets (issue, call, close, the counter, logins, records,
# the other ticket commands), nor the event log's writer, the outboxes, close of day, the
# backups' files (looked for only when the database is missing), nor the reports' arithmetic.
QUEUE_DENIED = (
    *DENIED,
    "oss_desk.cli.tickets",
    "oss_desk.cli.counter",
    "oss_desk.services.queue.service",
    "oss_desk.services.queue.calling",
    "oss_desk.services.queue.closing",
    "oss_desk.services.queue.counter",
    "oss_desk.services.queue.day_end",
    "oss_desk.services.queue.logins",
    "oss_desk.services.queue.records",
    "oss_desk.services.queue.tickets",
    "oss_desk.services.events",
    "oss_desk.services.delivery",
    "oss_desk.services.alerts",
    "oss_desk.storage.outbox",
    "oss_desk.storage.devices",
    "oss_desk.storage.day_closures",
    "oss_desk.services.backup_files",
    "oss_desk.domain.appointments",
    "oss_desk.domain.delivery",
    "statistics",
    "decimal",
)

RUN_AND_LIST = """
import json, sys
from oss_desk.cli import run
code = run(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
sys.exit(code)
"""


def modules_after(out: Path, *args: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """What a real command printed, and every module its process held when it ended (read
    from ``sys.modules``: this also sees what ``importlib.import_module`` loaded)."""
    done = python("-c", RUN_AND_LIST, str(out), *args, env=env)
    names: list[str] = json.loads(out.read_text())
    return done.stdout, names


def queue_denied(names: list[str]) -> list[str]:
    return sorted({n for n in names for d in QUEUE_DENIED if n == d or n.startswith(d + ".")})


def test_the_queue_command_imports_only_what_reads_the_queue(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T09:40:00+00:00"}
    # A ticket nobody can call (no desk is open): its line says why, which reads the desks.
    python("-m", "oss_desk", "ticket", "issue", "--service", "C", env=env)
    shown, names = modules_after(tmp_path / "modules.json", "queue", env=env)
    assert "1. C001" in shown and "no open desk" in shown
    assert "oss_desk.services.queue.view" in names and "oss_desk.services.unserved" in names
    assert queue_denied(names) == []
    # --json reads the same
    shown, names = modules_after(tmp_path / "modules.json", "queue", "--json", env=env)
    assert json.loads(shown)[0]["code"] == "C001"
    assert queue_denied(names) == []


def test_the_queue_deny_list_would_catch_the_ticket_commands(tmp_path: Path) -> None:
    """The check can fail: issuing a ticket loads the code that changes the queue."""
    db = make_db(tmp_path)
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T09:40:00+00:00"}
    _, names = modules_after(
        tmp_path / "modules.json", "ticket", "issue", "--service", "C", env=env
    )
    assert {"oss_desk.cli.tickets", "oss_desk.services.queue.tickets"} <= set(queue_denied(names))


COLLECTOR_AT_EXIT = """
import atexit, gc, sys
from oss_desk import cli

atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count(), file=sys.stderr))
if sys.argv[1] == "main":
    cli.main(sys.argv[2:])
sys.exit(cli.run(sys.argv[2:]))
"""


def collector_at_exit(how: str, db: Path) -> tuple[bool, int]:
    """Whether the garbage collector was on when a real command ended, and how many objects
    were set aside from its passes (``how``: through ``main``, as the ``oss-desk`` command
    runs, or ``run``, as a program embedding the command line would)."""
    done = python("-c", COLLECTOR_AT_EXIT, how, "--db", str(db), "queue")
    enabled, frozen = done.stderr.split()[-2:]
    return enabled == "True", int(frozen)


def test_the_command_sets_its_start_up_aside_from_the_garbage_collector(tmp_path: Path) -> None:
    """`oss-desk` pauses the collector while it imports, then freezes what start-up made (the
    modules, classes and functions it keeps for good) and turns the collector back on: neither
    the imports nor the teardown at exit pay for passes over them, and the command (a desk app
    running all day) still collects its own garbage."""
    db = make_db(tmp_path)
    enabled, frozen = collector_at_exit("main", db)
    assert enabled
    assert frozen > 10_000  # what the command line, the services and the domain made
    # Called in-process (tests, a program embedding it), nothing is frozen or paused.
    assert collector_at_exit("run", db) == (True, 0)


PASSES_TO_FIRST_FRAME = """
import gc, importlib.abc, importlib.machinery, os, sys

passes = []
started = [False]
gc.callbacks.append(lambda phase, info: started[0] and phase == "stop" and passes.append(1))


def first_frame(app):  # the desk's first frame is out: how many passes since the command ran?
    print(len(passes), gc.isenabled(), flush=True)
    os._exit(0)


class OnFirstFrame(importlib.abc.MetaPathFinder):
    # Patches the desk app when the command imports it (importing it here would move its
    # imports before the command starts).
    def find_spec(self, name, path, target=None):
        if name != "oss_desk.ui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            module.OssDeskApp.on_ready = first_frame
            run = module.OssDeskApp.run
            module.OssDeskApp.run = lambda self, *a, **k: run(self, *a, headless=True, **k)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, OnFirstFrame())
from oss_desk import cli

started[0] = True
cli.main(sys.argv[1:])
"""


def test_the_desk_collects_nothing_before_its_first_frame(tmp_path: Path) -> None:
    """`oss-desk desk` keeps the collector paused from the start of the command to its first
    frame: the session's, the screen's and Textual's imports make tens of thousands of objects
    that live all day and next to no garbage, and a pass over them only delays the frame. The
    desk sets them aside and collects again once its data is on screen (the collector is off
    at the first frame only)."""
    db = make_db(tmp_path)
    env = {"OSS_DESK_DB": str(db), "HOME": str(tmp_path)}
    python("-m", "oss_desk", "queue", env=env)  # keeps the validated copy
    done = python("-c", PASSES_TO_FIRST_FRAME, "desk", "--desk", "greet-1", env=env)
    assert done.stdout.split() == ["0", "False"]


def test_the_queue_package_gives_every_name_it_lists() -> None:
    """The queue package imports its modules when a name is first asked for: each name it
    lists is there (and is the object of the module it comes from), any other is an error."""
    done = python(
        "-c",
        "import oss_desk.services.queue as q\n"
        "for name in q.__all__:\n"
        "    value = getattr(q, name)\n"
        "    home = __import__(f'oss_desk.services.queue.{q._HOMES[name]}', fromlist=[name])\n"
        "    assert getattr(home, name) is value, name\n"
        "try:\n"
        "    q.NoSuchName\n"
        "except AttributeError:\n"
        "    print('refused')\n",
    )
    assert done.stdout.split() == ["refused"]


# `oss-desk worker` runs as a real process in an office (and in hundreds of tests): a pass
# imports the code of its lanes, and a device's or a channel's libraries only for a job that
# needs them. A pass that printed a ticket and had no email to send loads neither the mail
# libraries nor Notify's client, nor python-escpos and the QR code and image libraries (a
# ticket's bytes, its QR code included, are the printer's own commands); nor the restores' and
# backups' code (its hourly purge needs neither), nor the desk app, the charts, the calendars
# or the settings' models (it reads the validated copy the command before it kept).
WORKER_DENIED = (
    "textual",
    "rich",
    "plotext",
    "textual_plotext",
    "sqlite_utils",
    "pydantic",
    "pydantic_settings",
    "icalendar",
    "holidays",
    "escpos",
    "qrcode",
    "PIL",
    "barcode",
    "notifications_python_client",
    "smtplib",
    "ssl",
    "email.message",
    "oss_desk.ui",
    "oss_desk.devtools",
    "oss_desk.config",
    "oss_desk.services.dbops",
    "oss_desk.services.backups",
)


def worker_denied(names: list[str]) -> list[str]:
    return sorted({n for n in names for d in WORKER_DENIED if n == d or n.startswith(d + ".")})


def worker_pass(tmp_path: Path, *, ticket: bool) -> list[str]:
    """Every module a real ``worker --once`` held when it ended, on an office with a printer at
    its meet-and-greet desk (``ticket``: one issued there before, which keeps the validated copy
    of the settings; else the pass is the office's first command)."""
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{tmp_path / 'paper.bin'}"))
    env = {"OSS_DESK_DB": str(db), "HOME": str(tmp_path), "OSS_DESK_NOW": MONDAY_0930.isoformat()}
    if ticket:
        python("-m", "oss_desk", "ticket", "issue", "--service", "C", "--desk", "greet-1", env=env)
    else:  # make_db leaves the copy the office's first command would: as if none had run
        cache_path(db).unlink()
    shown, names = modules_after(tmp_path / "modules.json", "worker", "--once", env=env)
    assert shown.startswith(f"Printed {int(ticket)},")
    return names


def test_a_worker_pass_imports_no_library_of_a_job_it_did_not_have(tmp_path: Path) -> None:
    names = worker_pass(tmp_path, ticket=True)
    # Every step ran: the lanes (the senders built), the day's end, the purge, the rollup.
    assert {"oss_desk.worker.run", "oss_desk.services.senders"} <= set(names)
    assert {"oss_desk.services.retention", "oss_desk.services.reports"} <= set(names)
    assert worker_denied(names) == []


def test_the_worker_deny_list_would_catch_the_settings_models(tmp_path: Path) -> None:
    """The check can fail: a pass that is the office's first command validates the settings."""
    names = worker_pass(tmp_path, ticket=False)
    assert {"pydantic", "oss_desk.config"} <= set(worker_denied(names))
