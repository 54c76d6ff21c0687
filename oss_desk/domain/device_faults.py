"""What staff are told when a printer or the board does not work: plain words, once, here.

The worker records these words (a print job's reason, a device's state), and the desks' status
bar, their "Reprint it?" question, the command line and ``doctor`` show them as recorded. The
operating system's own error (``[Errno 2] could not open port ...``) goes to the worker's log,
never to staff. Pure: no I/O (the hardware layer hands over the error number).
"""

from __future__ import annotations

import errno
import re

PRINTER_SILENT = "the printer did not answer"
"""A printer that took the connection but never answered the status question (an ESC/POS
printer always answers, even offline: silence means it would swallow the job)."""
PRINTER_STOPPED = "the printer stopped answering during the job"
PRINTER_NO_CONNECTION = "the printer did not answer the connection"
"""A network printer that did not take the connection within its timeout."""

NOT_ANSWERING = "not answering"
"""A printer's state, in the status bar, once it was asked and did not answer (recorded as
``unknown`` with :data:`PRINTER_SILENT`)."""
CANNOT_TELL = "cannot tell (this printer does not report)"
"""The state of a printer that cannot be asked (a file, CUPS, ``status=off``: ``unknown``)."""
_ASKED_SILENT = {PRINTER_SILENT, PRINTER_STOPPED}

_GONE = {errno.ENOENT, errno.ENODEV, errno.ENXIO}
_REFUSED = {errno.EACCES, errno.EPERM}
_SILENT = {errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}
_BROKEN = {errno.EIO, errno.EPIPE, errno.ECONNRESET}


def port_fault(device: str, port: str, code: int | None) -> str:
    """Why the serial port (or the serial-to-Ethernet server) of ``device`` ("board",
    "printer") cannot be used, from the error number ``code`` (None: not known):
    "the board's port /dev/pts/0 is not there". No brackets: the status bar puts these in
    its own."""
    where = f"the {device}'s port {port}"
    if port.startswith(("socket://", "rfc2217://")):
        where = f"the {device}'s serial server {port.partition('://')[2]}"
    if code in _GONE:
        return f"{where} is not there"
    if code in _REFUSED:
        return f"{where} may not be opened by this user: is it in the dialout group?"
    if code == errno.EBUSY:
        return f"{where} is in use by another program"
    if code == errno.ECONNREFUSED:
        return f"{where} refused the connection"
    if code in _SILENT:
        return f"{where} did not answer"
    if code in _BROKEN:
        return f"{where} stopped working: is it unplugged?"
    return f"{where} does not work"


_FILE_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too big",
    errno.EISDIR: "it is a folder",
    errno.EACCES: "this user may not write it",
    errno.EPERM: "this user may not write it",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "its folder is not there",
    errno.ENOTDIR: "a file stands where its folder should be",
    errno.EAGAIN: "another program has it locked for now",
    errno.EIO: "the disk reported an error",
    errno.ENODEV: "no printer is plugged in there",
    errno.ENXIO: "no printer is plugged in there",
    errno.EBUSY: "another program is using it",
}


def file_fault(path: object, code: int | None) -> str:
    """Why a file (a capture printer's, a printer device file, the demo's mailbox) could not
    be written, from the error number ``code``: "cannot write /srv/paper: the disk is full".
    A number not known here gives "cannot write /srv/paper" alone (the caller logs the
    error)."""
    words = _FILE_FAULTS.get(code) if code is not None else None
    return f"cannot write {path}: {words}" if words else f"cannot write {path}"


def said_with(words: str, detail: str | None) -> str:
    """``words`` and their ``detail``: in brackets ("unreachable (connection refused)"), or
    after a colon when the detail has brackets of its own (never a bracket in a bracket)."""
    if not detail:
        return words
    return f"{words}: {detail}" if "(" in detail else f"{words} ({detail})"


def device_words(status: str, detail: str | None) -> str:
    """A printer's or board's recorded state, with its detail only when that says more than
    the state ("paper out", "unreachable (connection refused)", "not answering")."""
    if status == "unknown":
        return NOT_ANSWERING if detail in _ASKED_SILENT else CANNOT_TELL
    extra = detail and status not in detail and detail != PRINTER_SILENT
    return said_with(status, detail if extra else None)


_ERRNO = re.compile(r"\[Errno (\d+)\]")


def error_number(exc: BaseException) -> int | None:
    """The error number behind a port's fault: ``OSError.errno`` (pyserial's own errors carry
    it too), the first argument of ``termios.error``, or the ``[Errno N]`` in its text."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return code
    if exc.args and isinstance(exc.args[0], int):
        return int(exc.args[0])
    found = _ERRNO.search(str(exc))
    return int(found.group(1)) if found else None
