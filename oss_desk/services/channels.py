"""What is set up to confirm a booking at a desk, read from the settings and the desk (the rule
itself: :mod:`oss_desk.domain.channels`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.domain.channels import BookingChannels

if TYPE_CHECKING:
    from oss_desk.config import Settings


def email_set_up(settings: Settings) -> bool:
    """Email can be sent: a mail server, or Notify with its key and an email template."""
    notify = settings.notify
    return bool(settings.email.smtp_url or (notify.api_key_file and notify.email_template))


def texts_set_up(settings: Settings) -> bool:
    """Texts can be sent: Notify's key and text template are set (or the demo's virtual phone).
    (Light to import: meet-and-greet asks it for its first frame.)"""
    notify = settings.notify
    return notify.base_url.startswith("capture://") or bool(
        notify.api_key_file and notify.sms_template
    )


def booking_channels(settings: Settings, *, printer: bool) -> BookingChannels:
    """The channels that can confirm a booking made where there is (or is not) a ``printer``
    for the slip: the desk's, or one given with ``--print-to``."""
    return BookingChannels(
        email=email_set_up(settings), texts=texts_set_up(settings), printer=printer
    )
