"""What a channel that is not set up for this office is called, where it is offered or asked
for: the words alone (:mod:`oss_desk.domain.channels` decides which channels work).

A module of its own, importing nothing: meet-and-greet says one of them from its first frame
(its Text me key where texts are not set up), and the rules of the channels bring the appointments'
domain with them.
"""

from __future__ import annotations

NOT_SET_UP_HERE = "not set up here"
"""What a channel that cannot confirm a booking here is marked with, where it is offered."""

EMAIL_NOT_SET_UP = (
    "email is not set up for this office (email.smtp_url, or notify with its email_template)"
)
TEXTS_NOT_SET_UP = "texts are not set up for this office (notify.api_key_file and sms_template)"


def texts_off_at_greet(key: str) -> str:
    """Meet-and-greet's Text me where texts are not set up, said instead of asking for a
    number: ``key`` is its key as this desk takes it (Ctrl+N; Ctrl+O at a browser desk)."""
    return f"{key} (texts for a resident while they wait) is {NOT_SET_UP_HERE}: {TEXTS_NOT_SET_UP}"


NO_PRINTER = "a printed slip needs a desk with a printer"
