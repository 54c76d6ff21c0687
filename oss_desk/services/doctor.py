"""``oss-desk doctor``: is everything an office needs working? One line per part.

Each check answers ok, warn or fail with a short detail, never raises, and waits at most a
couple of seconds (printers, boards, the mail server and Notify are tried with short timeouts).
Nothing is printed, shown on the board or sent: printers are asked their status, the board's
port is opened, the mail server gets EHLO (and STARTTLS) and Notify a TCP/TLS connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import smtplib
import socket
import ssl
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oss_desk.clock import NOW_ENV, Clock, read_instant
from oss_desk.config import Settings, build_settings, read_toml
from oss_desk.domain.calendar import business_day
from oss_desk.domain.delivery import BOARD_UNANSWERED, WorkerState
from oss_desk.domain.device_faults import device_words, said_with
from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.domain.worker_faults import BLIP_SAID, keeps_failing
from oss_desk.errors import OssDeskError
from oss_desk.files import append_problem
from oss_desk.hardware.boards import BoardFault, BoardLink
from oss_desk.hardware.printers import PrinterStatus, open_transport
from oss_desk.services.delivery import (
    ATTENTION_HOURS,
    alerts_in,
    not_sent_lines,
    printer_label,
    recent_jobs_needing_answer,
    recent_jobs_retrying,
    worker_state,
)
from oss_desk.services.demo_clock import clock_of
from oss_desk.services.session import resolve_config_path, resolve_db_path
from oss_desk.storage import maintenance as m
from oss_desk.storage.database import (
    NETWORK_FILESYSTEMS,
    Store,
    filesystem_type,
    open_store,
    upgrade_needed,
)
from oss_desk.storage.devices import DeviceState, device_states
from oss_desk.storage.lease import WorkerLock, lock_held, read_heartbeat
from oss_desk.storage.migrations import pending_names
from oss_desk.storage.site import latest_config

TIMEOUT = 2.0
MIN_FREE_BYTES = 50 << 20
LOW_FREE_BYTES = 1 << 30
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail}


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str) -> Check:
    return Check(name, "warn", detail)


def fail(name: str, detail: str) -> Check:
    return Check(name, "fail", detail)


def run_checks(
    *,
    db: str | os.PathLike[str] | None = None,
    config: str | None = None,
    clock: Clock | None = None,
) -> list[Check]:
    path = resolve_db_path(db)
    clock = clock or clock_of(path)  # a demo's own clock on a demo database
    results: list[Check] = []
    store = _database(path, results)
    # A database made by an older release: what its schema cannot answer is not asked of it.
    current = store if store is not None and not pending_names(store.conn) else None
    try:
        settings = _configuration(store, resolve_config_path(config), results)
        if store is not None:
            results.append(_guard("integrity", lambda: _integrity(path)))
            results.append(_guard("file modes", lambda: _modes(path)))
        results.append(_guard("disk space", lambda: _disk(path)))
        if settings is not None and settings.access.training():
            results.append(_guard("access", lambda: _training(store)))
        if settings is not None:
            recorded = device_states(current.conn) if current is not None else {}
            results.extend(_printers(settings, recorded))
            results.append(_guard("board", lambda: _board(settings)))
            results.append(_guard("email", lambda: _smtp(settings)))
            results.append(_guard("notify", lambda: _notify(settings)))
            results.append(_guard("booking channels", lambda: _booking_channels(settings)))
        results.append(_guard("clock", lambda: _clock(store, settings, clock)))
        if store is not None and current is None:
            results.append(_guard("worker", lambda: _worker_before_upgrade(path)))
        else:
            results.append(_guard("worker", lambda: _worker(path, current, clock)))
        if current is not None:
            live = current
            results.append(_guard("print jobs", lambda: _print_jobs(live, clock)))
            if settings is not None:
                known = settings
                results.append(_guard("messages", lambda: _messages(live, known, clock)))
                moved = _guard("bookings", lambda: _bookings_to_move(live, known, clock))
                if moved.status != "ok":  # said only when some are stranded
                    results.append(moved)
    finally:
        if store is not None:
            store.close()
    return results


def _guard(name: str, check: Callable[[], Check]) -> Check:
    """A check that breaks is a failed check, never a crash of the doctor."""
    try:
        return check()
    except OssDeskError as exc:
        return fail(name, exc.message)
    except Exception as exc:
        return fail(name, f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}")


# The database ---------------------------------------------------------------------------------


def _database(path: Path, results: list[Check]) -> Store | None:
    name = "database"
    if not path.exists():
        results.append(fail(name, f"no database at {path} (run `oss-desk init`)"))
        return None
    fstype = filesystem_type(path.parent)
    if fstype in NETWORK_FILESYSTEMS:
        results.append(fail(name, f"{path} is on a network filesystem ({fstype})"))
        return None
    try:
        store = open_store(path, create=False, migrate=False, check=False)
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
    found = m.inspect(path, quick=True, counts=False, chain=False)  # db check verifies the chain
    problems = [p for p in found.problems if not p.startswith("schema:")]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return fail("integrity", f"{problems[0]}{more}: restore from a backup")
    return ok("integrity", "quick check ok, foreign keys ok, event log append-only")


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
    free = shutil.disk_usage(folder).free
    size = path.stat().st_size if path.exists() else 0
    need = max(MIN_FREE_BYTES, 3 * size)
    text = f"{free / (1 << 30):.1f} GiB free on {folder}"
    if free < need:
        return fail("disk space", f"only {text}: a backup and the WAL need {need >> 20} MiB")
    if free < LOW_FREE_BYTES:
        return warn("disk space", f"{text} (low)")
    return ok("disk space", text)


# Configuration --------------------------------------------------------------------------------


def _configuration(
    store: Store | None, config: Path | None, results: list[Check]
) -> Settings | None:
    """Validates the configuration; when it is invalid, the devices are still checked with the
    stored configuration (without the environment's overrides) when that one is valid."""
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
            results.append(warn(name, "not checked (no database and no --config)"))
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
    return warn(
        "bookings",
        f"{found.count} from today on to move (with someone who left the staff list or no "
        "longer takes them, or where the office is now closed): `oss-desk init --config FILE` "
        "lists them",
    )


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


# Devices --------------------------------------------------------------------------------------


def _printers(settings: Settings, recorded: dict[str, DeviceState]) -> list[Check]:
    users: dict[str, list[str]] = {}
    for desk in settings.desks:
        for url in (desk.printer, desk.fallback_printer):
            if url:
                users.setdefault(url, []).append(desk.id)
    if not users:
        return [ok("printers", "none configured")]
    checks = []
    for url in sorted(users):
        checks.append(_guard(f"printer {url}", _printer_check(url, users[url], recorded.get(url))))
    return checks


def _printer_check(url: str, desks: list[str], last: DeviceState | None) -> Callable[[], Check]:
    return lambda: _printer(url, desks, last)


def _printer(url: str, desks: list[str], last: DeviceState | None) -> Check:
    parsed = parse_printer_url(url)
    name = f"printer {parsed.label} ({', '.join(desks)})"
    if parsed.scheme == "capture":
        # A folder or no permission is seen now; a full disk only by the last write.
        problem = append_problem(Path(parsed.path))
        if problem:
            return fail(name, problem)
        if last is not None and last.status != "ok":
            return fail(name, f"the worker recorded: {device_words(last.status, last.detail)}")
        return ok(name, "capture file writable")
    if parsed.scheme == "file" and not Path(parsed.path).exists():
        return fail(name, f"{parsed.path} does not exist (is the printer plugged in?)")
    short = dataclasses.replace(
        parsed, params={**parsed.params, "timeout": str(min(parsed.timeout, TIMEOUT))}
    )
    status = open_transport(short).status()
    if status in (PrinterStatus.OK,):
        return ok(name, "ready")
    if status is PrinterStatus.NEAR_END:
        return warn(name, "paper near end")
    if status is PrinterStatus.UNKNOWN:
        if parsed.asks_status:
            return warn(name, "connected, but it does not answer status requests")
        return ok(name, "present (it cannot report its status)")
    return fail(name, status.value)


def _board(settings: Settings) -> Check:
    url = settings.board.url
    if not url:
        return ok("board", "none configured")
    parsed = parse_board_url(url)
    name = f"board {parsed.target}"
    link = BoardLink(parsed, timeout=TIMEOUT)
    try:
        link.probe()
    except BoardFault as fault:
        return fail(name, str(fault))
    finally:
        link.close()
    if parsed.transport == "capture":
        return ok(name, "capture file writable")
    return ok(name, f"port opens ({BOARD_UNANSWERED}: whether it shows the calls is not known)")


def _smtp(settings: Settings) -> Check:
    url_text = settings.email.smtp_url
    if not url_text:
        return ok("email", "no mail server configured")
    url = urlsplit(url_text)
    if url.scheme == "capture":
        problem = append_problem(Path(url.netloc + url.path))
        return fail("email capture", problem) if problem else ok("email capture", "writable")
    implicit_tls = url.scheme == "smtps"
    starttls = not implicit_tls and dict(parse_qsl(url.query)).get("starttls", "on") != "off"
    host = url.hostname or "localhost"
    port = url.port or (465 if implicit_tls else 587)
    name = f"email smtp {host}:{port}"
    timeout = min(settings.email.timeout, TIMEOUT)
    step = "connect"
    try:
        client: smtplib.SMTP
        if implicit_tls:
            client = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            step = "EHLO"
            code, _ = client.ehlo()
            if code != 250:
                return fail(name, f"EHLO answered {code}")
            if starttls:
                step = "STARTTLS"
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
    except (smtplib.SMTPException, OSError) as exc:
        return fail(name, f"{step} failed ({_why(exc)})")
    return ok(
        name,
        "answers EHLO"
        + (" and STARTTLS" if starttls else "")
        + (" over TLS" if implicit_tls else ""),
    )


def _notify(settings: Settings) -> Check:
    n = settings.notify
    base = n.base_url
    if base.startswith("capture://"):
        problem = append_problem(Path(base[len("capture://") :]))
        return fail("notify capture", problem) if problem else ok("notify capture", "writable")
    default = type(n)().base_url
    if not n.api_key_file and base == default and not (n.email_template or n.sms_template):
        return ok("notify", "not configured")
    url = urlsplit(base)
    tls = url.scheme == "https"
    host = url.hostname or ""
    port = url.port or (443 if tls else 80)
    name = f"notify {host}:{port}"
    if n.api_key_file and not os.access(n.api_key_file, os.R_OK):
        return fail(name, f"cannot read the API key file {n.api_key_file}")
    step = "DNS"
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        step = "connect"
        with socket.create_connection((host, port), timeout=min(n.timeout, TIMEOUT)) as sock:
            if tls:
                step = "TLS"
                context = ssl.create_default_context()
                with context.wrap_socket(sock, server_hostname=host):
                    pass
    except (OSError, ssl.SSLError) as exc:
        return fail(name, f"{step} failed ({_why(exc)})")
    return ok(name, "reachable" + (" (TLS ok)" if tls else ""))


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "name not found"
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:120]


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
    newest = m.newest_event_at(store.conn) if store is not None else None
    if newest:
        last = read_instant(newest)
        if last > now + CLOCK_SLACK:
            return fail(
                "clock",
                f"the time {now:%Y-%m-%d %H:%M}Z is behind the database's newest event "
                f"({last:%Y-%m-%d %H:%M}Z): check NTP{simulated}",
            )
    return ok(
        "clock", f"{now:%Y-%m-%d %H:%M}Z{simulated}; timezone data for {', '.join(sorted(zones))}"
    )


