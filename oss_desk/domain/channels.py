"""Which channels can confirm a booking at a desk: email (when the office has set email up),
a text (when it has set texts up) and a printed slip (when the desk has a printer, or one is
given with ``--print-to``). The booking dialog, the booking refusals and ``doctor`` ask this, so
none of them offers, or points to, a channel that does not work here.

Pure: the caller says what is set up (``services.channels`` reads it from the settings).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oss_desk.domain.appointments import Preferred
from oss_desk.domain.channel_words import (
    EMAIL_NOT_SET_UP,
    NO_PRINTER,
    NOT_SET_UP_HERE,
    TEXTS_NOT_SET_UP,
)

_OFFERED = {
    Preferred.EMAIL: "an email",
    Preferred.TEXT: "a text",
    Preferred.SLIP: "a printed slip",
}
NOT_SET_UP = {
    Preferred.EMAIL: EMAIL_NOT_SET_UP,
    Preferred.TEXT: TEXTS_NOT_SET_UP,
    Preferred.SLIP: NO_PRINTER,
}
"""Why each channel cannot be used (as said where nothing else is offered instead)."""
_BY_DEFAULT = {
    Preferred.EMAIL: "email if given",
    Preferred.TEXT: "text",
    Preferred.SLIP: "a printed slip",
}

NONE_WORKS = (
    "no booking can be confirmed here: email and texts are not set up for this office and this "
    "desk has no printer for a slip; set up email (email.smtp_url) or texts (notify), or book "
    "at a desk with a printer"
)
PRINT_TO_HINT = "or give a printer with --print-to URL"
"""The command line's way to a slip without a desk's printer."""


@dataclass(frozen=True, slots=True)
class BookingChannels:
    """What can confirm a booking made at one desk."""

    email: bool
    """Email is set up for the office (a mail server, or Notify with an email template)."""
    texts: bool
    """Texts are set up for the office (Notify with a text template)."""
    printer: bool
    """A printer for the slip: this desk's, or one given (``--print-to``)."""

    def works(self, channel: Preferred) -> bool:
        return {Preferred.EMAIL: self.email, Preferred.TEXT: self.texts}.get(channel, self.printer)

    @property
    def working(self) -> tuple[Preferred, ...]:
        """The channels that can confirm a booking here, in the order they are offered."""
        return tuple(c for c in Preferred if self.works(c))

    def refusal(self, channel: Preferred) -> str | None:
        """Why ``channel`` cannot confirm a booking here, pointing only to channels that can
        (none can: what would); None when it can."""
        if self.works(channel):
            return None
        others = [_OFFERED[c] for c in self.working]
        if not others:
            return NONE_WORKS
        offer = " or ".join(others)
        return f"{NOT_SET_UP[channel]}: offer {offer} instead"

    @property
    def for_a_reference(self) -> tuple[Preferred, ...]:
        """How a referral's reference can reach the resident, as the follow-up form offers it:
        a slip first (it needs no contact; where the desk has no printer it is offered marked
        "(not set up here)", as the booking form marks it, and never chosen), then email and a
        text only where the office has set them up (as meet-and-greet's Ctrl+N offers no text
        where texts are not)."""
        return (Preferred.SLIP, *(c for c in (Preferred.EMAIL, Preferred.TEXT) if self.works(c)))

    def chosen(
        self, offered: Sequence[Preferred], first: Preferred | None = None
    ) -> Preferred | None:
        """The channel a form offering ``offered`` has chosen already: ``first`` where it works
        here (a referral's slip: it needs no contact), else the only offered one that works
        here; None: the person chooses (or none works). A channel that does not work here is
        never chosen (it is offered marked: :meth:`label`)."""
        if first is not None and first in offered and self.works(first):
            return first
        usable = [c for c in offered if self.works(c)]
        return usable[0] if len(usable) == 1 else None

    def default_said(self) -> str:
        """What the booking form does when no channel is chosen (more than one works)."""
        return "No channel chosen: " + ", else ".join(_BY_DEFAULT[c] for c in self.working)

    def label(self, channel: Preferred) -> str:
        """A channel as the booking form offers it: marked when it cannot be chosen here."""
        return channel.words if self.works(channel) else f"{channel.words} ({NOT_SET_UP_HERE})"


def desks_without_a_channel(desks: list[str]) -> str:
    """``doctor``'s warning: no booking can be confirmed at these desks (by name)."""
    have = "this desk has" if len(desks) == 1 else "these desks have"
    return (
        f"no booking can be confirmed at {', '.join(desks)}: email and texts are not set up "
        f"for this office and {have} no printer for a slip; set up email (email.smtp_url) or "
        "texts (notify), or give the desks a printer"
    )


def promised_not_set_up(
    *, email: bool, texts: bool, email_given: Sequence[str], texts_given: Sequence[str]
) -> list[str]:
    """``init``'s warnings, one line each: a channel the configuration promises (``*_given``:
    the settings of it that are given) but that cannot send (``email``, ``texts``: set up), so
    nothing goes by it: "texts are not set up for this office
    (notify.api_key_file and sms_template), though notify.sms_template is given: ..."."""
    lines = []
    for words, given, works, what in (
        (TEXTS_NOT_SET_UP, texts_given, texts, "text"),
        (EMAIL_NOT_SET_UP, email_given, email, "email"),
    ):
        if given and not works:
            are = "is" if len(given) == 1 else "are"
            lines.append(
                f"{words}, though {' and '.join(given)} {are} given: no {what} is sent "
                f"(booking confirmations, reminders) until it is"
            )
    return lines
