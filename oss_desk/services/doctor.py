"""``oss-desk doctor``: is everything an office needs working? One line per part.

Each check answers ok, warn or fail with a short detail, never raises, and waits at most a
couple of seconds (printers, boards, the mail server and Notify are tried with short timeouts).
Nothing is printed, shown on the board or sent: printers are asked their status, the board's
port is opened, the mail server gets EHLO (and STARTTLS) and Notify a TCP/TLS connection.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oss_desk.clock import NOW_ENV, Clock, SystemClock, read_instant
from oss_desk.config import Settings, build_settings, read_toml
from oss_desk.domain.calendar import business_day
from oss_desk.domain.clock_steps import STEP_BACK_HELD, held_now
from oss_desk.domain.message_delivery import AlertKind
from oss_desk.domain.sizes import size_said
from oss_desk.domain.worker_faults import WAITS_FOR_RESTORE
from oss_desk.errors import DatabaseOverwritten, OssDeskError
from oss_desk.services.alerts import (
    LeaderAlert,
    ReportMailAlert,
    alerts_in,
    not_sent_lines,
    referral_alerts_in,
    report_mail_alerts_in,
)
from oss_desk.services.backup_files import FOLDER_ENV
from oss_desk.services.demo_clock import clock_of
from oss_desk.services.doctor_backups import backups, missing_database
from oss_desk.services.doctor_checks import Check, fail, free_bytes, guard, ok, warn
from oss_desk.services.doctor_devices import board, notify, printers, smtp
from oss_desk.services.doctor_notes import NAME as NOTED
from oss_desk.services.doctor_notes import noted_sends
from oss_desk.services.doctor_old_text import NAME as OLD_TEXT
from oss_desk.services.doctor_old_text import old_free_text
from oss_desk.services.doctor_summaries import NAME as SUMMARIES
from oss_desk.services.doctor_summaries import older_unsent
from oss_desk.services.doctor_worker import print_jobs, worker, worker_before_upgrade
from oss_desk.services.session import resolve_config_path, resolve_db_path
from oss_desk.storage import maintenance as m
from oss_desk.storage.database import (
    NETWORK_FILESYSTEMS,
    Store,
    filesystem_type,
    open_store,
    upgrade_needed,
)
from oss_desk.storage.devices import device_states
from oss_desk.storage.events import newest_event_at
from oss_desk.storage.file_checks import wal_lost_said
from oss_desk.storage.migrations import pending_names
from oss_desk.storage.site import latest_config

MIN_FREE_BYTES = 50 << 20
LOW_FREE_BYTES = 1 << 30
CLOCK_SLACK = STEP_BACK_HELD
"""Events this far ahead of the clock are those of a clock stepped back, held by every session
(:mod:`oss_desk.domain.clock_steps`): further ahead, the clock check fails."""
RECENT_EVENTS = 20_000
"""The newest events whose hash chain doctor checks (weeks of a busy office's, in well under
a second); ``db check`` checks them all."""


def run_checks(
    *,
    db: str | os.PathLike[str] | None = None,
    config: str | None = None,
    clock: Clock | None = None,
) -> list[Check]:
    path = resolve_db_path(db)
    clock = clock or clock_of(path)  # a demo's own clock on a demo database
    results: list[Check] = []
    # Asked before this process opens it (closing a file drops a process's own POSIX locks).
    others_open = path.exists() and m.shm_holder(path) is not None
    config_path = resolve_config_path(config)
    store = _database(path, config_path, results)
    # A database made by an older release: what its schema cannot answer is not asked of it.
    current = store if store is not None and not pending_names(store.conn) else None
    try:
        settings = _configuration(store, config_path, results, present=path.exists())
        if store is not None:
            results.append(guard("integrity", lambda: _integrity(path)))
            results.append(guard("file modes", lambda: _modes(path)))
        disk = guard("disk space", lambda: _disk(path))
        results.append(disk)
        if store is not None:
            chosen = settings.backup.folder if settings else os.environ.get(FOLDER_ENV)
            days = settings.backup.keep_days if settings else None  # backups' age limit
            results.append(guard("backups", lambda: backups(path, chosen or None, days)))
        if settings is not None and settings.access.training():
            results.append(guard("access", lambda: _training(store)))
        if settings is not None:
            recorded = device_states(current.conn) if current is not None else {}
            results.extend(printers(settings, recorded, clock.now()))
            results.append(guard("board", lambda: board(settings)))
            tried = [
                guard("email", lambda: smtp(settings)),
                guard("notify", lambda: notify(settings)),
            ]
            results.extend(_as_worker_found(tried, current, settings, clock.now()))
            results.append(guard("booking channels", lambda: _booking_channels(settings)))
            welsh = guard("Welsh", lambda: _welsh(settings))
            if welsh.status != "ok":  # said only when a bilingual office lacks some
                results.append(welsh)
        results.append(guard("clock", lambda: _clock(store, settings, clock)))
        if store is not None and current is None:
            results.append(guard("worker", lambda: worker_before_upgrade(path)))
        if current is not None:  # (no database: no worker to ask of; its line says why)
            live = current
            take_over = settings.worker.take_over if settings is not None else True
            alone = not others_open
            short = disk.status == "fail"  # a worker cannot write there: the disk says why
            results.append(
                guard(
                    "worker",
                    lambda: worker(path, live, take_over=take_over, alone=alone, disk_full=short),
                )
            )
            results.append(guard("print jobs", lambda: print_jobs(live, clock)))
            if settings is not None:
                known = settings
                results.append(guard("messages", lambda: _messages(live, known, clock)))
                moved = guard("bookings", lambda: _bookings_to_move(live, known, clock))
                if moved.status != "ok":  # said only when some are stranded
                    results.append(moved)
                old = guard(OLD_TEXT, lambda: old_free_text(live, known))
                if old.status != "ok":  # said only when an older release left some
                    results.append(old)
                unsent = guard(SUMMARIES, lambda: older_unsent(live, known, clock))
                if unsent.status != "ok":  # said only when summaries older than a week are
                    results.append(unsent)
            noted = guard(NOTED, lambda: noted_sends(path, live) or ok(NOTED, ""))
            if noted.detail:  # said only when some are noted beside the database
                results.append(noted)
    finally:
        if store is not None:
            store.close()
    return results


def _as_worker_found(
    checks: list[Check], store: Store | None, settings: Settings, now: datetime
) -> list[Check]:
    """The email and Notify checks (tried now, from here) with a note of what the worker last
    found when it sent through them ("not tried yet (unknown)" before its first try), graded no
    better than that (:attr:`~oss_desk.domain.send_faults.SenderWords.level`): reachable from
    here but refused the worker's key is a failure, a fault it tries again after a warning."""
    from dataclasses import replace

    from oss_desk.services.doctor_devices import smtp_found_of_another
    from oss_desk.services.sender_states import senders_said

    if store is None:
        return checks
    tz = next((s.timezone for s in settings.sites), "Europe/London")
    found = dict(senders_said(store.conn, tz, now, every=True))
    noted = []
    for check, label in zip(checks, ("Email", "Notify"), strict=True):
        words = found.get(label)
        if words is None or check.detail in ("no mail server configured", "not configured"):
            noted.append(check)
            continue
        url = settings.email.smtp_url
        another = url and label == "Email" and smtp_found_of_another(store.conn, url, tz, now)
        if another:  # the worker's finding is of another server: nothing of this one's
            noted.append(replace(check, detail=f"{check.detail}; {another}"))
            continue
        detail = f"{check.detail}; the worker last found: {words.text}"
        worse = max(check.status, words.level, key=_SEVERITY.index)  # its fault is the worker's
        noted.append(replace(check, status=worse, detail=detail))
    return noted


