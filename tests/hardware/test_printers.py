"""Printer transports against a real loopback TCP printer, a real file and a real pty."""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import pytest

from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.errors import InvalidInput
from oss_desk.hardware.printers import PrinterFault, PrinterStatus, decode_status, open_transport

from .fakes import COVER_OPEN, NEAR_END, PAPER_OUT, FakePrinter, Pty, closed_port

JOB = b"\x1b@hello\n\x1dV\x00"


@pytest.mark.parametrize(
    ("replies", "status"),
    [
        ((0x12, 0x12, 0x12, 0x12), PrinterStatus.OK),
        ((0x12, 0x12, 0x12, 0x1E), PrinterStatus.NEAR_END),
        ((0x12, 0x12, 0x12, 0x72), PrinterStatus.PAPER_OUT),
        ((0x1A, 0x32, 0x12, 0x72), PrinterStatus.PAPER_OUT),
        ((0x1A, 0x16, 0x12, 0x12), PrinterStatus.COVER_OPEN),
        ((0x1A, 0x52, 0x5A, 0x12), PrinterStatus.ERROR),
        ((0x1A, 0x12, 0x12, 0x12), PrinterStatus.OFFLINE),
        ((0x12, 0x12, 0x1A, 0x12), PrinterStatus.ERROR),  # cutter error
        ((None, None, None, None), PrinterStatus.UNKNOWN),  # silence is never "paper OK"
        ((0xFF, 0x12, 0x12, 0x12), PrinterStatus.UNKNOWN),  # not a status byte
    ],
)
def test_status_bytes(replies: tuple[int | None, ...], status: PrinterStatus) -> None:
    assert decode_status(*replies) is status


def test_job_arrives_after_a_healthy_status(printer: FakePrinter) -> None:
    transport = open_transport(printer.url)
    assert transport.status() is PrinterStatus.OK
    assert transport.send(JOB) is PrinterStatus.OK
    assert printer.job_arrived.wait(2)
    assert JOB in printer.jobs


def test_a_printer_is_reached_by_its_address_or_by_its_name(printer: FakePrinter) -> None:
    # An address is connected to at once; a name is looked up first (as the system resolves it).
    for host in ("127.0.0.1", "localhost"):
        transport = open_transport(f"tcp://{host}:{printer.port}?timeout=1")
        assert transport.send(JOB) is PrinterStatus.OK
    deadline = time.monotonic() + 5
    while len(printer.closings) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # the printer files each job once its connection has closed
    assert printer.jobs.count(JOB) == 2
    unknown = open_transport("tcp://no-such-printer.invalid:9100?timeout=1")
    with pytest.raises(PrinterFault, match=r"cannot connect \(name not found\)"):
        unknown.send(JOB)


@pytest.mark.parametrize(
    ("replies", "status", "sent"),
    [
        (PAPER_OUT, PrinterStatus.PAPER_OUT, False),
        (COVER_OPEN, PrinterStatus.COVER_OPEN, False),
        (NEAR_END, PrinterStatus.NEAR_END, True),  # a warning, still printable
    ],
)
def test_status_decides_whether_the_job_is_sent(
    printer: FakePrinter, replies: dict[int, int], status: PrinterStatus, sent: bool
) -> None:
    printer.replies = replies
    transport = open_transport(printer.url)
    assert transport.status() is status
    if sent:
        assert transport.send(JOB) is status
        assert printer.job_arrived.wait(2)
    else:
        with pytest.raises(PrinterFault) as fault:
            transport.send(JOB)
        assert fault.value.status is status
        time.sleep(0.1)
        assert all(JOB not in job for job in printer.jobs)


def test_refused_is_fast_and_clear() -> None:
    """Refused is said at once, not after the printer's timeout: a timeout far longer than any
    refusal takes (a bound of 1 s on the clock failed on a loaded machine)."""
    transport = open_transport(f"tcp://127.0.0.1:{closed_port()}?timeout=60")
    started = time.monotonic()
    with pytest.raises(PrinterFault, match="connection refused"):
        transport.send(JOB)
    assert transport.status() is PrinterStatus.UNREACHABLE
    assert time.monotonic() - started < 60  # not waited out


def test_silent_printer_times_out_within_its_timeout(printer: FakePrinter) -> None:
    printer.behaviour = "silent"
    transport = open_transport(printer.url)  # timeout=1
    started = time.monotonic()
    assert transport.status() is PrinterStatus.UNKNOWN
    with pytest.raises(PrinterFault, match=r"^the printer did not answer$") as fault:
        transport.send(JOB)
    assert fault.value.status is PrinterStatus.UNKNOWN
    assert time.monotonic() - started < 3.0


def test_disconnect_mid_job_is_noticed(printer: FakePrinter) -> None:
    printer.behaviour = "disconnect"
    printer.disconnect_after = 10
    transport = open_transport(printer.url)
    with pytest.raises(PrinterFault) as fault:
        transport.send(JOB * 50)
    assert "mid-job" in fault.value.reason or "stopped answering" in fault.value.reason


