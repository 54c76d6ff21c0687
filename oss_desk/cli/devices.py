"""``oss-desk worker``, ``printer test URL`` and ``board test URL``."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from oss_desk.cli.common import State, emit_json, json_command, json_option, pass_state
from oss_desk.clock import format_instant
from oss_desk.domain.appointments import BY_SLIP, how_to_tell
from oss_desk.domain.calendar import local
from oss_desk.domain.delivery import JOB_WORDS, PrintState, holder_said
from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.domain.printouts import SelfTestPrintout
from oss_desk.errors import (
    EXIT_INTERNAL,
    DatabaseGone,
    DatabaseOverwritten,
    DeviceError,
    OssDeskError,
    RuleViolation,
    WalDeleted,
)
from oss_desk.hardware.boards import BoardFault, BoardLink, BoardState, Call, lines_for
from oss_desk.hardware.boards import geometry_for as board_geometry
from oss_desk.hardware.printers import PrinterFault, PrinterStatus, open_transport
from oss_desk.hardware.templates import render
from oss_desk.paths import log_dir
from oss_desk.services.demo_clock import clock_of
from oss_desk.services.session import open_session, resolve_db_path, simulated_on_live

if TYPE_CHECKING:
    from oss_desk.services.alerts import ReportMailAlert


class StepsFailed(OssDeskError, title="Internal error", exit_code=EXIT_INTERNAL):
    """``worker --once``: a step failed unexpectedly (a bug); the others ran."""


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@json_option
@pass_state
def worker(state: State, once: bool, as_json: bool) -> None:
    """Own the printers, the display board and the outbox: print, show calls, send messages.

    Run it as a service (deploy/systemd/oss-desk-worker.service). One process owns the devices
    at a time: while a desk app owns them, this waits and takes over when it closes (--once
    refuses instead).
    """
    from oss_desk.storage.lease import WorkerLock, lock_held
    from oss_desk.worker.run import DeviceWorker
    from oss_desk.worker.standby import Standby, wait_for_the_office_file

    db = resolve_db_path(state.db)
    asked: list[str] = []
    if not once:  # a backup's copy put over the database: wait for it to be put right
        _log_to_stderr()
        stopping = threading.Event()
        _on_stop(asked, stopping)
        if not wait_for_the_office_file(db, stopping):
            logging.getLogger("oss_desk").info("device worker stopped (%s)", asked[0])
            return
    probe = open_session(db=db, config=state.config, person=state.user, check=True, host=True)
    try:
        simulated = simulated_on_live(probe)
    finally:
        probe.close()
    if simulated:  # it would mark no-shows and close days at that time, for real
        raise RuleViolation(f"{simulated}: the worker refuses; unset it, or use a copy")

    def make() -> DeviceWorker:
        return DeviceWorker(
            lambda: open_session(
                db=db, config=state.config, person=state.user or "worker", host=True
            ),
            role="service",
        )

    if once:
        # Its summary says what failed (and a bug's fault report is in the log folder): the
        # log lines are not written onto stderr beside it by logging's last resort.
        quiet = logging.getLogger("oss_desk")
        if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
            quiet.addHandler(logging.NullHandler())
        lock = WorkerLock.acquire(db)
        if lock is None:
            raise RuleViolation(
                f"a device worker is already running for this database ({_who_holds(db)})"
            )
        try:
            report = make().run_once()
        finally:
            lock.release()
        unknown = report.unknown

        def count(name: str, value: int | None = None) -> int | None:
            """A count, or None (JSON null; "failed" in words) when its step failed."""
            return None if name in unknown else getattr(report, name) if value is None else value

        def said(name: str, value: int | None = None) -> str:
            found = count(name, value)
            return "failed" if found is None else str(found)

        names = (
            "printed", "sent", "retried", "failed", "uncertain", "board_frames",
            "messages_sent", "messages_retried", "messages_failed", "no_shows",
            "turn_texts_sent", "report_emails_sent", "report_emails_failed",
            "feedback_texts_sent",
        )  # fmt: skip
        if as_json:
            emit_json(
                {name: count(name) for name in names}
                | {
                    "printers": None if "printers" in unknown else report.printers,
                    "steps_failed": list(report.steps_failed),
                }
            )
        else:
            click.echo(
                f"Printed {said('printed', report.printed - report.sent)}, "
                f"{JOB_WORDS[PrintState.SENT]} (not confirmed) {said('sent')}, to retry "
                f"{said('retried')}, may not have printed {said('uncertain')}, failed "
                f"{said('failed')}; board frames {said('board_frames')}; messages sent "
                f"{said('messages_sent')}, to retry {said('messages_retried')}, failed "
                f"{said('messages_failed')}; appointments marked no-show {said('no_shows')}; "
                f"turn texts sent {said('turn_texts_sent')}; report emails sent "
                f"{said('report_emails_sent')}, failed {said('report_emails_failed')}; "
                "follow-up texts sent "
                f"{said('feedback_texts_sent')}."
            )
            for url, status in report.printers.items():
                click.echo(f"  {parse_printer_url(url).label}: {status}")
            for what, fault in report.steps_failed.items():
                click.echo(f"  Failed: {what} ({'internal error' if fault is None else fault})")
        failed = report.steps_failed
        bugs = [what for what, fault in failed.items() if fault is None]
        if bugs:  # a bug: 70, as any unexpected fault (its report is in the log folder)
            raise StepsFailed(
                f"internal error in {len(bugs)} of the worker's steps ({'; '.join(bugs)}): "
                f"please report it; details in {log_dir()}"
            )
        for fault in failed.values():
            if fault is not None:
                raise fault  # the first expected fault, with its own exit status
        return
    log = logging.getLogger("oss_desk")
    standby = Standby(db, make)
    _on_stop(asked, standby.stop)
    holder = WorkerLock.holder(db)
    log.info("device worker started for %s: taking over the devices when free", db)
    if holder is not None and holder != os.getpid() and lock_held(db):  # not a dead one's
        log.info("(process %s owns them now)", holder)
    standby.run()
    if standby.gone is None:
        log.info("device worker stopped (%s): the devices are free", asked[0] if asked else "done")
    if isinstance(standby.gone, DatabaseOverwritten):
        raise DatabaseOverwritten(
            f"{standby.gone.message.split(';')[0]}; the worker stopped delivering and wrote "
            "nothing more (`oss-desk db check` says what is at the path now); started again "
            "(its service does), it waits until a backup is put in place"
        )
    if isinstance(standby.gone, WalDeleted):
        raise WalDeleted(f"{standby.gone.message}; the worker stopped delivering")
    if standby.gone is not None:
        raise DatabaseGone(
            f"{db} was replaced or removed while the worker had it open: it stopped delivering "
            "and wrote nothing more; start it again (its service does) to work on the file "
            "now at that path"
        )


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _on_stop(asked: list[str], stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop``, the signal's name added to ``asked``."""

    def handler(signum: int, frame: FrameType | None) -> None:
        asked.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _who_holds(db: Path) -> str:
    """Who holds the worker lock, as doctor names it: "desk app desk-1, process 16315" (the
    heartbeat's role when it is that process's), else the process alone."""
    from oss_desk.storage.database import open_store
    from oss_desk.storage.lease import WorkerLock, read_heartbeat

    holder = WorkerLock.holder(db)
    if holder is None:
        return holder_said(None)
    beat = None
    with contextlib.suppress(OssDeskError, sqlite3.Error):
        store = open_store(db, create=False, migrate=False, check=False)
        try:
            beat = read_heartbeat(store.conn)
        finally:
            store.close()
    return holder_said(holder, beat.role if beat is not None and beat.pid == holder else None)


