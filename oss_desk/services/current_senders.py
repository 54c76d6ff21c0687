"""The senders a worker's lane sends residents' messages through, built from the settings in
force: after ``oss-desk init`` loads a configuration with another mail server, sender address or
GOV.UK Notify key, the next message goes through them without a restart, as its wording does
(:meth:`oss_desk.services.session.Session.refresh_directory`, the one reload). Appointment
messages, referral messages, report emails and follow-up texts each ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.services.sender_states import recorder
from oss_desk.services.senders import NotifySender, SmtpSender
from oss_desk.services.session import Session

if TYPE_CHECKING:
    from oss_desk.config import Settings


class CurrentSenders:
    """A session's SMTP and Notify senders (``smtp``, ``notify``: given ones, kept as they are,
    such as the demo's own), rebuilt when its settings were read again."""

    def __init__(
        self, session: Session, smtp: SmtpSender | None = None, notify: NotifySender | None = None
    ) -> None:
        self.s = session
        self._given = (smtp, notify)
        self._read: Settings | None = None
        self._smtp = smtp
        self._notify = notify

    def _current(self) -> Settings:
        """The settings in force (a configuration ``init`` loaded since is read first); the
        senders built again from them when they changed."""
        self.s.refresh_directory()
        settings = self.s.settings
        if settings is not self._read:
            self._read = settings
            smtp, notify = self._given
            # Each try through the office's own senders kept as their state, as the worker
            # found it (the status line's); given ones (the demo's past) are not the office's.
            self._smtp = smtp or SmtpSender(settings.email, found=recorder(self.s, "smtp"))
            self._notify = notify or NotifySender(settings.notify, found=recorder(self.s, "notify"))
        return settings

    @property
    def smtp(self) -> SmtpSender:
        self._current()
        assert self._smtp is not None
        return self._smtp

    @property
    def notify(self) -> NotifySender:
        self._current()
        assert self._notify is not None
        return self._notify