_SEVERITY = ("ok", "warn", "fail")


# The database ---------------------------------------------------------------------------------


def _database(path: Path, config: Path | None, results: list[Check]) -> Store | None:
    name = "database"
    if not path.exists():
        results.append(fail(name, missing_database(path, config)))
        return None
    fstype = filesystem_type(path.parent)
    if fstype in NETWORK_FILESYSTEMS:
        results.append(fail(name, f"{path} is on a network filesystem ({fstype})"))
        return None
    try:
        store = open_store(path, create=False, migrate=False, check=False)
    except DatabaseOverwritten as exc:  # a backup's copy put over it: what the worker does
        results.append(fail(name, f"{exc.message}; {WAITS_FOR_RESTORE}"))
        return None
    except OssDeskError as exc:
        results.append(fail(name, exc.message))
        return None
    try:
        applied = m.applied_migrations(store.conn)
    except Exception as exc:
        results.append(fail(name, f"{path}: cannot read the schema ({exc})"))
        return store
    known = m.known_migrations()
    pending = [x for x in known if x not in applied]
    newer = [x for x in applied if x not in known]
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if newer:
        results.append(fail(name, f"{path} was made by a newer oss-desk ({', '.join(newer)})"))
    elif pending:
        results.append(fail(name, f"{path}: {upgrade_needed(store.conn, pending)}"))
    elif not writable:
        results.append(fail(name, f"{path} is read-only: check its permissions"))
    else:
        results.append(ok(name, f"{path} (schema {applied[-1]}, {fstype or 'local'} disk)"))
    return store


