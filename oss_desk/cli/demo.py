"""``oss-desk demo``: the demo office built afresh and opened; a demo with work done in it is
opened again as it was left.

Its clock runs (see :mod:`oss_desk.services.demo_clock`): from the instant it is built as of
(out of hours, 11:00 on the office's last opening day), and, opened again, from where it was
left. Every terminal and command on its database keeps the demo's time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from oss_desk.cli.common import State, number_option, pass_state
from oss_desk.clock import NOW_ENV, FixedClock, clock_from_env, format_instant
from oss_desk.errors import RuleViolation, StorageError
from oss_desk.paths import demo_db_path
from oss_desk.services.demo_clock import left_at, old_clock_file, start_clock
from oss_desk.services.session import Session
from oss_desk.storage.database import open_store
from oss_desk.storage.site import latest_config, work_since_seed


def prepare_demo_db(path: Path, *, reset: bool = False, reopen: bool = False) -> datetime | None:
    """Remove an earlier demo database at ``path``; refuse to touch anything else, a demo
    database that a process has open, and (unless ``reset``) one holding work done in it after
    it was built: that one is kept when ``reopen`` (the instant it was left at is returned:
    where its clock stopped, or the last thing done in it if later; it opens again from
    there), else refused. None: nothing is there now."""
    if not path.exists():
        return None
    from oss_desk.services.dbops import in_use
    from oss_desk.services.site import DEMO_SOURCE

    user = in_use(path)
    if user is not None:
        raise RuleViolation(
            f"the demo database {path} is open in {user}: close that desk (or worker) first"
        )
    try:
        store = open_store(path, create=False, migrate=False, check=False)
    except StorageError as exc:
        # Not the demo's to replace (README, exit codes: 6, `demo` over work or a desk).
        raise RuleViolation(
            f"{path} is not a demo database, so the demo will not replace it ({exc.message})"
        ) from None
    try:
        stored = latest_config(store.conn)
        if stored is None or stored.source != DEMO_SOURCE:
            raise RuleViolation(
                f"{path} holds a real site, so the demo will not replace it: "
                "pass --db with another path"
            )
        since = work_since_seed(store.conn)
        newest = left_at(store.conn)
    finally:
        store.close()
    if since and not reset:
        if reopen and newest is not None:
            # Opened again as it was left: a demo made by an older release is brought up to
            # date here (nobody has it open: checked above), as `init` would an office's.
            open_store(path, create=False, migrate=True).close()
            return newest
        raise RuleViolation(
            f"the demo database {path} holds {since} event{'s' if since != 1 else ''} recorded "
            "after it was built (work done in it): `oss-desk demo` opens it again as it was "
            "left; `oss-desk demo --reset` builds it afresh and discards them (or pass --db "
            "with another path)"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    old_clock_file(path).unlink(missing_ok=True)
    return None


@click.command()
@click.option(
    "--days",
    type=click.IntRange(0, 120),
    default=None,
    help="Opening days of history to simulate [default: those of the 4 weeks before today, "
    "which the daily report compares a day with].",
)
@number_option(
    "--waiting",
    default=6,
    within=(0, 50),
    help="How many residents are waiting when the demo opens.",
)
@click.option("--no-app", is_flag=True, help="Set the demo up and print how to use it; no TUI.")
@click.option(
    "--reset",
    is_flag=True,
    help="Build it afresh even though work was done in it since it was built (discards it).",
)
@click.option(
    "--desk",
    "desk_id",
    default="greet-1",
    show_default=True,
    metavar="ID",
    help="The desk the demo opens at.",
)
@pass_state
def demo(
    state: State, days: int | None, waiting: int, no_app: bool, reset: bool, desk_id: str
) -> None:
    """Self-contained demo: the demo site, some history, a live queue, virtual devices.

    It uses its own database (in the user data folder, or --db), made afresh each time; never
    while a desk or worker has it open. One with work done in it since it was built is opened
    again as it was left (--reset builds it afresh; with --no-app it is refused).
    """
    path = Path(state.db).expanduser() if state.db else demo_db_path()
    was_left = prepare_demo_db(path, reset=reset, reopen=not no_app)
    if was_left is not None:
        start_clock(path, was_left, datetime.now(UTC))  # it stood still while it was closed
        click.echo(
            f"Opening the demo again as it was left: {path}\n"
            f"  Its clock carries on from {_local(path, was_left):%A %d %B %H:%M}, where it was "
            "left; `oss-desk demo --reset` builds it afresh."
        )
        _say_where_messages_go(path)
        _open_app(state, path, desk_id)
        return
    # Said before the modules that build it are imported (seconds of a minute's build).
    click.echo(f"Building the demo office at {path} (a minute or so)...", err=True)
    from oss_desk.services.demo import populate
    from oss_desk.services.demo_messages import where_messages_go
    from oss_desk.services.mbox import mailboxes_synced_once
    from oss_desk.services.session import open_session
    from oss_desk.services.site import initialise

    clock = clock_from_env()
    shown = None
    if not no_app and NOW_ENV not in os.environ:
        from oss_desk.services.demo import shown_instead
        from oss_desk.services.site import demo_settings

        # Out of hours (a night, a weekend) the office would be empty: the desk opens as on its
        # last opening day instead, its clock running on from then.
        shown = shown_instead(demo_settings(path.parent), clock.now())
        if shown is not None:
            clock = FixedClock(shown)
    built_as_of, started = clock.now(), datetime.now(UTC)
    initialise(path, clock=clock, demo_dir=path.parent, person=state.user)
    session = open_session(db=path, person=state.user, clock=clock, host=True)
    with mailboxes_synced_once():  # hundreds of past messages: synced once, at the end
        try:
            summary = populate(
                session, days=days, waiting=waiting, deliver=_deliver_due, progress=_progress
            )
            session.desk(desk_id)
            messages_go = where_messages_go(session)
        finally:
            session.close()
        if summary.booked_at is not None:
            _send_booked_messages(path, [*summary.arranged_at, summary.booked_at])
    start_clock(path, built_as_of, started)
    click.echo(
        f"Demo ready: {path}\n"
        f"  {summary.days} opening days of history, {summary.visits} visits, "
        f"{summary.waiting_now} residents waiting now, {summary.appointments} appointments "
        "booked for the next two weeks."
    )
    if messages_go is not None:
        click.echo(messages_go)
    if shown is not None:
        click.echo(
            f"  The office is closed now: the demo opens as on {shown:%A %d %B} at 11:00 "
            f"({format_instant(shown)}), its clock running on from then."
        )
    if summary.closed_now is not None:
        click.echo(f"  Nobody is waiting now: the office is closed ({summary.closed_now}).")
        if summary.open_day is not None:
            click.echo(
                "  To try it as on an open day:\n"
                f"  OSS_DESK_NOW={summary.open_day:%Y-%m-%dT%H:%M:%SZ} {_command()} demo --reset"
            )
    if no_app:
        run = _command()
        click.echo(
            "Try (every command on it keeps the demo's time):\n"
            f"  {run} --db {path} queue\n"
            f"  {run} --db {path} ticket issue --service C --desk greet-1\n"
            f"  {run} --db {path} ticket call-next --desk desk-1\n"
            f"  {run} --db {path} report daily\n"
            f"  {run} --db {path} appointment list\n"
            f"  {run} --db {path} --user amina followup list"
        )
        return
    _open_app(state, path, desk_id)


def _progress(done: int, total: int) -> None:
    """How far the build is, on stderr: one line rewritten in place on a terminal, else a line
    at the start and one at the end (a log gets no line a day)."""
    import sys

    said = f"  Simulating its history: day {done} of {total}"
    if done == total:
        said += "; then today, the next two weeks' bookings and their messages"
    if sys.stderr.isatty():
        click.echo(f"\r{said}", nl=done == total, err=True)
    elif done in (0, total):
        click.echo(said, err=True)


def _command() -> str:
    """How this terminal runs oss-desk, for the commands the demo prints: ``oss-desk`` when
    that is on the PATH, else the path it was run by (the Quick start runs
    ``.venv/bin/oss-desk`` with no virtual environment activated, where a bare ``oss-desk``
    is "command not found")."""
    import shutil
    import sys

    ran = Path(sys.argv[0])
    if ran.name != "oss-desk":  # python -m oss_desk, or a test
        return "oss-desk"
    found = shutil.which("oss-desk")
    if found is not None and Path(found).resolve() == ran.resolve():
        return "oss-desk"
    shown = os.path.relpath(ran)
    if shown.startswith(".."):
        return str(ran.resolve())
    return shown if os.sep in shown else f".{os.sep}{shown}"


def _open_app(state: State, path: Path, desk_id: str) -> None:
    """The desk app on the demo, its people acting at their desks, on the demo's running clock
    (never a stopped ``OSS_DESK_NOW``: its print jobs are tried again when due); then, once it
    is closed, how to get back in."""
    from oss_desk.cli.desk import open_desk

    os.environ.pop(NOW_ENV, None)
    state.db = str(path)
    open_desk(state, desk_id, demo=True)  # the last desk app to leave stops its clock
    run = _command()
    click.echo(
        "The demo is left as it is (who is at which desk, who is called).\n"
        f"  `{run} demo` opens it again, as its people, from where it was left;\n"
        f"  `{run} demo --reset` builds it afresh.\n"
        f"  Another terminal on it keeps the demo's time: {run} --db {path} desk --desk desk-1"
    )


def _local(path: Path, instant: datetime) -> datetime:
    """``instant`` in the demo office's time zone."""
    from oss_desk.domain.calendar import local
    from oss_desk.services.site import demo_settings

    return local(instant, demo_settings(path.parent).sites[0].timezone)