def _worker_before_upgrade(path: Path) -> Check:
    """A database not upgraded yet: a worker on it is the older release's, to stop first."""
    if lock_held(path):
        holder = WorkerLock.holder(path)
        return fail(
            "worker",
            f"{f'process {holder}' if holder else 'a process'} holds the worker lock (the older "
            "release's worker, or a desk): stop it before `oss-desk init`",
        )
    return ok("worker", "none running (nothing stops `oss-desk init` upgrading it)")


def _worker(path: Path, store: Store | None, clock: Clock) -> Check:
    """Running means both: a process holds the device lease on this host, and it has written
    its heartbeat into this very database lately (a worker left running across a `db restore
    --force` holds the lease but works on the replaced file). The rule is the desks' rule
    (``oss_desk.domain.delivery``): they agree."""
    beat = read_heartbeat(store.conn) if store is not None else None
    state = worker_state(store) if store is not None else WorkerState(lock_held(path), None)
    seen = read_instant(beat.seen_at) if beat is not None else None
    if state.alive and beat is not None and beat.owner is None:
        return fail(
            "worker",
            f"process {beat.pid} on {beat.host} is a worker of an older oss-desk release (it "
            "records no owner): it cannot work on this database; stop it and start this "
            "release's worker",
        )
    if state.alive and beat is not None and beat.failing and keeps_failing(beat.lane_faults):
        return fail(
            "worker",
            f"process {beat.pid} on {beat.host} is running but failing: {beat.failing} (its log "
            "says more: journalctl -u oss-desk-worker)",
        )
    if state.alive and beat is not None:
        who = f"{beat.role or 'process'}, process {beat.pid} on {beat.host}"
        running = f"running ({who}, heartbeat {state.seen_seconds:.0f} s ago)"
        if beat.failing:  # a blip, not a lane that keeps failing
            return warn("worker", f"{running}, with {beat.failing}; {BLIP_SAID}")
        return ok("worker", running)
    if state.held:
        holder = WorkerLock.holder(path)
        who = f"process {holder}" if holder else "a process"
        return warn(
            "worker",
            f"{who} holds the worker lock but has not worked on this database lately"
            + (f" (last {seen:%Y-%m-%d %H:%M:%S}Z)" if seen else "")
            + ": restart it (systemctl restart oss-desk-worker)",
        )
    return warn(
        "worker",
        "not running"
        + (f" (last seen {seen:%Y-%m-%d %H:%M}Z)" if seen else "")
        + ": start `oss-desk worker` (a desk app runs one itself)",
    )