@click.group()
def printer() -> None:
    """Try a printer without the rest of oss-desk."""


@printer.command("test")
@click.argument("url", metavar="URL|DESK")
@json_option
@pass_state
def printer_test(state: State, url: str, as_json: bool) -> None:
    """Print a test page on URL now and report the printer's status (capture:// works too).

    DESK: a desk's id instead of a URL tries that desk's printer (its fallback printer when it
    has none of its own). The time printed is the office's (its site's timezone), or UK time
    when there is no office database yet."""
    if "://" not in url:
        from oss_desk.services.report_outputs import summary_printer

        url = summary_printer(state.session(host=True), url)[0]
    parsed = parse_printer_url(url)  # a bad parameter is named here, before anything is sent
    transport = open_transport(parsed)
    asks = parsed.asks_status
    before = transport.status() if asks else PrinterStatus.UNKNOWN
    from oss_desk.services.resident import office_timezone

    zone_name = office_timezone(state.db, state.config)
    now = local(clock_of(resolve_db_path(state.db)).now(), zone_name)  # a demo's own time
    data = render(
        SelfTestPrintout(
            "oss-desk test page",
            (
                f"Printer: {parsed.label}",
                f"Profile: {parsed.profile}",
                f"Time: {now:%d %b %H:%M} ({zone_name})",
            ),
        ),
        parsed.profile,
    )
    try:
        transport.send(data)
    except PrinterFault as fault:
        raise DeviceError(f"printer {parsed.label}: {fault.reason}") from None
    after = transport.status() if asks else PrinterStatus.UNKNOWN
    if as_json:
        emit_json(
            {
                "printer": parsed.label,
                "bytes": len(data),
                "status_before": before.value,
                "status": after.value,
            }
        )
        return
    click.echo(f"Sent a test page ({len(data)} bytes) to {parsed.label}; status: {after.value}")
    if after is PrinterStatus.UNKNOWN and asks:
        click.echo("  (the printer did not answer the status request: check it printed)")


