"""A QR scanner is a keyboard: recognise the payloads it types, whatever screen is open.

A USB scanner types ``OSSD-A:K7M-3QX`` (a booking), ``OSSD-T:hq:2026-11-23:C012`` (a ticket) or
the ticket's phone-page link, and (usually) Enter, a few milliseconds per key. Those keys must
never reach the screen: on the adviser desk "s" starts serving and "x" is a no-show. So the first
character of a known prefix (either case: a scanner with Caps Lock on types lower case) is held
back for a moment: if the rest of a prefix follows, the keys up to Enter (or a pause) are the
payload; otherwise the held keys are let through in order, as typed (an ``o`` typed alone
arrives a quarter of a second late; an ``h`` too, where tickets carry a link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from oss_desk.domain.qr_codes import BOOKING_QR, TICKET_QR

K = TypeVar("K")

PREFIX = BOOKING_QR
"""A booking's QR code (slips and letters)."""
TICKET_PREFIX = TICKET_QR
"""A queue ticket's QR code (``printing.ticket_qr``)."""


@dataclass
class ScanCatcher(Generic[K]):
    """Feed it every key (its character and name); it says what to do with each."""

    prefixes: tuple[str, ...] = (PREFIX, TICKET_PREFIX)
    held: list[K] = field(default_factory=list)
    typed: str = ""
    matched: str | None = None
    """The prefix seen whole (None while it may still be a person typing)."""
    generation: int = 0
    """Bumped on every key, so a pause timer can tell whether it is still the latest."""

    @property
    def scanning(self) -> bool:
        """The whole prefix has been seen: the keys now are the payload."""
        return self.matched is not None

    @property
    def active(self) -> bool:
        return bool(self.held)

    def _could_be(self, typed: str) -> list[str]:
        return [p for p in self.prefixes if p.upper().startswith(typed.upper())]

    def feed(self, event: K, key: str, character: str | None) -> str:
        """``hold`` (keep it back), ``done`` (the payload is complete: see :meth:`take`),
        ``release`` (let the held keys and this one through) or ``pass`` (nothing held)."""
        self.generation += 1
        if self.scanning:
            if key in ("enter", "tab"):
                return "done"
            if character and character.isprintable():
                self.held.append(event)
                self.typed += character
                return "hold"
            return "done"
        typed = self.typed + (character or "")
        if character is None or not self._could_be(typed):
            return "release" if self.held else "pass"
        self.held.append(event)
        self.typed = typed
        whole = [p for p in self._could_be(typed) if len(p) == len(typed)]
        if whole:
            self.matched = whole[0]
        return "hold"

    def take(self) -> str:
        """The payload typed after the prefix; forget everything."""
        payload = self.typed[len(self.matched or "") :]
        self.reset()
        return payload

    def take_all(self) -> tuple[str | None, str]:
        """The prefix seen and the payload after it; forget everything."""
        matched = self.matched
        return matched, self.take()

    def release(self) -> list[K]:
        """The keys held back (a person typed them): to be handled as usual."""
        held = self.held
        self.reset()
        return held

    def reset(self) -> None:
        self.held = []
        self.typed = ""
        self.matched = None


def scan_prefixes(session: object) -> tuple[str, ...]:
    """The prefixes this office's scanners type: bookings, tickets, and the tickets' phone-page
    links when ``screen.public_url`` is set."""
    from oss_desk.domain.public import LINK_PATH

    public_url = getattr(getattr(session, "settings", None), "screen", None)
    url = getattr(public_url, "public_url", None)
    return (PREFIX, TICKET_PREFIX) + ((url.rstrip("/") + LINK_PATH,) if url else ())
