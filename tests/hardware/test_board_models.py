"""Every listed board model, its frames compared with golden bytes and decoded independently
(``tests/board_decoder.py``): what the sign or display would actually show."""

from __future__ import annotations

import pytest

from oss_desk.domain.devices import parse_board_url
from oss_desk.errors import InvalidInput
from oss_desk.hardware.boards import (
    BoardState,
    Call,
    encode,
    geometry_for,
    pages_for,
    pages_turned,
)

from ..board_decoder import Screen, decode_alpha
from .test_models import golden

ONE = BoardState(calls=(Call("C012", "Desk 3"),), message="Please take a ticket")
TWO = BoardState(calls=(Call("B004", "Room 1"), Call("C012", "Desk 3")))
WELSH_MESSAGE = BoardState(message="Cymerwch docyn\nPlease take a ticket")


def frame(url: str, state: BoardState, first: bool = True) -> bytes:
    return encode(parse_board_url(url), state, first=first)


# Alpha / BetaBrite --------------------------------------------------------------------------


def test_a_one_line_alpha_sign_shows_one_page() -> None:
    """BetaBrite-class signs have one line: the default is one row, so the latest call is the
    only page (two pages would take turns on the sign, one of them blank)."""
    url = "alpha+serial:///dev/ttyUSB1"
    assert geometry_for(parse_board_url(url)).rows == 1
    data = frame(url, TWO)
    golden("board-alpha-one-line", data)
    sign = decode_alpha(data)
    assert (sign.kind, sign.address, sign.label) == ("Z", "01", "A")
    assert sign.pages == [(0x20, "b", "B004 -> Room 1      ")]


def test_a_two_row_alpha_sign_never_gets_a_blank_page() -> None:
    url = "alpha+serial:///dev/ttyUSB1?rows=2&address=0a"
    lone = decode_alpha(frame(url, ONE))
    assert lone.address == "0A"
    assert [text for _, _, text in lone.pages] == ["C012 -> Desk 3      "]
    both = decode_alpha(frame(url, TWO))
    assert [(pos, text) for pos, _, text in both.pages] == [
        (0x22, "B004 -> Room 1      "),
        (0x26, "C012 -> Desk 3      "),
    ]


def test_the_pound_sign_on_an_alpha_sign() -> None:
    data = frame("alpha+serial:///dev/ttyUSB1?cols=24", BoardState(message="Fees: £5 café"))
    golden("board-alpha-pound", data)
    assert decode_alpha(data).pages[0][2].rstrip() == "Fees: £5 café"
    assert b"\x08\x3c" in data  # the extended character set's pound sign


def test_welsh_letters_fall_back_on_an_alpha_sign() -> None:
    data = frame("alpha+serial:///dev/ttyUSB1?cols=24", BoardState(message="Tŷ Penallta"))
    assert decode_alpha(data).pages[0][2].rstrip() == "Ty Penallta"


# Epson DM-D and CD5220 -------------------------------------------------------------------------


def test_dmd_pound_sign_and_welsh_letters() -> None:
    state = BoardState(message="Tŷ £5\nCroeso i'r Dŵr")
    data = frame("dmd+serial:///dev/ttyUSB1", state)
    golden("board-dmd-welsh", data)
    screen = Screen("epson").feed(data)
    assert screen.unknown == []
    assert screen.text() == ["T\ufffc £5".ljust(20), "Croeso i'r D\ufffcr".ljust(20)]
    y_hat, w_hat = screen.glyphs[(0, 1)], screen.glyphs[(1, 12)]
    for glyph in (y_hat, w_hat):  # a circumflex: one dot on top, two below it either side
        assert glyph[0] == "..#.." and glyph[1] == ".#.#."
    assert w_hat[4] == "#.#.#"  # the middle stroke of a w
    assert y_hat[6] == ".#..."  # the tail of a y


def test_dmd_update_keeps_the_definitions_and_skips_the_reset() -> None:
    """After the first frame no ESC @ (it would blank the display), but the Welsh letters are
    defined again with each frame that uses them (a display restarted forgets them)."""
    state = BoardState(message="Tŷ\nHouse")
    again = frame("dmd+serial:///dev/ttyUSB1", state, first=False)
    assert not again.startswith(b"\x1b\x40")
    screen = Screen("epson").feed(again)
    assert screen.text()[0].startswith("T\ufffc")


def test_cd5220_native_mode() -> None:
    """A CD5220 in its own mode: ESC l x y for line 2 (US $ means nothing to it), the U.K.
    set for the pound sign."""
    data = frame("dmd+serial:///dev/ttyUSB1?mode=cd5220", BoardState(message="Fees £5\nDesk 3"))
    golden("board-cd5220", data)
    assert b"\x1f" not in data
    assert b"\x1b\x6c\x01\x02" in data
    screen = Screen("cd5220").feed(data)
    assert screen.unknown == []
    assert screen.text() == ["Fees £5".ljust(20), "Desk 3".ljust(20)]


def test_cd5220_calls() -> None:
    screen = Screen("cd5220").feed(frame("dmd+serial:///dev/ttyUSB1?mode=cd5220", TWO))
    assert screen.text() == ["B004 -> Room 1".ljust(20), "C012 -> Desk 3".ljust(20)]


