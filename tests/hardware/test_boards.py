"""Display boards over real pty pairs and loopback sockets: frames read back and checked."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from oss_desk.domain.devices import parse_board_url
from oss_desk.errors import InvalidInput
from oss_desk.hardware.boards import (
    BoardFault,
    BoardLink,
    BoardState,
    Call,
    Geometry,
    checksum_alpha,
    encode_alpha,
    fit,
    lines_for,
)

from .fakes import Pty

STATE = BoardState(calls=(Call("C012", "Desk 3"), Call("B004", "Interview room 1")))


def test_alpha_checksum_from_the_specification() -> None:
    assert checksum_alpha(b"\x02AAHELLO\x03") == b"01FB"


def test_alpha_frame_layout() -> None:
    frame = encode_alpha(["AB", "CD"], address="07", label="A")
    assert frame.startswith(b"\x00" * 5 + b"\x01Z07\x02AA")
    assert frame.endswith(b"\x04")
    body = frame[frame.index(b"\x02") : frame.index(b"\x03") + 1]
    assert frame[len(frame) - 5 : len(frame) - 1] == checksum_alpha(body)
    assert b'\x1b"bAB\x1b&bCD' in body  # top line, bottom line, hold mode


def test_geometry_padding_cutting_and_characters() -> None:
    assert fit("C012 -> Interview room 1", 20) == "C012 -> Interview ro"
    assert fit("Zoë → Desk 1", 14) == "Zoe -> Desk 1 "
    assert fit("中", 3) == "?  "
    lines = lines_for(BoardState(calls=(Call("A001", "Desk 1"),), message="x"), Geometry(3, 12))
    assert lines == ["A001 -> Desk", "            ", "            "]
    assert lines_for(BoardState(message="Please take a ticket"), Geometry(1, 8)) == ["Please t"]


@pytest.mark.parametrize(
    ("protocol", "terminator", "expected"),
    [
        (
            "ascii",
            b"\x03",
            b"\x0201C012 -> Desk 3      \rB004 -> Interview ro\x03",
        ),
        (
            "alpha",
            b"\x04",
            None,  # checked through its checksum below
        ),
        (
            "dmd",
            b"Interview ro",
            b"\x1b\x40\x1b\x74\x00\x1f\x01\x0bC012 -> Desk 3      "
            b"\x1f\x24\x01\x02B004 -> Interview ro",
        ),
    ],
)
def test_each_protocol_over_a_pty(protocol: str, terminator: bytes, expected: bytes | None) -> None:
    pty = Pty()
    link = BoardLink(parse_board_url(f"{protocol}+serial://{pty.path}?baudrate=9600"))
    try:
        sent = link.show(STATE)
        got = pty.read(terminator)
        assert got == sent
        if expected is not None:
            assert got == expected
        else:
            body = got[got.index(b"\x02") : got.index(b"\x03") + 1]
            assert got[-5:-1] == checksum_alpha(body)
            # An Alpha sign has one line unless told: only the latest call, on one page.
            assert body == b"\x02AA\x1b bC012 -> Desk 3      \x03"
        # An update sends the whole state again (DM-D without re-initialising).
        link.show(BoardState(calls=(Call("Q001", "Desk 2"), *STATE.calls)))
        again = pty.read(b"Desk 3" if protocol != "alpha" else b"\x04")
        assert b"Q001 -> Desk 2" in again
        if protocol == "dmd":
            assert not again.startswith(b"\x1b\x40")
    finally:
        link.close()
        pty.close()


def test_far_end_closes_and_reopens_then_the_state_is_resent(tmp_path: Path) -> None:
    """Like a USB-serial adapter unplugged and plugged back (a stable by-id symlink)."""
    first = Pty()
    stable = tmp_path / "board-tty"
    stable.symlink_to(first.path)
    link = BoardLink(parse_board_url(f"dmd+serial://{stable}"))
    try:
        link.show(STATE)
        assert b"C012 -> Desk 3" in first.read(b"Interview ro")
        first.close()  # unplugged
        with pytest.raises(BoardFault):
            link.show(STATE)
        assert not link.online
        second = Pty()  # plugged back in
        stable.unlink()
        stable.symlink_to(second.path)
        try:
            link.show(STATE)
            frame = second.read(b"Interview ro")
            assert frame.startswith(b"\x1b\x40")  # initialised again...
            assert b"C012 -> Desk 3" in frame and b"B004 -> Interview ro" in frame  # ...and whole
        finally:
            second.close()
    finally:
        link.close()


def test_board_behind_a_serial_server_socket() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        data = b""
        while b"\x03" not in data:
            data += conn.recv(1024)
        received.append(data)
        conn.close()

    thread = threading.Thread(target=serve)
    thread.start()
    link = BoardLink(parse_board_url(f"ascii+socket://127.0.0.1:{port}?address=03&checksum=xor"))
    try:
        frame = link.show(STATE)
        thread.join(5)
        assert received[0].startswith(b"\x0203C012")
        assert frame.endswith(received[0][-3:]) or received[0] == frame[: len(received[0])]
    finally:
        link.close()
        server.close()


def test_missing_device_is_a_board_fault() -> None:
    link = BoardLink(parse_board_url("alpha+serial:///dev/ttyUSB-nowhere"))
    with pytest.raises(BoardFault):
        link.show(STATE)


def test_capture_board(tmp_path: Path) -> None:
    link = BoardLink(parse_board_url(f"ascii+capture://{tmp_path}/board.frames?rows=1&cols=10"))
    link.show(STATE)
    link.show(BoardState())
    assert (tmp_path / "board.frames").read_bytes() == b"\x0201C012 -> De\x03\x0201          \x03"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("serial:///dev/ttyUSB1", r"PROTOCOL\+TRANSPORT"),
        ("led+serial:///dev/ttyUSB1", r"PROTOCOL\+TRANSPORT"),
        ("ascii+serial://", "give the device"),
        ("ascii+serial:///dev/x?baudrate=fast", "baudrate must be a number"),
        ("alpha+serial:///dev/x?parity=X", "parity must be"),
    ],
)
def test_bad_board_urls(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_board_url(url)


def test_pty_write_after_close_fails_like_an_unplugged_adapter() -> None:
    pty = Pty()
    link = BoardLink(parse_board_url(f"ascii+serial://{pty.path}"))
    link.show(STATE)
    pty.read(b"\x03")
    os.close(pty.master)
    with pytest.raises(BoardFault):
        link.show(STATE)
    link.close()
