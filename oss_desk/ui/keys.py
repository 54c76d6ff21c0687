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
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Keys:
    """Bindings whose ids start with ``prefix`` and a dot."""

    prefix: str

    def __call__(
        self,
        key: str,
        action: str,
        description: str,
        tooltip: str,
        *,
        id: str | None = None,
        show: bool = True,
        priority: bool = False,
    ) -> Binding:
        """``Binding(key, action, description, id=prefix.id, tooltip=tooltip)``; ``id`` is the
        part after the prefix, the action's name when not given."""
        if id is None and not action.isidentifier():
            raise ValueError(f"{self.prefix}: the key {key!r} ({action}) needs an id")
        return Binding(
            key,
            action,
            description,
            show=show,
            priority=priority,
            tooltip=tooltip,
            id=f"{self.prefix}.{id or action}",
        )

    def find_ticket(self) -> Binding:
        """F7 where a ticket is looked up by its code: the same key on every screen that has it
        (:func:`oss_desk.ui.screens.flows.find_ticket` does it)."""
        return self("f7", "find", "Find", "Look a ticket up by its code")