# Generic ASCII boards --------------------------------------------------------------------------


def test_ascii_board_substitutes() -> None:
    data = frame("ascii+serial:///dev/ttyUSB1?rows=1&cols=16", BoardState(message="Fee £5 Tŷ"))
    golden("board-ascii-pound", data)
    assert data == b"\x0201Fee GBP5 Ty     \x03"


def test_bilingual_message_one_row_per_language() -> None:
    data = frame("ascii+serial:///dev/ttyUSB1", WELSH_MESSAGE)
    assert data == b"\x0201Cymerwch docyn      \rPlease take a ticket\x03"
    one_row = frame("ascii+serial:///dev/ttyUSB1?rows=1&cols=40", WELSH_MESSAGE)
    assert b"Cymerwch docyn / Please take a ticket" in one_row


# A bilingual office's desks: named in Welsh and in English ----------------------------------

WELSH_CALLS = BoardState(
    calls=(
        Call("C012", "Desg 3", "Desk 3"),
        Call("H002", "Ystafell gyfweld 1", "Interview room 1"),
    )
)


def test_desks_named_side_by_side_where_the_row_has_room() -> None:
    """A board wide enough for both names shows them in one row, Welsh first: one page."""
    url = parse_board_url("ascii+serial:///dev/ttyUSB1?cols=24")
    state = BoardState(calls=(Call("C012", "Desg 3", "Desk 3"),))
    assert pages_for(state, geometry_for(url), url) == [["C012 -> Desg 3 / Desk 3 ", " " * 24]]
    assert pages_turned(url, state) == 1


def test_desks_named_in_turn_on_a_board_of_20_columns() -> None:
    """ "C012 -> Desg 3 / Desk 3" is 23 characters: a 2 x 20 board shows the calls with the
    Welsh names, then the same calls with the English names, each page whole and in width."""
    url = "ascii+serial:///dev/ttyUSB1"
    assert pages_turned(parse_board_url(url), WELSH_CALLS) == 2
    first = encode(parse_board_url(url), WELSH_CALLS, first=True, page=0)
    second = encode(parse_board_url(url), WELSH_CALLS, first=False, page=1)
    assert first == b"\x0201C012 -> Desg 3      \rH002 -> Ystafell gyf\x03"
    assert second == b"\x0201C012 -> Desk 3      \rH002 -> Interview ro\x03"
    dmd = Screen("epson").feed(frame("dmd+serial:///dev/ttyUSB1", WELSH_CALLS))
    assert dmd.text() == ["C012 -> Desg 3".ljust(20), "H002 -> Ystafell gyf"]


def test_an_alpha_sign_turns_the_two_pages_itself() -> None:
    """One frame holds both pages (Welsh, then English): the sign shows them in turn."""
    url = parse_board_url("alpha+serial:///dev/ttyUSB1")
    lone = BoardState(calls=(Call("C012", "Desg 3", "Desk 3"),))
    assert pages_turned(url, lone) == 1  # nothing for the worker to turn
    sign = decode_alpha(encode(url, lone))
    assert [text.rstrip() for _, _, text in sign.pages] == ["C012 -> Desg 3", "C012 -> Desk 3"]


def test_a_desk_with_no_welsh_name_is_one_page() -> None:
    url = parse_board_url("ascii+serial:///dev/ttyUSB1")
    assert pages_for(ONE, geometry_for(url), url) == [["C012 -> Desk 3".ljust(20), " " * 20]]
    assert pages_turned(url, ONE) == 1


# Addresses and settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ascii+serial:///dev/x?address=1", "address must be two digits"),
        ("ascii+serial:///dev/x?address=0A", "address must be two digits"),
        ("ascii+serial:///dev/x?address=100", "address must be two digits"),
        ("alpha+serial:///dev/x?address=G1", "two hexadecimal digits"),
        ("alpha+serial:///dev/x?address=1", "two hexadecimal digits"),
        ("alpha+serial:///dev/x?type=ZZ", "type must be one character"),
        ("alpha+serial:///dev/x?label=", "label must be one character"),
        ("ascii+serial:///dev/x?checksum=crc", "checksum must be none, xor, sum8"),
        ("dmd+serial:///dev/x?mode=cd5221", "mode must be epson or cd5220"),
        ("dmd+serial:///dev/x?address=01", "unknown setting 'address'"),
        ("dmd+serial:///dev/x?rows=3", "rows must be a whole number from 1 to 2"),
        ("ascii+serial:///dev/x?cols=wide", "cols must be a whole number from 4 to 80"),
        ("alpha+serial:///dev/x?adress=01", "unknown setting 'adress'"),
    ],
)
def test_board_settings_are_checked(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_board_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ascii+serial:///dev/x?address=07&checksum=xor",
        "alpha+serial:///dev/x?address=FF&type=!&label=B&rows=2",
        "alpha+socket://10.0.0.9:4001?address=00",
        "dmd+serial:///dev/x?mode=cd5220&rows=2&cols=20&baudrate=9600",
    ],
)
def test_good_board_settings(url: str) -> None:
    parse_board_url(url)