def test_status_off_sends_without_asking(printer: FakePrinter) -> None:
    printer.behaviour = "silent"
    transport = open_transport(printer.url + "&status=off")
    assert transport.send(JOB) is PrinterStatus.UNKNOWN
    assert printer.job_arrived.wait(2)


def test_capture_appends_each_job(tmp_path: Path) -> None:
    path = tmp_path / "out" / "printer.bin"
    transport = open_transport(f"capture://{path}")
    transport.send(b"one")
    transport.send(b"two")
    assert path.read_bytes() == b"onetwo"


def test_file_printer_and_its_faults(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    open_transport(f"file://{device}").send(JOB)
    assert device.read_bytes() == JOB
    with pytest.raises(PrinterFault, match="does not exist"):
        open_transport(f"file://{tmp_path}/lp9").send(JOB)
    pty = Pty()
    try:
        with pytest.raises(PrinterFault, match="is a serial port: use serial://"):
            open_transport(f"file://{pty.path}").send(JOB)
    finally:
        pty.close()


def test_serial_printer_over_a_pty() -> None:
    pty = Pty()
    received: list[bytes] = []

    def far_end() -> None:  # a serial printer: answers the status questions, takes the job
        # The four questions come in one write, the replies go back in their order.
        assert pty.read(bytes([0x10, 0x04, 4])) == b"".join(
            bytes([0x10, 0x04, n]) for n in (1, 2, 3, 4)
        )
        os.write(pty.master, b"\x12" * 4)
        received.append(pty.read(b"\x10\x04\x01"))
        os.write(pty.master, b"\x12")

    thread = threading.Thread(target=far_end)
    thread.start()
    try:
        status = open_transport(f"serial://{pty.path}?baudrate=19200&timeout=2").send(JOB)
        thread.join(5)
        assert status is PrinterStatus.OK
        assert received == [JOB + b"\x10\x04\x01"]
    finally:
        pty.close()


def test_serial_printer_unplugged() -> None:
    with pytest.raises(PrinterFault, match=r"the printer.s port .* is not there$"):
        open_transport("serial:///dev/ttyUSB-not-here").send(JOB)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("lpt1", "must start with one of"),
        ("tcp://", "give the printer's host"),
        ("tcp://host:port", "port is not a number"),
        ("usb://epson", "vendor and product ids"),
        ("tcp://h?timeout=soon", "timeout must be a number"),
        ("tcp://h?profile=TM-X1", "unknown printer profile 'TM-X1'"),
        ("cups://", "give the CUPS queue"),
    ],
)
def test_bad_printer_urls(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_printer_url(url)


@pytest.mark.parametrize(
    ("baud", "nearest"), [("19220", 19200), ("96000", 115200), ("9000", 9600), ("300", 1200)]
)
def test_a_mistyped_baud_rate_is_refused_naming_the_nearest(baud: str, nearest: int) -> None:
    """Devices trial 17: baudrate=19220 and 96000 were taken and doctor said "ready" (the port
    opens at any rate; the printer reads the line as noise)."""
    rates = "the rates: 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200"
    said = rf"baudrate {baud} is not a standard rate \(did you mean {nearest}\? {rates}\)$"
    with pytest.raises(InvalidInput, match=said):
        parse_printer_url(f"serial:///dev/ttyS0?baudrate={baud}")
    with pytest.raises(InvalidInput, match=said):
        parse_board_url(f"ascii+serial:///dev/ttyS0?baudrate={baud}")
    for rate in (1200, 9600, 115200):
        assert parse_printer_url(f"serial:///dev/ttyS0?baudrate={rate}").baudrate == rate
        board = parse_board_url(f"ascii+serial:///dev/ttyS0?baudrate={rate}")
        assert board.serial_settings()["baudrate"] == rate


def test_no_word_twice_in_a_printer_fault(printer: FakePrinter) -> None:
    """A printer reporting an error is "printer error", never "printer printer error"."""
    printer.replies = {1: 0x1A, 2: 0x52, 3: 0x5A, 4: 0x12}
    with pytest.raises(PrinterFault) as fault:
        open_transport(printer.url).send(JOB)
    assert fault.value.reason == "printer error"
    for status in PrinterStatus:
        words = status.sentence.split()
        assert all(a != b for a, b in itertools.pairwise(words)), status.sentence
        assert words[0] == "printer"


def test_a_printer_in_its_own_process_reports_each_job_on_this_process_s_clock() -> None:
    # The speed table's TCP printer: its jobs and their moments come over a pipe, stamped on the
    # host's monotonic clock, so they fall between this process's own readings of it.
    from .printer_process import PrinterProcess

    printer = PrinterProcess()
    try:
        transport = open_transport(printer.url)
        before = time.monotonic()
        assert transport.send(JOB) is PrinterStatus.OK
        sent = time.monotonic()
        job = printer.next_job()
        assert job.data == JOB
        # (the printer sees the close once the sender has closed: maybe after send returned)
        assert before < job.arrived < sent and job.arrived <= job.closed < time.monotonic()
        assert transport.status() is PrinterStatus.OK  # a status question alone is no job
        assert transport.send(JOB * 2) is PrinterStatus.OK
        assert printer.next_job().data == JOB * 2
    finally:
        printer.close()
