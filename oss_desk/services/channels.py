"""What is set up to confirm a booking at a desk, read from the settings and the desk (the rule
itself: :mod:`oss_desk.domain.channels`).

Meet-and-greet asks :func:`texts_set_up` for its first frame: the rule's module (and the
appointments' domain it brings) is imported only by what books or warns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oss_desk.config import Settings
    from oss_desk.domain.channels import BookingChannels


def email_set_up(settings: Settings) -> bool:
    """Email can be sent: a mail server, or Notify with its key and an email template."""
    notify = settings.notify
    return bool(settings.email.smtp_url or (notify.api_key_file and notify.email_template))


def texts_set_up(settings: Settings) -> bool:
    """Texts can be sent: Notify's key and text template are set (or the demo's virtual phone)."""
    notify = settings.notify
    return notify.base_url.startswith("capture://") or bool(
        notify.api_key_file and notify.sms_template
    )


def booking_channels(settings: Settings, *, printer: bool) -> BookingChannels:
    """The channels that can confirm a booking made where there is (or is not) a ``printer``
    for the slip: the desk's, or one given with ``--print-to``."""
    from oss_desk.domain.channels import BookingChannels

    return BookingChannels(
        email=email_set_up(settings), texts=texts_set_up(settings), printer=printer
    )


def promised_channels(settings: Settings) -> list[str]:
    """The channels the configuration promises and has not set up (``init`` warns of each):
    texts, when Notify's text template is given (or its key, with no template at all), and
    email, when Notify's email template or the mail server's login or sender is given."""
    from oss_desk.domain.channels import promised_not_set_up

    notify, email = settings.notify, settings.email
    texts_given = [
        name
        for name, value in (
            ("notify.sms_template", notify.sms_template),
            ("notify.api_key_file", notify.api_key_file and not notify.email_template),
        )
        if value
    ]
    email_given = [
        name
        for name, value in (
            ("notify.email_template", notify.email_template),
            ("email.username", email.username),
            ("email.password_file", email.password_file),
            ("email.from_address", email.from_address != type(email)().from_address),
        )
        if value
    ]
    return promised_not_set_up(
        email=email_set_up(settings),
        texts=texts_set_up(settings),
        email_given=email_given,
        texts_given=texts_given,
    )
