"""How a request to GOV.UK Notify failed without an answer, as its client (requests) says it:
whether it may have reached Notify (see :func:`oss_desk.domain.sending.look_up_wait`); and the
client library's own log kept quiet."""

from __future__ import annotations


def how_it_failed(cause: BaseException | None) -> str:
    """``never connected`` (refused, no route, no name, no connection within the timeout: it
    certainly was not accepted), ``timed out`` (sent, no answer within the timeout) or
    ``lost`` (a 503, or the connection dropped after the request went: it may have been)."""
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    if isinstance(cause, requests.ConnectTimeout):
        return "never connected"
    if isinstance(cause, requests.Timeout):
        return "timed out"
    if isinstance(cause, requests.ConnectionError):
        first = cause.args[0] if cause.args else None
        if isinstance(first, MaxRetryError) and isinstance(first.reason, NewConnectionError):
            return "never connected"
    return "lost"


def connect_error(cause: BaseException | None) -> BaseException | None:
    """The system's own error behind a request that never connected (:func:`how_it_failed`),
    for its plain words (:func:`oss_desk.domain.send_faults.unreachable`): the refused
    connection, the name not found; a timeout for a connection not made in time."""
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    if isinstance(cause, requests.ConnectTimeout):
        return TimeoutError()
    first = cause.args[0] if isinstance(cause, requests.ConnectionError) and cause.args else None
    if isinstance(first, MaxRetryError) and isinstance(first.reason, NewConnectionError):
        return first.reason.__cause__ or first.reason.__context__ or first.reason
    return cause


LIBRARY_LOG = "notifications_python_client"


def quiet_library_log() -> None:
    """Keep the Notify client library's own log lines ("API POST request on ... failed with
    503 'Request failed'", said of a timeout too) off stderr and the worker's log: the worker
    says what happened to each message in its own words. Only that library's logger is
    quietened (our own warnings are untouched); idempotent."""
    import logging

    library = logging.getLogger(LIBRARY_LOG)
    library.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in library.handlers):
        library.addHandler(logging.NullHandler())
