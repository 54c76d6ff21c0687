"""``doctor``'s checks of the devices and services an office talks to: each printer, the board,
the mail server and Notify, tried with short timeouts; nothing printed, shown or sent. A printer
of a site closed now (outside its opening hours, on a day it does not open) that does not
answer is a warning: printers are switched off at night and on closed days."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import smtplib
import socket
import sqlite3
import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from oss_desk.clock import read_instant
from oss_desk.config import ENV_PREFIX, Settings
from oss_desk.domain.calendar import local, time_said
from oss_desk.domain.delivery import BOARD_UNANSWERED
from oss_desk.domain.device_faults import PRINTER_SILENT, device_words, said_with
from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.domain.mail_server import parse_mail_url
from oss_desk.domain.send_faults import certificate_fault, connection_fault
from oss_desk.domain.workdays import WorkingDays, closed_at
from oss_desk.files import append_problem
from oss_desk.hardware.boards import BoardFault, BoardLink
from oss_desk.hardware.printer_link import AskingTransport, PrinterFault
from oss_desk.hardware.printers import PrinterStatus, open_transport
from oss_desk.services.doctor_checks import Check, fail, guard, ok, warn, writable
from oss_desk.storage.devices import DeviceState
from oss_desk.storage.sender_config import held_since, last_found

TIMEOUT = 2.0
CAPTURE = "capture file writable"
SILENT = f"each job to it fails ({PRINTER_SILENT})"


def printers(settings: Settings, recorded: dict[str, DeviceState], now: datetime) -> list[Check]:
    users: dict[str, list[str]] = {}
    for desk in settings.desks:
        for url in (desk.printer, desk.fallback_printer):
            if url:
                users.setdefault(url, []).append(desk.id)
    if not users:
        return [ok("printers", "none configured")]
    checks = []
    for url in sorted(users):
        found = guard(f"printer {url}", _printer_check(url, users[url], recorded.get(url)))
        # Switched off at night and on closed days: a printer, not a capture file's mistake.
        closed = (
            None
            if found.status != "fail" or url.startswith("capture:")
            else _closed_now(settings, users[url], now)
        )
        failed = found.status == "fail" and not url.startswith("capture:")
        if closed is not None:
            found = warn(found.name, f"{found.detail} (site closed now: {closed})")
        if failed:  # its next step, as the other lines give theirs
            found = dataclasses.replace(found, detail=f"{found.detail}; {try_it(users[url][0])}")
        checks.append(found)
    return checks


def try_it(desk: str) -> str:
    """What to do next about a printer doctor found failing."""
    return f"then try it: `oss-desk printer test {desk}` (prints a test page)"


def _closed_now(settings: Settings, desks: list[str], now: datetime) -> str | None:
    """Why every site of these desks is closed at ``now`` (the one opening rule:
    :func:`oss_desk.domain.site_change.closed_at`), or None when one of them is open."""
    places = {d.id: d for d in settings.desks}
    sites = {s.id: s for s in settings.sites}
    said: list[str] = []
    for site_id in sorted({settings.site_of(places[d]) for d in desks}):
        site = sites[site_id]
        days = WorkingDays.for_office(site.nation, site.closures, site.opening_hours)
        there = local(now, site.timezone)
        why = closed_at(days, site.opening_hours, there, there)
        if why is None:
            return None
        said.append(f"{site.name}, {there:%a %H:%M}, {why}")
    return "; ".join(said)


def _printer_check(url: str, desks: list[str], last: DeviceState | None) -> Callable[[], Check]:
    return lambda: _printer(url, desks, last)


def _printer(url: str, desks: list[str], last: DeviceState | None) -> Check:
    parsed = parse_printer_url(url)
    name = f"printer {parsed.label} ({', '.join(desks)})"
    if parsed.scheme == "capture":
        # A folder or no permission is seen now; a full disk only by the last write.
        found = writable(name, Path(parsed.path), append_problem(Path(parsed.path)), CAPTURE)
        if found.status == "ok" and last is not None and last.status != "ok":
            return fail(name, f"the worker recorded: {device_words(last.status, last.detail)}")
        return found
    if parsed.scheme == "file" and not Path(parsed.path).exists():
        return fail(name, f"{parsed.path} does not exist (is the printer plugged in?)")
    short = dataclasses.replace(
        parsed, params={**parsed.params, "timeout": str(min(parsed.timeout, TIMEOUT))}
    )
    transport = open_transport(short)
    if isinstance(transport, AskingTransport):
        try:  # a connection not made: its reason, as the worker records it with a job
            transport.open().close()
        except PrinterFault as fault:
            return fail(name, said_with(fault.status.value, fault.reason))
    status = transport.status()
    if status in (PrinterStatus.OK,):
        return ok(name, "ready")
    if status is PrinterStatus.NEAR_END:
        return warn(name, "paper near end")
    if status is PrinterStatus.UNKNOWN:
        if parsed.asks_status:  # every job to it fails so (a warning while its site is closed)
            return fail(name, f"connected, but it does not answer status requests: {SILENT}")
        return ok(name, "present (it cannot report its status)")
    return fail(name, status.value)


def board(settings: Settings) -> Check:
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
        return writable(name, Path(parsed.target), None, CAPTURE)
    return ok(name, f"port opens ({BOARD_UNANSWERED}: whether it shows the calls is not known)")


def smtp(settings: Settings) -> Check:
    url_text = settings.email.smtp_url
    if not url_text:
        return ok("email", "no mail server configured")
    server = parse_mail_url(url_text)
    if server.captured:
        where = Path(server.path)
        return writable("email capture", where, append_problem(where))
    implicit_tls, starttls, host, port = (
        server.implicit_tls,
        server.starttls,
        server.host,
        server.port,
    )
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
        return fail(name, f"{step} failed ({certificate_fault(exc, host) or _why(exc)})")
    return ok(
        name,
        "answers EHLO"
        + (" and STARTTLS" if starttls else "")
        + (" over TLS" if implicit_tls else ""),
    )


def smtp_found_of_another(conn: sqlite3.Connection, url: str, tz: str, now: datetime) -> str | None:
    """Why what the worker last found of the mail server is not of ``url``, the one configured
    now (the worker records one finding, whichever server it used); None: it is, or the
    worker has found nothing yet (said as "not tried yet")."""
    found = last_found(conn, "smtp")
    if found is None or _email_in_environment():
        return None  # (a variable names it to every process: the worker's finding is of it)
    stored, since = held_since(conn, "$.email.smtp_url", url)
    if not stored:
        return (
            "the worker follows the stored configuration, which names another mail server: it "
            "has not tried this one (store it with `oss-desk init --config FILE`)"
        )
    latest = max(read_instant(at) for at in found if at is not None)
    if since is None or latest >= read_instant(since):
        return None
    began, today = read_instant(since), local(now, tz).date()
    when = time_said(began, tz, today, dated=local(began, tz).date() != today)
    return (
        f"what the worker last found of the mail server dates from before this one was "
        f"configured ({when}): not known of this one until the worker sends through it"
    )


def _email_in_environment() -> bool:
    """Whether an ``OSS_DESK_EMAIL...`` variable sets the mail server (as every process of
    the host is given it), not the stored configuration."""
    names = {f"{ENV_PREFIX}EMAIL", f"{ENV_PREFIX}EMAIL__SMTP_URL"}
    return any(key.upper() in names for key in os.environ)


def notify(settings: Settings) -> Check:
    n = settings.notify
    base = n.base_url
    if base.startswith("capture://"):
        where = Path(base[len("capture://") :])
        return writable("notify capture", where, append_problem(where))
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
    said = connection_fault(exc)  # the words a failed send is recorded with
    if said:
        return said
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:120]


__all__ = ["TIMEOUT", "board", "notify", "printers", "smtp", "smtp_found_of_another"]
