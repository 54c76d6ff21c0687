"""What staff are told when the mail server or GOV.UK Notify cannot be reached: plain words,
once, here.

The worker records these words with a message that was not sent (its error), and the team
leader's alerts, ``followup show`` and ``doctor`` show them as recorded. The error's own class
(``ConnectionRefusedError``) and text go to the worker's log, never to staff.
"""

from __future__ import annotations

from dataclasses import dataclass

MAIL_UNREACHABLE = "cannot reach the mail server"
NOTIFY_UNREACHABLE = "cannot reach Notify"
NOT_PLAIN_ADDRESS = "the address has letters outside plain A-Z, which the mail server cannot take"
"""An address stored before such addresses were refused at entry
(:func:`oss_desk.domain.appointments.normalise_email`): it fails for good, said so."""


NO_STARTTLS = "the mail server offers no secure connection (STARTTLS)"
NO_LOGIN = "the mail server offers no login (AUTH)"
"""Mail servers reached whose answer is their configuration's: it will not change by itself, so
the message is not tried again and staff are alerted at once (as for a refused login)."""


def certificate_fault(exc: BaseException, host: str) -> str | None:
    """A mail server reached whose certificate cannot be trusted, in plain words: "the mail
    server's certificate is not for HOST" (it names another server), or "... is not trusted
    (self-signed certificate)" (OpenSSL's reason); None when ``exc`` is no such fault."""
    import ssl

    if not isinstance(exc, ssl.SSLCertVerificationError):
        return None
    if exc.verify_code in (_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH):
        return f"the mail server's certificate is not for {host}"
    reason = f" ({exc.verify_message})" if exc.verify_message else ""
    return f"the mail server's certificate is not trusted{reason}"


_HOSTNAME_MISMATCH = 62
_IP_ADDRESS_MISMATCH = 64
"""OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH."""


def connection_fault(exc: BaseException) -> str | None:
    """Why a connection failed, in plain words: "connection refused", "timed out", "name not
    found", "secure connection (TLS) failed", "connection closed"; None when it is none of
    these (the caller says what it was trying to do, and logs the error)."""
    # The modules that define these errors load with the error, not with the domain.
    import smtplib
    import socket
    import ssl

    behind = exc.__cause__ or exc.__context__
    if isinstance(exc, smtplib.SMTPServerDisconnected) and behind is not None:
        # smtplib says a reply that timed out as "Connection unexpectedly closed: timed out".
        said = connection_fault(behind)
        if said:
            return said
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "secure connection (TLS) failed"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "it offers no secure connection (STARTTLS)"
    if isinstance(exc, socket.gaierror):
        return "name not found"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
        return "connection closed"
    if isinstance(exc, OSError) and exc.errno is not None:
        import errno

        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "no route to it"
    return None


def unreachable(server: str, exc: BaseException) -> str:
    """ "cannot reach the mail server (connection refused)": ``server`` (:data:`MAIL_UNREACHABLE`,
    :data:`NOTIFY_UNREACHABLE`) and why, in plain words (alone when the why has none)."""
    why = connection_fault(exc)
    return f"{server} ({why})" if why else server


def unanswered_end(exc: BaseException) -> str:
    """A message whose end went to the mail server without its answer: it may have been
    accepted."""
    why = connection_fault(exc)
    said = f" ({why})" if why else ""
    return f"the mail server did not answer the end of the message{said}: it may have been accepted"


# What the worker last found of each sender --------------------------------------------------

SENDER_LABELS = {"smtp": "Email", "notify": "Notify"}
"""How the team leader's status line, ``doctor`` and ``alerts list`` name each sender."""
NOT_TRIED = "not tried yet (unknown)"


@dataclass(frozen=True, slots=True)
class SenderWords:
    """A sender's state in words, longest first (``short``, ``least``: for a narrow status
    bar); ``fault``: it is not sending."""

    text: str
    short: str
    least: str
    fault: bool
    waiting: int = 0
    """Messages through it waiting for another try."""
    refused: bool = False
    """Its fault is for staff to mend (a refused login or key): it is not sending at all."""

    @property
    def level(self) -> str:
        """How ``doctor`` grades it: ``fail`` when refused, ``warn`` on any other fault
        ("cannot reach the mail server"), else ``ok``."""
        return "fail" if self.refused else "warn" if self.fault else "ok"

    @property
    def worth_saying(self) -> bool:
        """For the status line and the notes: messages wait for it (a fault with none waiting
        holds nothing up; a message that failed for good is an alert of its own)."""
        return self.waiting > 0


def sender_words(
    status: str | None, detail: str | None, since: str | None, waiting: int
) -> SenderWords:
    """What the worker last found of a sender (``status`` None: it has not tried it), with
    ``since`` (a local time: "01:13") and the messages ``waiting`` for another try: "cannot
    reach the mail server (connection refused) since 01:13 (2 waiting)", "ok", "not tried
    yet (unknown)"; the time said with the fault, before a clause that follows it: "Notify
    failed (500) since 02:28: it may have reached Notify". Nothing is called ok unless a try
    through it was accepted."""
    count = f" ({waiting} waiting)" if waiting else ""
    least_count = f", {waiting}" if waiting else ""
    if status is None:
        return SenderWords(
            NOT_TRIED + count, "not tried yet" + count, "unknown" + least_count, False, waiting
        )
    if status == "ok":
        return SenderWords("ok" + count, "ok" + count, "ok" + least_count, False, waiting)
    said = detail or status
    when = f" since {since}" if since else ""
    short = said.partition(" (")[0].partition(": ")[0]
    head, colon, clause = said.partition(": ")  # the time goes with the fault, not the clause
    return SenderWords(
        f"{head}{when}{colon}{clause}{count}",
        f"{short}{when}{count}",
        f"not sending{least_count}",
        True,
        waiting,
        refused=status == "failed",
    )