@click.group()
def board() -> None:
    """Try a display board without the rest of oss-desk."""


@board.command("test")
@click.argument("url")
@click.option("--text", default="TEST -> Board", show_default=True, help="What to show.")
@json_option
@pass_state
def board_test(state: State, url: str, text: str, as_json: bool) -> None:
    """Show a test message on the board at URL and print the frame that was sent.

    Refused (exit 6) for the office's own board while the device worker drives it: the test
    would stay on the residents' board until the next call. Stop the worker to test it."""
    from oss_desk.services.delivery import board_driven_by

    parsed = parse_board_url(url)
    driver = board_driven_by(state.db, state.config, parsed.target)
    if driver is not None:
        raise RuleViolation(
            f"board {parsed.target} is the office's board and {driver} drives it: a test "
            "would replace the residents' calls; stop the worker (its service) to test it"
        )
    code, _, desk = text.partition(" -> ")
    shown = BoardState(calls=(Call(code, desk),) if desk else (), message=text)
    link = BoardLink(parsed)
    try:
        frame = link.show(shown)
    except BoardFault as fault:
        raise DeviceError(str(fault)) from None
    finally:
        link.close()
    lines = lines_for(shown, board_geometry(parsed))
    if as_json:
        emit_json(
            {
                "board": parsed.target,
                "protocol": parsed.protocol,
                "bytes": len(frame),
                "frame": frame.hex(" "),
                "lines": lines,
            }
        )
        return
    click.echo(f"Sent {len(frame)} bytes ({parsed.protocol}) to {parsed.target}:")
    for line in lines:
        click.echo(f"  |{line}|")


@click.group()
def alerts() -> None:
    """Messages late, failed for good or perhaps sent: listed until someone acknowledges them."""


@alerts.command("list")
@json_command
def alerts_list(state: State, as_json: bool) -> None:
    """Every current alert: which message, for which appointment (day, booking reference), and
    why (late, failed, or may have been sent); report emails (ids r1, r2...) and follow-up
    texts (f1, f2...) that failed for good; referrals' references that may have been sent (m1,
    m2...); texts to residents waiting (t1, t2...) that failed, while their tickets are open."""
    from oss_desk.services import alerts as dv

    session = state.session()
    found = dv.message_alerts(session)
    mails = dv.report_mail_alerts(session)
    texts = dv.followup_text_alerts(session)
    turns = dv.turn_text_alerts(session)
    untold = dv.untold_alerts(session)
    referrals = dv.referral_message_alerts(session)
    from oss_desk.services.sender_states import senders_noted

    noted = senders_noted(session)  # what the worker found of each sender
    if as_json:
        emit_json(
            [
                {
                    "id": a.id,
                    "alert": a.alert.value,
                    "kind": a.kind,
                    "channel": a.channel,
                    "via": a.via,
                    "site": a.site_id,
                    "appointment_day": a.business_day,
                    "appointment_ref": a.appointment_ref,
                    "deadline": format_instant(a.deadline),
                    "reason": a.reason,
                }
                for a in found
            ]
            + [
                {
                    "id": dv.alert_key(m),
                    "alert": "failed",
                    "kind": f"{m.kind}_report",
                    "channel": "email",
                    "via": "smtp",
                    "site": None if m.scope == "*" else m.scope,
                    "period": m.period,
                    "reason": m.reason,
                }
                for m in mails
            ]
            + [
                _text_failed(dv.alert_key(t), "followup", t.site_id, t.reason, visit=t.visit_id)
                for t in texts
            ]
            + [
                _text_failed(
                    dv.alert_key(t),
                    t.kind,
                    t.ticket.site_id,
                    t.reason,
                    ticket=t.ticket.code,
                    desk=t.ticket.desk,
                )
                for t in turns
            ]
            + [
                {
                    "id": dv.alert_key(u),
                    "alert": "not_told",
                    "kind": u.appointment.status.value,
                    "channel": "slip",
                    "via": "by hand",
                    "site": u.site_id,
                    "appointment_day": u.appointment.business_day,
                    "appointment_ref": u.appointment.ref,
                    "since": u.appointment.untold_since,
                    "reason": f"{BY_SLIP}: {how_to_tell(u.reachable)}",
                }
                for u in untold
            ]
            + [
                {
                    "id": dv.alert_key(m),
                    "alert": m.alert.value,
                    "kind": "referral_message",
                    "channel": m.channel,
                    "via": m.via,
                    "site": m.site_id,
                    "referral_ref": m.ref,
                    "reason": m.reason,
                }
                for m in referrals
            ]
        )
        for _, said in noted:  # not alerts: the list stays alerts only (to acknowledge)
            click.echo(f"Note: {said}", err=True)
        return
    if not any((found, mails, texts, turns, untold, referrals)):
        click.echo("No alerts: every message was delivered or is on time.")
    for a in found:
        today = session.today(session.site(a.site_id))
        click.echo(f"{a.id:6d}  {a.describe(today)}")
    listed: list[dv.OutboxAlert] = [*untold, *referrals, *mails, *texts, *turns]
    for alert in listed:
        again = (
            f" (to send it again: {_resend(alert)})"
            if isinstance(alert, dv.ReportMailAlert)
            else ""
        )
        click.echo(f"{dv.alert_key(alert):>6}  {alert.describe()}{again}")
    for _, said in noted:
        click.echo(f"Note: {said}")


