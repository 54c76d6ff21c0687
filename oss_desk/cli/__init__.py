"""The ``oss-desk`` command line (contract 4.3 of the architecture).

Every failure ends as one line on stderr and a non-zero exit status, never a traceback:
usage errors exit 2, oss-desk errors exit with their class's code (see ``oss_desk.errors``:
1 refused, 3-9 refused for a named reason, 75 a resource fault: try again once its cause is
gone), and only an unexpected fault (a bug) exits 70, after writing its traceback to the log
folder.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import shlex
import sqlite3
import sys
from collections.abc import Iterator, MutableMapping

import click

from oss_desk import __version__
from oss_desk.cli.common import State, err, err_error
from oss_desk.domain.text import shown
from oss_desk.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    OssDeskError,
    file_fault,
)

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "cli", "main", "run"]


# Where each command lives, in the order of ``--help`` and the README. A command's module (and
# what it needs: settings, services, Textual, the worker...) is imported only when that command
# runs, or when ``--help`` lists them all: start-up pays for one command, not for every one.
COMMANDS: dict[str, str] = {
    "demo": "oss_desk.cli.demo:demo",
    "init": "oss_desk.cli.admin:init",
    "desk": "oss_desk.cli.desk:desk",
    "ticket": "oss_desk.cli.tickets:ticket",
    "visit": "oss_desk.cli.tickets:visit",
    "queue": "oss_desk.cli.live_queue:queue",
    "appointment": "oss_desk.cli.appointments:appointment",
    "absence": "oss_desk.cli.absences:absence",
    "followup": "oss_desk.cli.followups:followup",
    "resident": "oss_desk.cli.residents:resident",
    "desks": "oss_desk.cli.admin:desks",
    "worker": "oss_desk.cli.devices:worker",
    "alerts": "oss_desk.cli.devices:alerts",
    "report": "oss_desk.cli:report_group",
    "printer": "oss_desk.cli.devices:printer",
    "board": "oss_desk.cli.devices:board",
    "db": "oss_desk.cli.db:db",
    "doctor": "oss_desk.cli.db:doctor",
    "import": "oss_desk.cli.calls:import_group",
    "serve": "oss_desk.cli.serve:serve",
    "screen": "oss_desk.cli.screen:screen",
    "history": "oss_desk.cli.history:history",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The commands of a group by name, each imported from its ``module:attribute`` the first
    time it is asked for (listing the names imports nothing); an attribute that is not a
    command is a function that builds it."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        command = self._loaded.get(name)
        if command is None:
            module, _, attribute = self._where[name].partition(":")
            found = getattr(importlib.import_module(module), attribute)
            command = found if isinstance(found, click.Command) else found()
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._where[name]} is not a click command")
            self._loaded[name] = command
        return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._where.setdefault(name, "")

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where


class OssDeskGroup(click.Group):
    """Lists commands in the order they were added (the order of the README)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def _show_version(ctx: click.Context, value: bool) -> None:
    """``oss-desk 0.1.0 (schema 0086_turn_text_per_call)``: two releases of one package
    version tell apart by the newest migration each brings a database to (what ``init``
    says as ``Database ready: ... (schema ...)``)."""
    if not value or ctx.resilient_parsing:
        return
    from oss_desk.storage.migrations import schema_names

    click.echo(f"oss-desk {__version__} (schema {schema_names()[-1]})")
    ctx.exit()


@click.group(
    cls=OssDeskGroup,
    commands=LazyCommands(COMMANDS),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    metavar="PATH",
    envvar="OSS_DESK_DB",
    help="The office database (default: OSS_DESK_DB, else the user data folder).",
)
@click.option(
    "--config",
    metavar="FILE",
    envvar="OSS_DESK_CONFIG",
    help="A site configuration file to use instead of the copy stored by `init`.",
)
@click.option(
    "--user",
    metavar="PERSON",
    envvar="OSS_DESK_USER",
    help="Who is acting (staff id or login); default: the desk's person, else your login.",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _show_version(ctx, value),
    help="Show the release and the schema it brings databases to, and exit.",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None, config: str | None, user: str | None) -> None:
    """oss-desk: the front desk of a council One Stop Shop.

    Queue tickets, desks, printed tickets, the display board, appointments and reports, on one
    SQLite database per office. Every command takes --db and --config; `--json` prints one JSON
    value. Times come from OSS_DESK_NOW when it is set (simulation, training, tests).
    """
    ctx.obj = State(db=db, config=config, user=user)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand not in SETS_START_UP_ASIDE:
        _started()


SETS_START_UP_ASIDE = frozenset({"desk"})
"""Commands that set their own start-up aside from the garbage collector: the desk app keeps it
paused until its session is open and its code imported, then freezes what start-up made and
holds the collector until its first frame (``oss_desk.ui.run.hold_collector``), so its passes
over the session's and the screen's imports never delay that frame."""


