"""What staff are told when the mail server or GOV.UK Notify cannot be reached: plain words,
once, here.

The worker records these words with a message that was not sent (its error), and the team
leader's alerts, ``followup show`` and ``doctor`` show them as recorded. The error's own class
(``ConnectionRefusedError``) and text go to the worker's log, never to staff.
"""

from __future__ import annotations

MAIL_UNREACHABLE = "cannot reach the mail server"
NOTIFY_UNREACHABLE = "cannot reach Notify"


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
