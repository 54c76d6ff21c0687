"""Sending messages: a mail server (SMTP) and GOV.UK Notify (the official client).

Both raise :class:`SendFault`, which says whether to retry, whether the message may have got
through anyway (a Notify timeout: look it up by reference before sending again), and whether
staff must be alerted (a refused key, a clock off by more than 30 seconds, a bad template).
No recipient ever appears in a fault's reason or a log line.

The mail libraries (smtplib, ssl, the email package) are imported when an email is first built
or sent: the device worker imports this module at start, and most offices' worker never sends
an email (texts only, or nothing), yet paid for them in every start.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oss_desk import files
from oss_desk.domain.device_faults import file_fault
from oss_desk.domain.email_address import NOT_ONE_ADDRESS, one_recipient
from oss_desk.domain.mail_server import MailServer, parse_mail_url
from oss_desk.domain.outgoing import message_domain, message_id
from oss_desk.domain.send_faults import (
    MAIL_UNREACHABLE,
    NO_LOGIN,
    NO_STARTTLS,
    NOT_PLAIN_ADDRESS,
    NOTIFY_UNREACHABLE,
    certificate_fault,
    unanswered_end,
    unreachable,
)
from oss_desk.domain.sending import look_up_wait
from oss_desk.services.messages import Composed
from oss_desk.services.notify_faults import connect_error, how_it_failed, quiet_library_log

if TYPE_CHECKING:
    from email.message import EmailMessage

    from oss_desk.config_delivery import EmailSettings, NotifySettings


log = logging.getLogger("oss_desk.sending")
notify_log = logging.getLogger("oss_desk.worker.notify")
"""The worker log's lines about sends to Notify without a sure answer and their look-ups (a
child of the worker's logger, so a desk app standing in writes them to its worker.log too):
the reference and the channel only, never a number, an address or a name."""


class SendFault(Exception):
    def __init__(
        self,
        reason: str,
        *,
        retry: bool,
        uncertain: bool = False,
        alert: bool = False,
        look_up_after: float = 0.0,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.uncertain = uncertain
        """The message may have reached the provider (look it up before sending again)."""
        self.alert = alert
        self.look_up_after = look_up_after
        """Seconds before the look-up that comes before any further send may be trusted (a
        send to Notify without a sure answer: :func:`oss_desk.domain.sending.look_up_wait`);
        the next try is no sooner (:func:`oss_desk.domain.sending.next_try`)."""


def _capture(path: str, data: bytes, ident: str) -> str:
    """Append a message to a file (the demo's mailbox and phone); never a real send."""
    target = Path(path)
    try:
        files.append_private(target, data + b"\n")  # 0600: it holds names and numbers
    except OSError as exc:
        log.warning("capture %s: %s", target, exc)  # the OS's words: the log only
        raise SendFault(file_fault(target, exc.errno), retry=True) from None
    return ident


def _mbox(path: str, email: EmailMessage) -> str:
    """Append to the mbox file at ``path`` (:func:`oss_desk.services.mbox.append_mbox`); a fault
    of the file said in plain words, retried later."""
    from oss_desk.services.mbox import append_mbox

    target = Path(path)
    try:
        append_mbox(target, email)
    except OSError as exc:
        log.warning("mailbox %s: %s", target, exc)  # the OS's words: the log only
        held = isinstance(exc, FileExistsError)  # the dot-lock: another program has it
        code = errno.EAGAIN if held else exc.errno
        raise SendFault(file_fault(target, code), retry=True) from None
    return str(email["Message-ID"])


def _secret(path: str | None, what: str) -> str | None:
    if not path:
        return None
    try:
        return files.read_bounded(Path(path), 64 * 1024).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise SendFault(
            f"cannot read the {what} file ({reason})", retry=False, alert=True
        ) from None


Found = Callable[[SendFault | None], None]
"""What is told how a send went: None, accepted; else its fault (the worker keeps it as the
sender's state, :mod:`oss_desk.services.sender_states`)."""


def _observed(found: Found | None, send: Callable[[], str]) -> str:
    """``send()``, telling ``found`` how it went."""
    try:
        sent = send()
    except SendFault as fault:
        if found is not None:
            found(fault)
        raise
    if found is not None:
        found(None)
    return sent


@dataclass
class SmtpSender:
    settings: EmailSettings
    now: datetime | None = None
    """The message's Date (the session clock); None: the real time."""
    capture: str | None = None
    """A ``capture://`` mailbox every message goes to, whatever ``smtp_url`` says (the demo's
    own, for the messages of its simulated past)."""
    found: Found | None = None
    """Told how each send went (:func:`_observed`)."""

    def send(
        self,
        to: str,
        message: Composed,
        reference: str,
        on_handover: Callable[[], None] | None = None,
        sent_as: str | None = None,
    ) -> str:
        """Send one message; ``on_handover`` runs just before the end of DATA goes out (from
        then on the server may have accepted it, whatever happens to the reply). ``sent_as``:
        the Message-ID an earlier send of it went under (:meth:`message_id`: kept on its row)."""
        email = self._build(to, message, reference, sent_as)
        server = parse_mail_url(self.capture or self.settings.smtp_url or "smtp://localhost")
        if server.captured:  # the demo's (and training's) virtual mailbox: an mbox file
            return _observed(self.found, lambda: _mbox(server.path, email))
        handover = on_handover or (lambda: None)
        return _observed(self.found, lambda: self._smtp(server, email, to, handover))

    def message_id(self, reference: str) -> str:
        """The Message-ID a message of this reference goes under now (the sender's domain)."""
        return message_id(reference, message_domain(self.settings.from_address))

    def _build(
        self, to: str, message: Composed, reference: str, sent_as: str | None = None
    ) -> EmailMessage:
        from email.message import EmailMessage
        from email.utils import format_datetime, formataddr

        from oss_desk.services.email_wire import POLICY
        from oss_desk.services.smtp_wire import add_qr

        email = EmailMessage(policy=POLICY)
        sender, address = message.sender or self.settings.from_name, self.settings.from_address
        email["From"] = formataddr((sender, address)) if sender else address
        email["To"] = to
        email["Subject"] = message.subject
        # In UTC, said as +0000: RFC 5322 reads -0000 as "the zone is not known".
        email["Date"] = format_datetime((self.now or datetime.now(UTC)).astimezone(UTC))
        # The same Message-ID on a resend lets mail systems drop a duplicate.
        email["Message-ID"] = sent_as or self.message_id(reference)
        email["X-OSS-Desk-Reference"] = reference
        email.set_content(message.body)
        if message.qr is not None:
            add_qr(email, message, reference)
        if message.ics is not None:
            method = "CANCEL" if b"METHOD:CANCEL" in message.ics else "PUBLISH"
            email.add_attachment(
                message.ics,
                maintype="text",
                subtype="calendar",
                filename="appointment.ics",
                params={"method": method},
            )
        return email

    def _smtp(
        self, server: MailServer, email: EmailMessage, to: str, on_handover: Callable[[], None]
    ) -> str:
        """One SMTP conversation with the timeouts of RFC 5321 section 4.5.3.2: connecting
        ``email.timeout``; each reply (greeting, EHLO, MAIL, RCPT, DATA) and each block of the
        message ``email.reply_timeout`` (the RFC's minimums are 2 to 5 minutes); the reply to the
        end of DATA ``email.data_timeout`` (the RFC's 10 minutes). Until the end of DATA is sent
        the message certainly was not accepted (a retry is safe); after it, a timeout or a
        dropped line leaves it uncertain: the caller sends it again at most once. The server is
        given ``to``, the address held, never the To header read again; a To header that does not
        read back as that one address is not sent at all (it would go to someone else)."""
        import smtplib
        import ssl

        from oss_desk.services.email_wire import dot_stuffed
        from oss_desk.services.smtp_wire import TimedSmtp, TimedSmtpSsl

        if one_recipient(str(email["To"])) != to:
            raise SendFault(NOT_ONE_ADDRESS, retry=False, alert=True)
        implicit_tls, starttls = server.implicit_tls, server.starttls
        host, port = server.host, server.port
        password = _secret(self.settings.password_file, "SMTP password")
        handed_over = False
        settings = self.settings
        try:
            client: smtplib.SMTP
            if implicit_tls:
                client = TimedSmtpSsl(settings.timeout, settings.reply_timeout)
                client.connect(host, port)
            else:
                client = TimedSmtp(settings.timeout, settings.reply_timeout)
                client.connect(host, port)
            with client:
                client.ehlo()
                if starttls:
                    if not client.has_extn("starttls"):  # reached: its configuration's answer
                        raise SendFault(NO_STARTTLS, retry=False, alert=True)
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if settings.username:
                    client.login(settings.username, password or "")
                code, reply = client.mail(settings.from_address)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, reply, settings.from_address)
                code, reply = client.rcpt(to)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
                code, reply = client.docmd("data")
                if code != 354:
                    raise smtplib.SMTPDataError(code, reply)
                client.send(dot_stuffed(email))
                on_handover()
                handed_over = True
                client.send(b".\r\n")
                assert client.sock is not None
                client.sock.settimeout(settings.data_timeout)
                code, reply = client.getreply()
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    client.sock.settimeout(settings.timeout)
                    client.quit()
        except UnicodeEncodeError:  # smtplib speaks ASCII: nothing of it went
            raise SendFault(NOT_PLAIN_ADDRESS, retry=False) from None
        except smtplib.SMTPNotSupportedError:  # (STARTTLS is asked before: the login)
            raise SendFault(NO_LOGIN, retry=False, alert=True) from None
        except ssl.SSLCertVerificationError as exc:
            log.info("mail server %s:%s: %s", host, port, exc)
            said = certificate_fault(exc, host) or MAIL_UNREACHABLE
            raise SendFault(said, retry=False, alert=True) from None
        except smtplib.SMTPAuthenticationError:
            raise SendFault("the mail server refused the login", retry=False, alert=True) from None
        except smtplib.SMTPRecipientsRefused:
            raise SendFault("the mail server refused the address", retry=False) from None
        except smtplib.SMTPResponseException as exc:
            # An answer, even to the end of DATA, is certain: 4xx means try again later.
            temporary = 400 <= exc.smtp_code < 500
            raise SendFault(
                f"the mail server said {exc.smtp_code}", retry=temporary, alert=not temporary
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            log.info("mail server %s:%s: %s: %s", host, port, type(exc).__name__, exc)
            if handed_over:
                raise SendFault(unanswered_end(exc), retry=True, uncertain=True) from None
            raise SendFault(unreachable(MAIL_UNREACHABLE, exc), retry=True) from None
        return str(email["Message-ID"])


@dataclass
class NotifySender:
    settings: NotifySettings
    _client: Any = None
    capture: str | None = None
    """A ``capture://`` phone every message goes to, whatever ``base_url`` says (the demo's
    own, for the messages of its simulated past)."""
    found: Found | None = None
    """Told how each send went (:func:`_observed`)."""

    @property
    def base_url(self) -> str:
        return self.capture or self.settings.base_url

    def client(self) -> Any:
        if self._client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            quiet_library_log()
            key = _secret(self.settings.api_key_file, "Notify API key")
            if not key:
                raise SendFault("no Notify API key (notify.api_key_file)", retry=False, alert=True)
            try:
                self._client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
                    key, base_url=self.settings.base_url, timeout=self.settings.timeout
                )
            except (AssertionError, ValueError, IndexError):
                raise SendFault(
                    "the Notify API key is not in Notify's format", retry=False, alert=True
                ) from None
        return self._client

    def send(
        self,
        channel: str,
        to: str,
        message: Composed,
        reference: str,
        on_handover: Callable[[], None] | None = None,
    ) -> str:
        """Send a text or email; ``on_handover`` runs just before the request goes out (from
        then on Notify may have it: look it up by reference before sending again)."""
        return _observed(
            self.found, lambda: self._send(channel, to, message, reference, on_handover)
        )

    def _send(
        self,
        channel: str,
        to: str,
        message: Composed,
        reference: str,
        on_handover: Callable[[], None] | None,
    ) -> str:
        if self.base_url.startswith("capture://"):  # the demo's virtual phone
            text = message.sms if channel == "text" else message.body
            return _capture(
                self.base_url[len("capture://") :],
                f"--- {channel} to {to} ({reference})\n{text}\n".encode(),
                reference,
            )
        # Notify's client (with requests, JWT, cryptography: about 0.1 s of imports) only for
        # a real send, never for the demo's virtual phone.
        from notifications_python_client.errors import HTTP503Error, HTTPError

        client = self.client()
        personalisation = {
            "heading": message.heading,
            "body": message.body if channel == "email" else message.sms,
            "subject": message.subject,
        }
        if on_handover is not None:
            on_handover()
        try:
            if channel == "email":
                response = client.send_email_notification(
                    email_address=to,
                    template_id=self.settings.email_template,
                    personalisation=personalisation,
                    reference=reference,
                )
            else:
                response = client.send_sms_notification(
                    phone_number=to,
                    template_id=self.settings.sms_template,
                    personalisation=personalisation,
                    reference=reference,
                )
        except HTTP503Error as exc:
            # Notify's client says 503 for a timeout and a lost connection too. A request that
            # never connected certainly did not reach Notify; any other may have got through,
            # and may still be on its way: looked up by its reference, after the wait, before
            # it is sent again.
            how = how_it_failed(exc.__cause__)
            if how == "never connected":
                why = connect_error(exc.__cause__) or exc
                raise SendFault(unreachable(NOTIFY_UNREACHABLE, why), retry=True) from None
            raise self._uncertain(
                f"Notify did not answer within {self.settings.timeout:g} s"
                if how == "timed out"
                else "Notify did not answer in time (503 or a lost connection)",
                channel,
                reference,
            ) from None
        except HTTPError as exc:
            code = exc.status_code
            if code == 429:
                raise SendFault("Notify's rate limit (429)", retry=True) from None
            if code >= 500:
                raise self._uncertain(f"Notify failed ({code})", channel, reference) from None
            if code == 403:
                raise SendFault(
                    "Notify refused the key or the clock is over 30 s out (403)",
                    retry=False,
                    alert=True,
                ) from None
            raise SendFault(
                f"Notify rejected the message ({code}: check the template and the number)",
                retry=False,
                alert=True,
            ) from None
        return str(response.get("id", ""))

    def _uncertain(self, reason: str, channel: str, reference: str) -> SendFault:
        """A send that may have reached Notify: said in the worker log (the reference and the
        channel only), and looked up no sooner than :func:`look_up_wait` from now."""
        wait = look_up_wait(self.settings.timeout)
        notify_log.warning(
            "%s %s: %s: it may have reached Notify; looked up no sooner than %.0f s from now, "
            "before any resend",
            channel,
            reference,
            reason,
            wait,
        )
        return SendFault(
            f"{reason}: it may have reached Notify", retry=True, uncertain=True, look_up_after=wait
        )

    def send_once(
        self,
        channel: str,
        to: str,
        message: Callable[[], Composed],
        reference: str,
        *,
        tried: bool,
        on_handover: Callable[[], None] | None = None,
    ) -> str:
        """Send a text or email, at most once: when an earlier try may have reached Notify
        (``tried``), its reference is looked up first, and only when Notify does not have it
        is it sent again. The caller tries again no sooner than the fault's ``look_up_after``
        (:func:`oss_desk.domain.sending.next_try`), so the look-up is made once the earlier
        request has been stored or dropped; and checks just before that it is still wanted."""
        if tried:
            try:
                earlier = self.lookup(reference)
            except SendFault as fault:
                if self.found is not None:
                    self.found(fault)
                raise
            if earlier is not None:
                if self.found is not None:
                    self.found(None)  # Notify answered the look-up: it is taking requests
                return earlier
        return self.send(channel, to, message(), reference, on_handover)

    def lookup(self, reference: str) -> str | None:
        """The id of a notification already sent with this reference (None: not sent). The
        outcome is said in the worker log (the reference only)."""
        found = self._lookup(reference)
        if found is not None:
            notify_log.info(
                "%s: Notify has it (an earlier try got through): not sent again", reference
            )
        else:
            notify_log.warning("%s: Notify does not have it: sending it again", reference)
        return found

    def _lookup(self, reference: str) -> str | None:
        from notifications_python_client.errors import HTTPError

        if self.base_url.startswith("capture://"):
            path = Path(self.base_url[len("capture://") :])
            return reference if path.exists() and f"({reference})" in path.read_text() else None
        try:
            found = self.client().get_all_notifications(reference=reference)
        except HTTPError as exc:
            notify_log.warning(
                "%s: cannot look it up at Notify (%s): not sent", reference, exc.status_code
            )
            raise SendFault(
                f"cannot check Notify for an earlier send ({exc.status_code})",
                retry=True,
                uncertain=True,
            ) from None
        for item in found.get("notifications", []):
            if item.get("reference") == reference:
                return str(item.get("id", ""))
        return None