def _integrity(path: Path) -> Check:
    """The quick check, the foreign keys, the event log's triggers, and its hash chain over the
    newest :data:`RECENT_EVENTS` (``db check`` verifies all of it; the line says which)."""
    found = m.inspect(path, quick=True, counts=False, chain=False)
    problems = [p for p in found.problems if not p.startswith("schema:")]
    recent = m.recent_chain(path, RECENT_EVENTS) if not problems else None
    if recent is not None and not recent.ok:
        problems.append(f"{recent.problem} (`db check` checks the whole log)")
    if problems:
        # The WAL deleted under running desks and the worker: they still hold its changes, and
        # closing them normally writes those back; a backup put in its place would lose them.
        lost = wal_lost_said(path)
        first = lost if lost in problems else problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        advice = "" if first == lost or found.full else ": restore from a backup"
        return fail("integrity", f"{first}{more}{advice}")
    chain = "chain: not checked here (`db check` does)"
    if recent is not None and recent.head_id - recent.events == 0:
        chain = f"chain holds ({recent.events} events)"
    elif recent is not None:
        chain = f"chain holds over the newest {recent.events} events (`db check` checks all)"
    figures = "report figures: not checked here (`db check` does)"  # the whole log, again
    return ok(
        "integrity",
        f"quick check ok, foreign keys ok, event log append-only; {figures}; {chain}",
    )


def _modes(path: Path) -> Check:
    """A file readable by every user fails; anything else wider than private (a folder other
    accounts can open, a file the group can read) is a warning; each said with its ``chmod``."""
    from oss_desk.storage.file_modes import loose, remedy

    found = loose(path)
    if not found:
        return ok("file modes", f"{path.name} {stat.S_IMODE(path.stat().st_mode):04o}")
    opened = [x.said(path) for x in found if not x.folder and x.mode & 0o004]
    parts = [f"readable by every user: {', '.join(opened)}"] if opened else []
    files = [x.said(path) for x in found if not x.folder and not x.mode & 0o004]
    parts += [f"readable by the group: {', '.join(files)}"] if files else []
    folders = [x.said(path) for x in found if x.folder]
    parts += [f"folders other accounts can open: {', '.join(folders)}"] if folders else []
    detail = f"{'; '.join(parts)} (to fix: {remedy(found)})"
    return fail("file modes", detail) if opened else warn("file modes", detail)


def _disk(path: Path) -> Check:
    folder = path.parent if path.parent.exists() else Path.cwd()
    free = free_bytes(folder)
    size = path.stat().st_size if path.exists() else 0
    need = max(MIN_FREE_BYTES, 3 * size)
    text = f"{size_said(free)} free on {folder}"
    if free < need:
        return fail("disk space", f"only {text}: a backup and the WAL need {need >> 20} MiB")
    if free < LOW_FREE_BYTES:
        return warn("disk space", f"{text} (low)")
    return ok("disk space", text)