def _print_jobs(store: Store, clock: Clock) -> Check:
    """Print jobs that failed or may not have printed, not yet answered at their desk."""
    jobs = recent_jobs_needing_answer(store.conn, clock.now())
    if not jobs:
        retrying, reason = recent_jobs_retrying(store.conn, clock.now())
        none = f"none failed or unconfirmed in the last {ATTENTION_HOURS} hours"
        if retrying:
            return warn(
                "print jobs", f"{said_with(f'{retrying} waiting for another try', reason)}; {none}"
            )
        return ok("print jobs", none)
    latest = jobs[-1]
    what = f"ticket {latest.code}" if latest.code else latest.kind.replace("_", " ")
    where = f" at {latest.desk_id}" if latest.desk_id else ""
    state = "may not have printed" if latest.status == "uncertain" else "failed"
    more = f" ({len(jobs)} in all)" if len(jobs) > 1 else ""
    return warn(
        "print jobs",
        f"{what}{where} {state} on {printer_label(latest.printer_url)}: "
        f"{latest.reason or 'no reason recorded'}{more}",
    )


def _messages(store: Store, settings: Settings, clock: Clock) -> Check:
    """Messages late or failed for good (either fails the check), until someone acknowledges
    them."""
    alerts = alerts_in(store.conn, settings.messages, clock.now())
    if not alerts:
        return ok("messages", "none late or failed")
    sites = {s.id: s.timezone for s in settings.sites}
    today = business_day(clock.now(), sites.get(alerts[0].site_id, "Europe/London"))
    lines = []
    for day in sorted({a.business_day for a in alerts}):
        lines += not_sent_lines(alerts, day, today)
    if len(lines) > 3:
        lines = [*lines[:3], f"and {len(alerts) - sum(int(x.split()[0]) for x in lines[:3])} more"]
    detail = "; ".join(lines) + " (see `oss-desk alerts list`; `oss-desk alerts ack` when seen to)"
    # Late or failed alike: a message for today not sent is for a team leader to act on today
    # (phone the resident), until someone acknowledges it.
    return fail("messages", detail)


def _booking_channels(settings: Settings) -> Check:
    """Each desk can confirm a booking made there by some channel (``domain.channels``)."""
    from oss_desk.domain.channels import desks_without_a_channel
    from oss_desk.services.channels import booking_channels

    if not any(service.appointment_minutes for service in settings.services):
        return ok("booking channels", "no service takes appointments")
    stuck = [
        desk.display_name
        for desk in settings.desks
        if not booking_channels(settings, printer=bool(desk.printer)).working
    ]
    if stuck:
        return warn("booking channels", desks_without_a_channel(stuck))
    return ok("booking channels", "every desk can confirm a booking")
