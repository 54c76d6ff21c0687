"""Key bindings written one row a key.

Every key of the desk has an ``id`` (a council remaps it by that id) and a ``tooltip`` (F1 help
and the command palette show it), and the ids of one screen share a prefix (``appt.book``,
``appt.move``). :class:`Keys` writes that once: a screen names its prefix, and each row gives
the key, the action, the word on the key bar and the tooltip::

    key = Keys("appt")
    BINDINGS = [
        key("b", "book", "Book", "Book an appointment"),
        key("x", "cancel_booking", "Cancel", "Cancel the highlighted one", id="cancel"),
    ]

The id is the prefix and the action's name unless ``id=`` names it (an action with arguments,
such as ``shift(-1)``, always names it).

A screen with no text box of its own may take its keys first (``Keys("desk", first=True)``:
Textual's priority bindings): a key then runs its action as soon as the app reads it, instead
of being handed to the focused widget and passed up through each of its containers first (about
half a millisecond on the adviser's call next). A key that does nothing now still goes that way
and is said (see ``DeskScreen.on_key``). A focused widget that answers one key and goes away on
any other (the resident's rating prompt) is told of every key first (:class:`SeesEveryKey`).

A row also says who may use the key: ``may=`` names the permission its action needs (see
:mod:`oss_desk.domain.access`), and :func:`role_actions` builds a screen's ``ROLE_ACTIONS``
from its rows, so a key, its action, its label and who may press it are written in one place::

    BINDINGS = [key("b", "book", "Book", "Book an appointment", may=Action.BOOK_APPOINTMENT)]
    ROLE_ACTIONS = role_actions(BINDINGS)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from textual.actions import parse
from textual.binding import Binding, BindingType

from oss_desk.domain.access import Action


@dataclass(frozen=True)
class DeskBinding(Binding):
    """A binding that also names the permission its action needs (``None``: anyone here)."""

    may: Action | None = None


@dataclass(frozen=True)
class Keys:
    """Bindings whose ids start with ``prefix`` and a dot."""

    prefix: str
    first: bool = False
    """The default of each row's ``priority``: the screen takes its keys before its widgets."""

    def __call__(
        self,
        key: str,
        action: str,
        description: str,
        tooltip: str,
        *,
        id: str | None = None,
        show: bool = True,
        priority: bool | None = None,
        may: Action | None = None,
    ) -> DeskBinding:
        """``Binding(key, action, description, id=prefix.id, tooltip=tooltip)``; ``id`` is the
        part after the prefix, the action's name when not given; ``may``: the permission the
        action needs."""
        if id is None and not action.isidentifier():
            raise ValueError(f"{self.prefix}: the key {key!r} ({action}) needs an id")
        return DeskBinding(
            key,
            action,
            description,
            show=show,
            priority=self.first if priority is None else priority,
            tooltip=tooltip,
            id=f"{self.prefix}.{id or action}",
            may=may,
        )

    def find_ticket(self) -> DeskBinding:
        """F7 where a ticket is looked up by its code: the same key on every screen that has it
        (:func:`oss_desk.ui.screens.flows.find_ticket` does it)."""
        return self("f7", "find", "Find", "Look a ticket up by its code", may=Action.FIND_TICKET)

    def checklist(self, tooltip: str) -> DeskBinding:
        """K where an appointment's checklist is ticked: the same key, action and permission on
        every screen that has it (:func:`oss_desk.ui.screens.flows.tick_checklist` does it);
        ``tooltip`` says it in the screen's words."""
        return self("k", "checklist", "Checklist", tooltip, may=Action.TICK_CHECKLIST)

    def transfer(self, tooltip: str) -> DeskBinding:
        """T where a ticket is transferred: the same key, action and permission on every screen
        that has it; ``tooltip`` says it in the screen's words."""
        return self("t", "transfer", "Transfer", tooltip, may=Action.TRANSFER)


def role_actions(*rows: Iterable[BindingType]) -> dict[str, Action]:
    """Which permission each action of ``rows`` needs, by the action's name as
    ``check_action`` is asked it (``screen.issue`` is ``issue``, ``shift(-1)`` is ``shift``);
    an action with no ``may=`` is left out (anyone at the screen may)."""
    needs: dict[str, Action] = {}
    for binding in (b for group in rows for b in group):
        if not isinstance(binding, DeskBinding) or binding.may is None:
            continue
        _, name, _ = parse(binding.action)
        if needs.setdefault(name, binding.may) is not binding.may:
            raise ValueError(f"{name}: two keys ask for {needs[name]} and {binding.may}")
    return needs


class SeesEveryKey(Protocol):
    """A focused widget the app tells of every key before any binding runs (a screen that takes
    its keys first would otherwise act on them before the widget saw them)."""

    def key_seen(self, key: str) -> None: ...


def sees_every_key(node: object) -> SeesEveryKey | None:
    """``node`` when it is a :class:`SeesEveryKey` (it has a ``key_seen`` method), else None.
    Asked on every key: a runtime-checkable protocol's ``isinstance`` works out the protocol's
    members again on each call (Python 3.11), about as long as the rest of the key's way to its
    binding's action."""
    return cast(SeesEveryKey, node) if callable(getattr(node, "key_seen", None)) else None
