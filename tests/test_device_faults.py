"""What staff are told of a device that does not work: plain words from one home
(``domain/device_faults.py``), never the operating system's error or an internal reason code,
and never a bracket inside a bracket."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import serial

from oss_desk.domain.delivery import DeviceReading, WorkerState, device_word
from oss_desk.domain.device_faults import PRINTER_SILENT, error_number, port_fault
from oss_desk.domain.devices import parse_board_url
from oss_desk.hardware.boards import BoardFault, BoardLink, BoardState
from oss_desk.hardware.printers import PrinterFault, open_transport

from .hardware.fakes import FakePrinter, Pty

ALIVE = WorkerState(held=True, seen_seconds=1)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOENT, "the board's port /dev/ttyUSB1 is not there"),
        (errno.EACCES, "the board's port /dev/ttyUSB1 may not be opened by this user: is it in"),
        (errno.EBUSY, "the board's port /dev/ttyUSB1 is in use by another program"),
        (errno.EIO, "the board's port /dev/ttyUSB1 stopped working: is it unplugged?"),
        (None, "the board's port /dev/ttyUSB1 does not work"),
    ],
)
def test_a_port_fault_in_plain_words(code: int | None, words: str) -> None:
    said = port_fault("board", "/dev/ttyUSB1", code)
    assert said.startswith(words) and "(" not in said and "Errno" not in said


def test_a_serial_server_is_named_as_one() -> None:
    said = port_fault("board", "socket://10.0.0.9:4001", errno.ECONNREFUSED)
    assert said == "the board's serial server 10.0.0.9:4001 refused the connection"


def test_the_error_number_is_found_whatever_carries_it() -> None:
    assert error_number(OSError(errno.ENOENT, "gone")) == errno.ENOENT
    assert error_number(serial.SerialException(errno.EBUSY, "busy")) == errno.EBUSY
    text = "Could not open port socket://h:1: [Errno 111] Connection refused"
    assert error_number(serial.SerialException(text)) == 111
    assert error_number(ValueError("no number here")) is None


def test_an_unplugged_board_is_plain_and_the_raw_error_is_kept_for_the_log(
    tmp_path: Path,
) -> None:
    gone = tmp_path / "ttyUSB0"  # never made: the adapter is not plugged in
    link = BoardLink(parse_board_url(f"ascii+serial://{gone}"))
    with pytest.raises(BoardFault) as fault:
        link.show(BoardState())
    assert str(fault.value) == f"the board's port {gone} is not there"
    assert fault.value.raw is not None and "[Errno 2]" in fault.value.raw
    pty = Pty()  # a board that was there, then its far end went away mid-day
    link = BoardLink(parse_board_url(f"ascii+serial://{pty.path}"))
    link.show(BoardState())
    os.close(pty.master)
    with pytest.raises(BoardFault) as fault:
        link.show(BoardState())
    assert str(fault.value).startswith(f"the board's port {pty.path} ")
    assert "Errno" not in str(fault.value)
    link.close()


@pytest.mark.skipif(not os.access("/dev/full", os.W_OK), reason="needs a writable /dev/full")
def test_a_printer_device_file_fault_is_plain_and_the_raw_error_is_kept_for_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """file:// printers (a device file such as /dev/usb/lp0): /dev/full takes no bytes, as a
    full disk; a folder cannot be opened for writing. Staff get the plain words; the log
    keeps the operating system's."""
    folder = tmp_path / "lp0"
    folder.mkdir()
    for path, words in (
        (Path("/dev/full"), "cannot write /dev/full: the disk is full"),
        (folder, f"cannot write {folder}: it is a folder"),
    ):
        with (
            caplog.at_level("WARNING", logger="oss_desk.hardware"),
            pytest.raises(PrinterFault) as fault,
        ):
            open_transport(f"file://{path}").send(b"a ticket")
        assert fault.value.reason == words
        assert "Errno" not in fault.value.reason and "(" not in fault.value.reason
        assert any(r.message.startswith(f"printer file {path}: [Errno") for r in caplog.records)
        caplog.clear()