# Configuration --------------------------------------------------------------------------------


def _configuration(
    store: Store | None, config: Path | None, results: list[Check], *, present: bool = False
) -> Settings | None:
    """Validates the configuration; when it is invalid, the devices are still checked with the
    stored configuration (without the environment's overrides) when that one is valid.
    ``present``: the database file is there (not checked then: it cannot be read)."""
    name = "configuration"
    document: dict[str, Any] | None = None
    source = ""
    try:
        if config is not None:
            source = str(config)
            document = read_toml(config)
        elif store is not None:
            stored = latest_config(store.conn)
            if stored is None:
                results.append(fail(name, "no configuration stored: run `oss-desk init`"))
                return None
            document, source = stored.document, "the stored configuration"
        else:
            why = "the database cannot be read (its line says why)" if present else "no database"
            results.append(warn(name, f"not checked: {why} and no --config"))
            return None
        settings = build_settings(document, source)
    except OssDeskError as exc:
        results.append(fail(name, exc.message))
        return _without_environment(document, store)
    except Exception as exc:
        results.append(fail(name, f"cannot read it ({' '.join(str(exc).split())[:160]})"))
        return None
    results.append(
        ok(name, f"{source}: {len(settings.sites)} site(s), {len(settings.desks)} desks")
    )
    return settings


def _training(store: Store | None) -> Check:
    """An office where anyone may act as anyone: right for the demo, a warning elsewhere (a
    training setting copied into a real office's file)."""
    from oss_desk.domain.site_change import TRAINING_SETTING
    from oss_desk.services.site import DEMO_SOURCE

    stored = latest_config(store.conn) if store is not None else None
    if stored is not None and stored.source == DEMO_SOURCE:
        return ok("access", "the demo: anyone may act as anyone (a training office)")
    return warn("access", TRAINING_SETTING)


def _bookings_to_move(store: Store, settings: Settings, clock: Clock) -> Check:
    """Bookings from today on with someone who left the staff list or no longer takes them,
    or where the office is now closed (a configuration loaded over them, or a restore)."""
    from oss_desk.services.site_change import bookings_to_move, office_today
    from oss_desk.storage.site import read_directory

    today = office_today(clock.now(), read_directory(store.conn))
    found = bookings_to_move(store.conn, settings, today)
    if not found.count:
        return ok("bookings", "none to move")
    refs = found.refs
    named = ", ".join(refs[:SHOWN]) + (
        f" and {len(refs) - SHOWN} more" if len(refs) > SHOWN else ""
    )
    return warn(
        "bookings",
        f"{found.count} from today on to move (with someone who left the staff list or no "
        f"longer takes them, or where the office is now closed): {named}; "
        "`oss-desk appointment show REF` says when and with whom, then move or cancel it",
    )


SHOWN = 10
"""The bookings to move that doctor names (the rest counted)."""


def _without_environment(document: dict[str, Any] | None, store: Store | None) -> Settings | None:
    candidates = [document]
    if store is not None:
        with contextlib.suppress(Exception):
            stored = latest_config(store.conn)
            if stored is not None:
                candidates.append(stored.document)
    for doc in candidates:
        if doc is None:
            continue
        with contextlib.suppress(Exception):
            return Settings(**doc)  # the plain model reads no environment
    return None


# Clock and worker -----------------------------------------------------------------------------


