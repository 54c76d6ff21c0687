"""A QR scanner is a keyboard: recognise the booking payload it types, whatever screen is open.

A USB scanner types ``OSSD-A:K7M-3QX`` and (usually) Enter, a few milliseconds per key. Those
keys must never reach the screen: on the adviser desk "s" starts serving and "x" is a no-show.
So an ``O`` (either case: a scanner with Caps Lock on types lower case) is held back for a
moment: if the rest of ``OSSD-A:`` follows, the keys up to Enter (or a pause) are the payload;
otherwise the held keys are let through in order, as typed (an ``o`` typed alone arrives a
quarter of a second late).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")

PREFIX = "OSSD-A:"


@dataclass
class ScanCatcher(Generic[K]):
    """Feed it every key (its character and name); it says what to do with each."""

    held: list[K] = field(default_factory=list)
    typed: str = ""
    generation: int = 0
    """Bumped on every key, so a pause timer can tell whether it is still the latest."""

    @property
    def scanning(self) -> bool:
        """The whole prefix has been seen: the keys now are the payload."""
        return len(self.typed) >= len(PREFIX)

    @property
    def active(self) -> bool:
        return bool(self.held)

    def feed(self, event: K, key: str, character: str | None) -> str:
        """``hold`` (keep it back), ``done`` (the payload is complete: see :meth:`take`),
        ``release`` (let the held keys and this one through) or ``pass`` (nothing held)."""
        self.generation += 1
        if not self.held:
            if character is not None and character.upper() == PREFIX[0]:
                self.held.append(event)
                self.typed = PREFIX[0]
                return "hold"
            return "pass"
        if self.scanning:
            if key in ("enter", "tab"):
                return "done"
            if character and character.isprintable():
                self.held.append(event)
                self.typed += character
                return "hold"
            return "done"
        expected = PREFIX[len(self.typed)]
        if character is not None and character.upper() == expected:
            self.held.append(event)
            self.typed += expected
            return "hold"
        return "release"

    def take(self) -> str:
        """The payload typed after the prefix; forget everything."""
        payload = self.typed[len(PREFIX) :]
        self.reset()
        return payload

    def release(self) -> list[K]:
        """The keys held back (a person typed them): to be handled as usual."""
        held = self.held
        self.reset()
        return held

    def reset(self) -> None:
        self.held = []
        self.typed = ""