def test_a_silent_printer_is_said_once_in_plain_words(printer: FakePrinter) -> None:
    printer.behaviour = "silent"
    with pytest.raises(PrinterFault) as fault:
        open_transport(printer.url).send(b"x")
    assert fault.value.reason == PRINTER_SILENT == "the printer did not answer"
    # The worker records it "unknown" with that reason: the status bar says it once, plainly.
    reading = DeviceReading("unknown", PRINTER_SILENT, 1.0)
    assert device_word(reading, ALIVE) == ("not answering", False)


def test_jobs_needing_an_answer_are_summed_up_for_the_status_bar() -> None:
    from oss_desk.domain.delivery import needing_answer_words, shorter_words

    assert needing_answer_words(["ticket T001"], []) == (
        "ticket T001 not printed",
        "1 not printed",
        "1",
    )
    assert needing_answer_words(["ticket T001", "ticket T002"], ["ticket T003"]) == (
        "2 not printed, ticket T003 may not have printed",
        "2 not printed, 1 unsure",
        "3",
    )
    assert shorter_words("unreachable (connection refused), 2 to print") == (
        "unreachable",
        "unreachable",
    )
    assert shorter_words("no device worker running, 1 to print") == (
        "no device worker running, 1 to print",
        "no worker",
    )
    stopped = "state unknown, device worker not answering (last heartbeat 20 s ago)"
    assert shorter_words(stopped) == (
        "state unknown, device worker not answering",
        "worker not answering",
    )


def test_never_a_bracket_in_a_bracket() -> None:
    from oss_desk.domain.device_faults import device_words, said_with

    assert said_with("unreachable", "connection refused") == "unreachable (connection refused)"
    assert said_with("unreachable", "/dev/usb/lp0 does not exist (is the printer plugged in?)") == (
        "unreachable: /dev/usb/lp0 does not exist (is the printer plugged in?)"
    )
    assert said_with("Ticket T001 was not printed", None) == "Ticket T001 was not printed"
    assert device_words("printer error", "printer error") == "printer error"  # said once
    assert device_words("unknown", PRINTER_SILENT) == "not answering"


def test_print_state_words_never_put_a_bracket_in_a_bracket() -> None:
    from oss_desk.domain.delivery import PrintState, just_queued_word, ticket_print_word

    reason = "/dev/usb/lp0 does not exist (is the printer plugged in?)"
    assert just_queued_word(PrintState.QUEUED, reason, tried=True, worker_alive=True) == (
        f"not printed yet: {reason}; the printer worker tries again"
    )
    assert just_queued_word(PrintState.QUEUED, "paper out", tried=True, worker_alive=False) == (
        "not printed yet (paper out); queued to print again"
    )
    assert ticket_print_word(PrintState.QUEUED, reason, printed_before=False) == (
        f"waiting to print: last try: {reason}"
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "cannot write /srv/paper: the disk is full"),
        (errno.EFBIG, "cannot write /srv/paper: the file is too big"),
        (errno.EISDIR, "cannot write /srv/paper: it is a folder"),
        (errno.EAGAIN, "cannot write /srv/paper: another program has it locked for now"),
        (
            errno.ENXIO,
            "cannot write /srv/paper: no printer is plugged in there",
        ),
        (errno.ELOOP, "cannot write /srv/paper"),  # not known here: the log has the rest
        (None, "cannot write /srv/paper"),
    ],
)
def test_a_file_fault_in_plain_words(code: int | None, words: str) -> None:
    from oss_desk.domain.device_faults import file_fault

    assert file_fault(Path("/srv/paper"), code) == words


def test_the_shortest_printer_form_keeps_the_jobs_waiting() -> None:
    from oss_desk.services.delivery import printing_parts
    from oss_desk.storage.devices import DeviceState

    url = "tcp://127.0.0.1:9100"
    now = "2026-12-07T09:30:00Z"
    state = DeviceState(url, "printer", "ok", None, now, now, now)
    part = printing_parts(worker=ALIVE, printer_url=url, printer=state, waiting=2, attention=[])
    assert (part[0].text, part[0].short, part[0].least) == (
        "ok, 2 to print",
        "ok, 2 to print",
        "ok, 2",
    )
