"""One error hierarchy. Services raise these; the CLI prints one line, the desk app notifies.

Every error carries a short human ``title`` and a one-line ``message`` that says what is wrong
and, where it helps, what to do about it. Nothing here may contain personal data.
"""

from __future__ import annotations


class OssDeskError(Exception):
    """Base of every error a person at the desk or a script may see."""

    title = "Something went wrong"
    exit_code = 1
    cli_hint = ""
    """What to add on the command line (``--desk ID``): the command line shows it after the
    message; the desk app never does (its people never type options)."""

    def __init_subclass__(cls, *, title: str | None = None, exit_code: int | None = None) -> None:
        """A subclass names its title and exit code in its header:
        ``class NotFound(OssDeskError, title="Not found", exit_code=5)``."""
        super().__init_subclass__()
        if title is not None:
            cls.title = title
        if exit_code is not None:
            cls.exit_code = exit_code

    lines: tuple[str, ...] = ()
    """The message laid out for a terminal when it says several things (a configuration's
    problems): a first line, then one line each; empty: the one-line ``message``."""

    def __init__(
        self,
        message: str,
        title: str | None = None,
        *,
        cli_hint: str = "",
        lines: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # always one line
        if title is not None:
            self.title = title
        if cli_hint:
            self.cli_hint = cli_hint
        if lines:
            self.lines = tuple(" ".join(line.split()) for line in lines)

    @property
    def cli_message(self) -> str:
        """The message as the command line prints it."""
        return f"{self.message} ({self.cli_hint})" if self.cli_hint else self.message

    def __str__(self) -> str:
        return self.message


class ConfigError(OssDeskError, title="Configuration problem", exit_code=3):
    """The site configuration or a setting is invalid."""


EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 4
EXIT_INTERNAL = 70
EXIT_TRY_AGAIN = 75
EXIT_INTERRUPTED = 130


class StorageError(OssDeskError, title="Database problem", exit_code=EXIT_DATABASE):
    """The database cannot be opened, created, read or written."""


class ResourceFault(StorageError, title="Cannot save now", exit_code=EXIT_TRY_AGAIN):
    """The disk, the file system or another process stopped a write: nothing was saved, and
    the same request can succeed once the cause named in the message is gone (exit 75)."""


class StorageFull(ResourceFault, title="Storage full"):
    """The disk or the account's quota is full."""


class StorageBusy(ResourceFault, title="Database busy"):
    """Another process held the database lock for longer than a write waits."""


class StorageReadOnly(ResourceFault, title="Read-only storage"):
    """The file system holding the database is mounted read-only."""


class StorageNoPermission(ResourceFault, title="Permission denied"):
    """The operating system refuses this account access to the database or its folder."""


class StorageIOError(ResourceFault, title="Disk error"):
    """The disk reported an input/output error."""


class DatabaseUnsafe(StorageError, title="Database unsafe: stop"):
    """Writing on would lose work or spread damage: this process refuses every write from now
    on (the desk shows a blocking message; a command exits 4)."""


class DatabaseGone(DatabaseUnsafe, title="Database replaced or removed"):
    """The database path no longer names the file this process opened (deleted, replaced or
    moved): what it wrote would never be seen at the path."""


class DatabaseOverwritten(DatabaseGone, title="Database overwritten"):
    """The file at the path is the one this process opened, but its content was replaced in
    place (a ``cp`` of a backup over it): what this process saw is no longer there."""


class WalDeleted(DatabaseGone, title="Latest changes file deleted"):
    """``<database>-wal``, the file that holds the database's latest changes, was deleted while
    processes had the database open: theirs is no longer the one at the path."""


class DatabaseDamaged(DatabaseUnsafe, title="Database damaged"):
    """SQLite reported the file corrupt (SQLITE_CORRUPT) or not a database (SQLITE_NOTADB)."""


class NotFound(OssDeskError, title="Not found", exit_code=5):
    """A service, desk, ticket, appointment or person that does not exist."""


class InvalidInput(OssDeskError, title="Invalid input", exit_code=2):
    """A value typed or passed in is malformed."""


class RuleViolation(OssDeskError, title="Not allowed now", exit_code=6):
    """The request is well formed but the queue rules forbid it now."""


class PermissionDenied(OssDeskError, title="Not permitted", exit_code=7):
    """This request may not be made here or now (a header, a desk, an origin)."""


class Forbidden(PermissionDenied, title="Not your role", exit_code=9):
    """The person's role may not do this (see ``oss_desk.domain.access``). Nothing was changed."""


class DeviceError(OssDeskError, title="Device problem", exit_code=8):
    """A printer or board fault. Never blocks desk work; shown as a warning."""


def file_fault(exc: OSError, path: object = None) -> ResourceFault | None:
    """The resource fault behind an operating-system error on a file, naming the cause and the
    path (None for anything else, such as a missing file)."""
    import errno

    where = path if path is not None else (exc.filename or "a file")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageFull(f"disk full: cannot write to {where} (nothing was saved)")
    if exc.errno == errno.EROFS:
        return StorageReadOnly(f"read-only file system: cannot write to {where}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageNoPermission(f"permission denied: cannot write to {where}")
    if exc.errno == errno.EIO:
        return StorageIOError(f"disk I/O error on {where}: check the disk")
    return None


def full_disk_at(exc: OSError, where: object) -> Exception:
    """A copy's error names its source; when the disk written to was full, the fault names
    ``where`` (that disk's folder) instead. Else ``exc`` as it is."""
    fault = file_fault(exc, where)
    return fault if isinstance(fault, StorageFull) else exc
