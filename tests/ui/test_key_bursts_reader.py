"""Review 16, 1: the desk's terminal reader (oss_desk.ui.reader) reads Esc and the key typed after
it as those two keys, whatever the key, while the terminal's own sequences (arrows, F-keys,
focus, paste, mouse) stay whole. Textual's parser joined them: Esc then 3 was ``pound_sign``,
Esc then F ``ctrl+right``, Esc then Enter Enter alone. The drivers are the pinned Textual's: a
test here fails if an upgrade makes its reader some other way."""

from __future__ import annotations

import time

import pytest
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.drivers.headless_driver import HeadlessDriver
from textual.drivers.linux_driver import LinuxDriver
from textual.drivers.web_driver import WebDriver

from oss_desk.ui.keyboard import Keyboard
from oss_desk.ui.reader import PARSER_NAME, SEQUENCE_STARTS, DeskParser, EscPair, desk_driver

ESC = "\x1b"
Keys = list[tuple[str, str | None]]


def keys(parser: XTermParser, data: str) -> Keys:
    """The keys ``data`` gives as soon as it is read (no wait)."""
    return [(e.key, e.character) for e in parser.feed(data) if isinstance(e, events.Key)]


def after_the_wait(parser: XTermParser) -> Keys:
    """The keys the parser gives once its wait for the rest of a sequence is over."""
    deadline = time.monotonic() + constants.ESCAPE_DELAY + 5
    while time.monotonic() < deadline:
        if found := [(e.key, e.character) for e in parser.tick() if isinstance(e, events.Key)]:
            return found
        time.sleep(0.01)
    return []


def alone(character: str) -> Keys:
    """The keys Textual reads ``character`` as, typed on its own."""
    return keys(XTermParser(), character)


BYTES = [chr(b) for b in range(0x7F + 1) if chr(b) != ESC]
"""Every printable byte, and every control byte but ESC itself."""


def typed(parser: XTermParser, data: str) -> Keys:
    """The keys typed: a word key's pair (an EscPair) as its two keys, as the desk's keyboard
    takes it outside a text box."""
    found: Keys = []
    for e in parser.feed(data):
        if isinstance(e, EscPair):
            found += [(k.key, k.character) for k in e.apart]
        elif isinstance(e, events.Key):
            found.append((e.key, e.character))
    return found


@pytest.mark.parametrize("character", BYTES, ids=repr)
def test_esc_and_any_key_read_together_are_the_two_keys(character: str) -> None:
    parser = DeskParser()
    read = typed(parser, ESC + character)
    if character in SEQUENCE_STARTS:  # a sequence may follow: Textual's own short wait
        assert read == []
        read = after_the_wait(parser)
    assert read == [("escape", ESC), *alone(character)]


@pytest.mark.parametrize(
    ("character", "word_key"), [("b", "ctrl+left"), ("f", "ctrl+right"), ("\x7f", "ctrl+w")]
)
def test_a_word_key_s_pair_is_also_textual_s_word_key(character: str, word_key: str) -> None:
    """Option+Left/Right in a Mac browser and Alt+Backspace send ESC b, ESC f, ESC DEL: in a
    text box they move or delete a word (review 17, 1), so the pair keeps Textual's key too."""
    (pair,) = DeskParser().feed(ESC + character)
    assert isinstance(pair, EscPair) and pair.key == word_key
    assert [(k.key, k.character) for k in pair.apart] == [("escape", ESC), *alone(character)]


@pytest.mark.parametrize(
    ("typed", "joined"),
    [("3", "pound_sign"), ("f", "ctrl+right"), ("b", "ctrl+left"), ("\r", "enter")],
)
def test_textual_s_own_parser_joins_them(typed: str, joined: str) -> None:
    """What the pinned Textual does without the desk's reader (so the test above means it);
    Esc then Enter comes after its wait, as Enter alone."""
    parser = XTermParser()
    read = keys(parser, ESC + typed) or after_the_wait(parser)
    assert [key for key, _ in read] == [joined]


def test_keys_typed_in_one_burst_after_esc_come_in_order() -> None:
    assert typed(DeskParser(), "\x1b3\x1bf\x1b\r4") == [
        ("escape", ESC),
        ("3", "3"),
        ("escape", ESC),
        ("f", "f"),
        ("escape", ESC),
        ("enter", "\r"),
        ("4", "4"),
    ]


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b[A",  # up
        "\x1bOP",  # F1 (SS3)
        "\x1b[15~",  # F5
        "\x1b[1;3A",  # Alt+Up
        "\x1b[1;5C",  # Ctrl+Right as a terminal sends it
        "\x1b[Z",  # Shift+Tab as a terminal sends it
        "\x1b[27u",  # Esc in the kitty keyboard protocol
        "\x1b\x1b[A",  # Esc, then up
        "\x1b[I",  # the terminal has the focus
        "\x1b[<0;10;5M",  # a click
        "\x1b[200~pasted\x1b[201~",
    ],
    ids=repr,
)
def test_the_terminal_s_own_sequences_stay_whole(sequence: str) -> None:
    def read(parser: XTermParser) -> list[object]:
        return [
            (type(e).__name__, getattr(e, "key", None), getattr(e, "text", None))
            for e in parser.feed(sequence)
        ]

    assert read(DeskParser()) == read(XTermParser())


def test_a_lone_esc_comes_after_textual_s_own_wait_and_no_later() -> None:
    desk, textual = DeskParser(), XTermParser()
    assert keys(desk, ESC) == keys(textual, ESC) == []  # a sequence may follow
    began = time.monotonic()
    assert after_the_wait(desk) == [("escape", ESC)]
    assert time.monotonic() - began < constants.ESCAPE_DELAY + 1
    assert after_the_wait(textual) == [("escape", ESC)]


@pytest.mark.parametrize("driver", [LinuxDriver, WebDriver], ids=lambda d: d.__name__)
def test_the_terminal_s_and_the_browser_s_drivers_read_with_the_desk_s_parser(
    driver: type[LinuxDriver] | type[WebDriver],
) -> None:
    """The pinned Textual makes its reader by name in ``run_input_thread``: the desk's driver
    reads with DeskParser there. An upgrade that changes it fails here."""
    reads = driver.run_input_thread
    assert PARSER_NAME in reads.__code__.co_names
    desks = desk_driver(driver)
    assert desks is not driver and issubclass(desks, driver)
    assert desks.run_input_thread.__globals__[PARSER_NAME] is DeskParser
    assert reads.__globals__[PARSER_NAME] is XTermParser  # Textual's own driver is unchanged


def test_a_driver_that_reads_no_terminal_is_kept() -> None:
    assert desk_driver(HeadlessDriver) is HeadlessDriver


def test_the_desk_app_reads_with_the_desk_s_driver() -> None:
    driver = Keyboard((), 0.1).driver_class
    assert driver.run_input_thread.__globals__[PARSER_NAME] is DeskParser  # type: ignore[attr-defined]
