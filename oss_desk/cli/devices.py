"""``oss-desk worker``, ``printer test URL`` and ``board test URL``."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

import click

from oss_desk.cli.common import State, emit_json, json_option, pass_state
from oss_desk.clock import clock_from_env
from oss_desk.domain.calendar import local
from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.domain.printouts import SelfTestPrintout
from oss_desk.errors import DeviceError, RuleViolation
from oss_desk.hardware.boards import BoardFault, BoardLink, BoardState, Call, lines_for
from oss_desk.hardware.boards import geometry_for as board_geometry
from oss_desk.hardware.printers import PrinterFault, PrinterStatus, open_transport
from oss_desk.hardware.templates import render
from oss_desk.services.session import open_session, resolve_db_path
from oss_desk.services.worker import DeviceWorker, WorkerLock


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@json_option
@pass_state
def worker(state: State, once: bool, as_json: bool) -> None:
    """Own the printers, the display board and the outbox: print, show calls, send messages.

    Run it as a service (deploy/systemd/oss-desk-worker.service). Only one runs at a time; the
    desk app and the demo run one inside themselves when none is running.
    """
    db = resolve_db_path(state.db)
    probe = open_session(db=db, config=state.config, person=state.user, check=True, host=True)
    probe.close()
    lock = WorkerLock.acquire(db)
    if lock is None:
        holder = WorkerLock.holder(db)
        raise RuleViolation(
            "a device worker is already running for this database"
            + (f" (process {holder})" if holder else "")
        )
    try:
        device_worker = DeviceWorker(
            lambda: open_session(
                db=db, config=state.config, person=state.user or "worker", host=True
            )
        )
        if once:
            report = device_worker.run_once()
            if as_json:
                emit_json(
                    {
                        "printed": report.printed,
                        "retried": report.retried,
                        "failed": report.failed,
                        "board_frames": report.board_frames,
                        "printers": report.printers,
                        "messages_sent": report.messages_sent,
                        "messages_failed": report.messages_failed,
                        "no_shows": report.no_shows,
                        "turn_texts_sent": report.turn_texts_sent,
                    }
                )
            else:
                click.echo(
                    f"Printed {report.printed}, to retry {report.retried}, failed "
                    f"{report.failed}; board frames {report.board_frames}; messages sent "
                    f"{report.messages_sent}, failed {report.messages_failed}; appointments "
                    f"marked no-show {report.no_shows}; turn texts sent {report.turn_texts_sent}."
                )
                for url, status in report.printers.items():
                    click.echo(f"  {parse_printer_url(url).label}: {status}")
            return
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        logging.getLogger("oss_desk").info("device worker started for %s", db)

        def stop(signum: int, frame: FrameType | None) -> None:
            device_worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        device_worker.run_forever()
    finally:
        lock.release()


@click.group()
def printer() -> None:
    """Try a printer without the rest of oss-desk."""


@printer.command("test")
@click.argument("url")
@json_option
@pass_state
def printer_test(state: State, url: str, as_json: bool) -> None:
    """Print a test page on URL now and report the printer's status (capture:// works too).

    The time printed is the office's (its site's timezone), or UK time when there is no
    office database yet."""
    parsed = parse_printer_url(url)
    transport = open_transport(parsed)
    asks = parsed.asks_status
    before = transport.status() if asks else PrinterStatus.UNKNOWN
    from oss_desk.services.resident import office_timezone

    zone_name = office_timezone(state.db, state.config)
    now = local(clock_from_env().now(), zone_name)
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
        raise DeviceError(
            f"{parsed.label}: {fault.reason} (status: {fault.status.value})"
        ) from None
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
def board_test(url: str, text: str, as_json: bool) -> None:
    """Show a test message on the board at URL and print the frame that was sent."""
    parsed = parse_board_url(url)
    code, _, desk = text.partition(" -> ")
    state = BoardState(calls=(Call(code, desk),) if desk else (), message=text)
    link = BoardLink(parsed)
    try:
        frame = link.show(state)
    except BoardFault as fault:
        raise DeviceError(f"board {parsed.target}: {fault}") from None
    finally:
        link.close()
    lines = lines_for(state, board_geometry(parsed))
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