def _resend(mail: ReportMailAlert) -> str:
    """The command that queues a failed report email once more (its alert then settles)."""
    from oss_desk.storage.report_mails import ALL_SITES

    period = "--date" if mail.kind == "daily" else "--month"
    site = "" if mail.scope == ALL_SITES else f" --site {mail.scope}"
    return f"oss-desk report send {mail.kind} {period} {mail.period}{site} --again"


def _text_failed(
    key: str, kind: str, site: str | None, reason: str | None, **refs: object
) -> dict[str, object]:
    """A text to a resident that failed for good, as ``alerts list --json`` gives it."""
    head = {"id": key, "alert": "failed", "kind": f"{kind}_text", "channel": "text"}
    return {**head, "via": "notify", "site": site, **refs, "reason": reason}


@alerts.command("ack")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "everything", is_flag=True, help="Every current alert.")
@json_command
def alerts_ack(state: State, ids: tuple[str, ...], everything: bool, as_json: bool) -> None:
    """Say the alerts ID... (or --all) are seen to: they stop showing everywhere."""
    from oss_desk.domain.models import Actor
    from oss_desk.services.alerts import (
        ALERT_LETTERS,
        FollowupTextAlert,
        ReferralMessageAlert,
        ReportMailAlert,
        TurnTextAlert,
        UntoldAlert,
        acknowledge_alerts,
    )

    if not ids and not everything:
        raise click.UsageError("give the alerts' ids, or --all")
    if ids and everything:
        raise click.UsageError("give either ids or --all, not both")
    mail, text_ = ALERT_LETTERS[ReportMailAlert], ALERT_LETTERS[FollowupTextAlert]
    referral = ALERT_LETTERS[ReferralMessageAlert]
    # messages, reports, texts, referrals' references
    by_kind: dict[str, list[int]] = {"": [], mail: [], text_: [], referral: []}
    for given in ids:
        text = given.strip().lower()
        if text[:1] == ALERT_LETTERS[TurnTextAlert]:  # a waiting resident's text: goes with it
            raise click.BadParameter(
                f"{given!r}: a text to a waiting resident is listed while the ticket is open,"
                " and goes when it ends: nothing to acknowledge"
            )
        if text[:1] == ALERT_LETTERS[UntoldAlert]:  # a resident not told: say they were
            raise click.BadParameter(
                f"{given!r}: a resident booked by slip is listed until someone tells"
                " them: record it with `oss-desk appointment told REF --how phone`"
            )
        kind = text[:1] if text[:1] in by_kind else ""
        number = text[len(kind) :]
        if not (number.isascii() and number.isdigit()):
            raise click.BadParameter(
                f"{given!r}: an alert's id (e.g. 12, r3 for a report email, f2 for a"
                " follow-up text, m4 for a referral's reference)"
            )
        by_kind[kind].append(int(number))
    session = state.session()
    count = acknowledge_alerts(
        session,
        Actor(session.actor.person),
        None if everything else by_kind[""],
        None if everything else by_kind[mail],
        None if everything else by_kind[text_],
        None if everything else by_kind[referral],
    )
    if as_json:
        emit_json({"acknowledged": count})
        return
    click.echo(f"Acknowledged {count} alert{'s' if count != 1 else ''}.")