def report_group() -> click.Command:
    """``report``, with ``report quarterly`` and ``report send`` (their own modules) added."""
    from oss_desk.cli import quarterly, report_send, reports

    reports.report.add_command(quarterly.quarterly)
    reports.report.add_command(report_send.send)
    return reports.report


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning every failure into one line and an exit status."""
    _START_UP["paused"] = True
    gc.disable()  # until the command's code is in: see _started
    code = run(argv)
    sys.exit(code)


_START_UP = {"paused": False}
"""Whether :func:`main` paused the garbage collector for the start-up."""


def _started() -> None:
    """The command's code is imported (``cli`` runs after click found the command): set what
    start-up made aside for good, and let the collector run again (if :func:`main` paused it).

    Start-up makes tens of thousands of objects the collector tracks, which live as long as the
    process (modules, classes, functions), and next to no garbage: the collector's passes over
    them while importing, and its last pass over them all at exit, are pure cost (about a
    tenth of a short command such as ``oss-desk queue``, measured with instruction counts).
    ``gc.freeze`` moves them out of every later pass; the desk app and the worker collect
    their own garbage as before."""
    if _START_UP["paused"]:
        _START_UP["paused"] = False
        gc.freeze()
        gc.enable()


def run(argv: list[str] | None = None) -> int:
    if argv is not None and any("\x00" in arg for arg in argv):
        # Only a caller in this process can pass one (the operating system cannot).
        err("oss-desk: an argument holds a NUL character")
        return EXIT_USAGE
    repeated = _repeated_global_option(list(sys.argv[1:] if argv is None else argv))
    if repeated is not None:
        err(f"oss-desk: {repeated} is given more than once: give it once (see `oss-desk --help`)")
        return EXIT_USAGE
    try:
        result = cli.main(args=argv, prog_name="oss-desk", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        # A command group typed on its own (`oss-desk desks`): the person wants its commands,
        # so show its help as `--help` would, rather than folding it into one error line.
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        return 0
    except click.exceptions.Abort:
        err("oss-desk: aborted")
        return EXIT_INTERRUPTED
    except click.NoSuchOption as exc:
        moved = _global_option_hint(exc, argv)
        err(f"oss-desk: {moved}" if moved else f"oss-desk: {exc.format_message()}{_see(exc)}")
        return exc.exit_code
    except click.ClickException as exc:
        err(f"oss-desk: {exc.format_message()}{_see(exc)}")
        return exc.exit_code
    except OssDeskError as exc:
        err_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        err("oss-desk: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into something that stopped reading (e.g. `| head`): not an error.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except sqlite3.Error as exc:
        from oss_desk.storage.database import describe_sqlite_error

        fault = describe_sqlite_error(exc)
        err(f"oss-desk: {fault.message}")
        return fault.exit_code
    except OSError as exc:
        # A file beside the database (an export, a capture file) on a full, read-only or
        # forbidden file system: a resource fault, named with its path, never a crash.
        found = file_fault(exc)
        if found is None and exc.filename is not None and exc.errno is not None:
            # A path given that the system cannot use (too long, a loop of links...).
            err(f"oss-desk: cannot use {shown(str(exc.filename), 80)!r}: {exc.strerror}")
            return EXIT_USAGE
        if found is None:
            return _internal(exc)
        err(f"oss-desk: {found.message}")
        return found.exit_code
    except UnicodeEncodeError as exc:
        if not _undecodable(exc):
            return _internal(exc)
        # Bytes that are not UTF-8 typed in an argument or a variable (Python keeps them as
        # lone surrogates): they cannot be stored or compared, so say so rather than crash.
        err("oss-desk: an argument or setting holds bytes that are not UTF-8 text")
        return EXIT_USAGE
    except Exception as exc:
        return _internal(exc)
    return result if isinstance(result, int) else 0


def _repeated_global_option(args: list[str]) -> str | None:
    """A global option (``--db``, ``--config``, ``--user``) given twice before the command
    (``oss-desk --user tl --user mg queue``): which one, else None. Click would keep the last
    without a word, and which person acted would not be what was meant."""
    valued = {opt for p in cli.params if isinstance(p, click.Option) for opt in p.opts}
    valued = {opt for opt in valued if opt.startswith("--") and opt not in ("--version",)}
    seen: set[str] = set()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-"):
            return None  # the command: its own options are its own
        name, has_value, _ = arg.partition("=")
        if name in valued:
            if name in seen:
                return name
            seen.add(name)
            i += 1 if has_value else 2
        else:
            i += 1
    return None


def _see(exc: click.ClickException) -> str:
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        return f" (see `{exc.ctx.command_path} --help`)"
    return ""


def _global_option_hint(exc: click.NoSuchOption, argv: list[str] | None) -> str | None:
    """For a global option given after the command (``oss-desk ticket call-next --user dev``):
    ``--user is a global option: put it before the command (oss-desk --user dev ticket ...)``;
    None for any other unknown option."""
    if exc.ctx is None or exc.ctx.parent is None:
        return None  # unknown to oss-desk itself
    option = next((p for p in cli.params if exc.option_name in getattr(p, "opts", ())), None)
    if not isinstance(option, click.Option):
        return None
    args = list(sys.argv[1:] if argv is None else argv)
    name, value = exc.option_name, None
    for i, arg in enumerate(args):
        if arg == name and not option.is_flag and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.partition("=")[2]
    if not option.is_flag:
        value = shlex.quote(shown(value, 40)) if value else option.metavar or "VALUE"
    program, command = exc.ctx.command_path.split()[:2]
    typed = " ".join(part for part in (name, value) if part)
    return f"{name} is a global option: put it before the command ({program} {typed} {command} ...)"


def _undecodable(exc: UnicodeEncodeError) -> bool:
    """Whether the text that could not be encoded is an undecodable byte kept as a surrogate."""
    bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else ""
    return bool(bad) and all("\udc80" <= ch <= "\udcff" for ch in bad)


def _internal(exc: BaseException) -> int:
    from oss_desk.logs import write_fault_report  # only for a bug: not on every start-up

    where = write_fault_report(exc, "cli")
    err(
        f"oss-desk: internal error ({type(exc).__name__}): please report it"
        + (f"; details in {where}" if where else "")
    )
    return EXIT_INTERNAL