def _say_where_messages_go(path: Path) -> None:
    """The line of the ready message on where its messages go, for a demo opened again (the
    environment may name another mail server than when it was built)."""
    from oss_desk.services.demo_messages import where_messages_go
    from oss_desk.services.session import open_session

    session = open_session(db=path, host=True)
    try:
        said = where_messages_go(session)
    finally:
        session.close()
    if said is not None:
        click.echo(said)


def _deliver_due(session: Session) -> None:
    """The worker's pass over the messages due at the session's (simulated) time: the demo's
    past appointments had their confirmations and reminders sent when they fell due (to the
    demo's own mailbox and phone, whatever the environment says: see
    :mod:`oss_desk.services.demo_messages`)."""
    from oss_desk.services.demo_messages import own_devices
    from oss_desk.worker.messages import MessageDelivery

    own = own_devices(session)
    smtp, notify = own.senders(session) if own is not None else (None, None)
    MessageDelivery(session, smtp=smtp, notify=notify).deliver_due()


def _send_booked_messages(path: Path, booked_at: list[datetime]) -> None:
    """The demo's appointments were booked days ago (at desks, or by telephone), when a worker
    sent their confirmations (to the demo's virtual mailbox and phone): send them as that
    worker did, after the last booking of each day (well within a message's deadline)."""
    from oss_desk.services.session import open_session

    last_of_day: dict[object, datetime] = {}
    for at in booked_at:
        last_of_day[at.date()] = max(at, last_of_day.get(at.date(), at))
    runs = sorted(last_of_day.values())
    clock = FixedClock(runs[0])
    session = open_session(db=path, clock=clock, person="worker", host=True)
    try:
        # One transaction, as the history's (nobody else has the new demo open yet): each
        # message's claim and result were a commit of their own, waiting for the disk.
        with session.store.write():
            for at in runs:
                clock.set(at + timedelta(minutes=1))
                _deliver_due(session)
    finally:
        session.close()
