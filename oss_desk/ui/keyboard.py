"""The desk app's keyboard: keys are read from the terminal as typed (Esc and the key after it
are two keys: :mod:`oss_desk.ui.reader`), what a QR scanner types is caught whatever screen is
open, and every other key goes through the key line (:mod:`oss_desk.ui.keyline`): one at a time,
in the order typed, each to the end of its way before the next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.driver import Driver
from textual.widgets import Input

from oss_desk.ui.faults import guard, guarded
from oss_desk.ui.keyline import KeyLine, Trail
from oss_desk.ui.keys import sees_every_key
from oss_desk.ui.modes import switch_first
from oss_desk.ui.reader import EscPair, desk_driver
from oss_desk.ui.scanner import PREFIX, ScanCatcher

if TYPE_CHECKING:
    from oss_desk.ui.screens.scans import ScanQueue


class Keyboard(App[None]):
    def __init__(self, prefixes: tuple[str, ...], scan_pause: float) -> None:
        super().__init__()
        self.scan_pause = scan_pause
        self._scan: ScanCatcher[events.Key] = ScanCatcher(prefixes)
        self._scans: ScanQueue | None = None
        self.key_line = KeyLine(self, self._key)

    def get_driver_class(self) -> type[Driver]:
        """The terminal's driver (or the browser desk's), reading keys as typed."""
        return desk_driver(super().get_driver_class())

    @guarded
    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
        elif event.is_forwarded:  # come back up to the app: its other bindings run here
            await super().on_event(event)
            self.key_line.arrived(event)
        else:
            for key in self._apart(event):
                await self._typed(key)

    def _apart(self, event: events.Key) -> tuple[events.Key, ...]:
        """The keys typed: a word key's pair read with Esc (:class:`EscPair`) is the word key
        in a text box (Option+Left moves a word), elsewhere Esc and the key."""
        if not isinstance(event, EscPair):
            return (event,)
        if isinstance(self.focused, Input):  # a plain key: widgets handle keys by their class
            return (events.Key(event.key, event.character),)
        return event.apart

    @guarded
    def on_trail(self, trail: Trail) -> None:
        self.key_line.trailed(trail)

    async def _typed(self, event: events.Key) -> None:
        """A key from the terminal: a scanner's are kept back until it is clear what they are."""
        verdict = self._scan.feed(event, event.key, event.character)
        if verdict == "hold":
            generation = self._scan.generation
            self.set_timer(self.scan_pause, guard(self, lambda: self._scan_paused(generation)))
            return
        if verdict == "done":
            self._scan_done()
            if event.key in ("enter", "tab"):
                return
        elif verdict == "release":
            self.key_line.waiting.extend(self._scan.release())
        await self.key_line.put(event)

    async def _key(self, event: events.Key) -> bool:
        """One key, its turn come: True when its way ended on the app."""
        if (focused := sees_every_key(self.focused)) is not None:
            focused.key_seen(event.key)
        if await switch_first(self, event.key):
            return True
        await super().on_event(event)  # a priority binding runs, or it goes to the focus
        return not event.is_forwarded

    async def _scan_paused(self, generation: int) -> None:
        """No key for a moment: a finished scan (a scanner set up without Enter), or a person
        who typed a capital O: let it through."""
        if generation != self._scan.generation or not self._scan.active:
            return
        if self._scan.scanning:
            self._scan_done()
            return
        self.key_line.waiting.extend(self._scan.release())
        await self.key_line.run()

    def _scan_done(self) -> None:
        prefix, payload = self._scan.take_all()
        if prefix == PREFIX:
            self.scanned(payload)
        else:  # a ticket's QR (its code or its phone-page link): open that ticket
            self.scans.add(None, (prefix or "") + payload)

    def scanned(self, payload: str) -> None:
        """A booking's QR code was scanned: the open dialog takes it, else (once no dialog is
        open) check the resident in."""
        handler = getattr(self.screen, "scanned", None)
        if handler is None or not handler(payload):
            self.scans.add(PREFIX, payload)

    @property
    def scans(self) -> ScanQueue:
        """Scans that came while a dialog was open (made on the first such scan)."""
        if self._scans is None:
            from oss_desk.ui.screens.scans import ScanQueue

            self._scans = ScanQueue(self)
        return self._scans

    def resume_scans(self) -> None:
        if self._scans is not None:
            self._scans.resume()