def _clock(store: Store | None, settings: Settings | None, clock: Clock) -> Check:
    now = clock.now()
    zones = {s.timezone for s in settings.sites} if settings else {"Europe/London"}
    for name in sorted(zones):
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return fail("clock", f"no timezone data for {name} (install tzdata)")
    simulated = " (simulated: OSS_DESK_NOW)" if os.environ.get(NOW_ENV) else ""
    if now.year < 2024:
        return fail("clock", f"the system time {now:%Y-%m-%d %H:%M}Z is not plausible{simulated}")
    newest = newest_event_at(store.conn) if store is not None else None
    if newest:
        last = read_instant(newest)
        if last > now + CLOCK_SLACK:
            return fail(
                "clock",
                f"the time {now:%Y-%m-%d %H:%M}Z is behind the database's newest event "
                f"({last:%Y-%m-%d %H:%M}Z): check NTP, or whether a command ran with "
                f"{NOW_ENV} set on this office (its events are dated at that time){simulated}",
            )
        if isinstance(clock, SystemClock) and held_now(now, last) > now:  # as sessions hold it
            ahead = math.ceil((last - now).total_seconds() / 60)
            return warn(
                "clock",
                f"the office's time is held at {last:%H:%M}Z (its newest event), {ahead} min "
                "ahead of this computer's clock: check the clock (NTP); every change is dated "
                "then until the clock catches up",
            )
    return ok(
        "clock", f"{now:%Y-%m-%d %H:%M}Z{simulated}; timezone data for {', '.join(sorted(zones))}"
    )


def _messages(store: Store, settings: Settings, clock: Clock) -> Check:
    """Messages late or failed for good (either fails the check), and report emails failed for
    good, until someone acknowledges them (or a report is sent again)."""
    from oss_desk.domain.appointments import untold_count_said
    from oss_desk.storage.appointments import reachable, untold

    appointments = alerts_in(store.conn, settings.messages, clock.now())
    referrals = referral_alerts_in(store.conn, clock.now())
    reports = report_mail_alerts_in(store.conn, clock.now())  # the team leader's own emails
    alerts: list[LeaderAlert] = [*appointments, *referrals, *reports]
    owed = untold(store.conn)  # council changes owed by hand: as pressing as a failed message
    held = reachable(store.conn, [a.id for a in owed])
    unreachable = [a.ref for a in owed if a.id not in held]
    told = [untold_count_said([a.ref for a in owed], unreachable)] if owed else []
    if not alerts:
        return fail("messages", told[0]) if told else ok("messages", "none late or failed")
    sites = {s.id: s.timezone for s in settings.sites}
    placed = next((a.site_id for a in alerts if not isinstance(a, ReportMailAlert)), None)
    today = business_day(clock.now(), sites.get(placed or "", "Europe/London"))
    lines = []
    for day in sorted({a.business_day for a in appointments}):
        lines += not_sent_lines(appointments, day, today)
    lines += not_sent_lines([*referrals, *reports], "", today)
    if len(lines) > 3:
        lines = [*lines[:3], f"and {len(alerts) - sum(int(x.split()[0]) for x in lines[:3])} more"]
    detail = "; ".join(lines) + " (see `oss-desk alerts list`; `oss-desk alerts ack` when seen to)"
    detail = "; ".join([*told, detail])
    # Late or failed alike: a message for today not sent is for a team leader to act on today
    # (phone the resident), until someone acknowledges it. One that may have been sent warns.
    sure = told or any(a.alert is not AlertKind.UNCERTAIN for a in alerts)
    return (fail if sure else warn)("messages", detail)


def _welsh(settings: Settings) -> Check:
    """Each name residents of a bilingual office read has its Welsh form (init's warnings)."""
    from oss_desk.services.welsh_gaps import welsh_gaps

    gaps = welsh_gaps(settings)
    return warn("Welsh", "; ".join(gaps)) if gaps else ok("Welsh", "")


def _booking_channels(settings: Settings) -> Check:
    """Each desk can confirm a booking made there by some channel (``domain.channels``), and
    what is sent says how to reach the council (``appointments.change_line``)."""
    from oss_desk.domain.channels import desks_without_a_channel
    from oss_desk.services.channels import booking_channels
    from oss_desk.services.site import change_line_unset_in

    if not any(service.appointment_minutes for service in settings.services):
        return ok("booking channels", "no service takes appointments")
    stuck = [
        desk.display_name
        for desk in settings.desks
        if not booking_channels(settings, printer=bool(desk.printer)).working
    ]
    said = [desks_without_a_channel(stuck)] if stuck else []
    said += change_line_unset_in(settings)
    if said:
        return warn("booking channels", "; ".join(said))
    return ok("booking channels", "every desk can confirm a booking")
