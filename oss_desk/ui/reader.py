"""The desk's terminal reader: Esc and the key typed after it are the two keys typed.

A terminal sends Esc as the byte ESC, and Alt+X as ESC then X; function keys and arrows are
ESC ``[`` or ESC ``O`` then more. Textual's reader (its XTerm parser, in the terminal's driver
and in the browser desk's) joins ESC to the next byte whenever they are read together, typed
fast or the desk busy for a moment: Esc then 3 came out as ``pound_sign`` (macOS's Option+3),
Esc then F as ``ctrl+right``, Esc then Enter as Enter alone (the Esc lost, and the box the
person meant to close confirmed), Esc then Tab as Shift+Tab. The desk has no Alt keys, so
:class:`DeskParser` reads ESC and any other key as the two keys, as soon as the second byte is
read. Only ESC ``[`` and ESC ``O``, which start a real sequence, still wait for the rest (Textual's
own short wait); when none comes, they too are Esc and the key. A lone Esc is sent as Textual
sends it (after that same wait, or at once when the next byte is another key).

:func:`desk_driver` gives a driver that reads with :class:`DeskParser`. It relies on the pinned
Textual making its parser by the name ``XTermParser`` in the driver's ``run_input_thread``
(``tests/ui/test_key_bursts_reader.py`` fails if an upgrade changes that).
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from functools import cache

from textual import events
from textual._xterm_parser import XTermParser
from textual.driver import Driver

ESC = "\x1b"
SEQUENCE_STARTS = frozenset("[O")
"""What follows ESC at the start of a terminal's escape sequence (CSI and SS3): every key,
mouse, focus, paste and report sequence the desk reads starts with one of them."""
PARSER_NAME = "XTermParser"
"""The name by which the pinned Textual's drivers make their reader."""
WORD_KEYS = frozenset("bf\x7f")
"""What follows ESC when a text box's word key was pressed: Option+Left and Option+Right in a
Mac browser (ESC b, ESC f), Alt+Backspace (ESC DEL), which Textual reads as ``ctrl+left``,
``ctrl+right`` and ``ctrl+w``."""


class EscPair(events.Key):
    """ESC and a word key's byte read together (:data:`WORD_KEYS`): Textual's key for them
    (``ctrl+left``: a word left in a text box), with the two keys typed, Esc and the key
    (:attr:`apart`). In a text box it is the word key; anywhere else the two keys (the desk's
    keyboard decides: :class:`~oss_desk.ui.keyboard.Keyboard`), so Option+Left moves a word in
    the booking form instead of closing it, and Esc then F at the adviser desk is still both."""

    def __init__(self, key: str, character: str | None, apart: tuple[events.Key, ...]) -> None:
        super().__init__(key, character)
        self.apart = apart


class DeskParser(XTermParser):
    """Textual's reader, except that ESC and a key read together are Esc, then the key (a word
    key's pair: :class:`EscPair`)."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if alt:  # ESC [ or ESC O and no sequence after it: Esc, then the key
            yield events.Key("escape", ESC)
        elif len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in SEQUENCE_STARTS:
            apart = (
                events.Key("escape", ESC),
                *super()._sequence_to_key_events(sequence[1]),
            )
            if sequence[1] not in WORD_KEYS:
                yield from apart
                return
            for joined in super()._sequence_to_key_events(sequence):
                yield EscPair(joined.key, joined.character, apart)
            return
        yield from super()._sequence_to_key_events(sequence)


@cache
def desk_driver(driver: type[Driver]) -> type[Driver]:
    """``driver``, reading with :class:`DeskParser` (a driver that reads with no XTerm parser,
    the headless one under tests, is kept as it is)."""
    reads = vars(driver).get("run_input_thread")
    if not isinstance(reads, types.FunctionType) or PARSER_NAME not in reads.__code__.co_names:
        return driver
    scope = {**reads.__globals__, PARSER_NAME: DeskParser}
    own = types.FunctionType(
        reads.__code__, scope, reads.__name__, reads.__defaults__, reads.__closure__
    )
    own.__qualname__ = reads.__qualname__
    return type(driver.__name__, (driver,), {"run_input_thread": own, "__module__": __name__})
