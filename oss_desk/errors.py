"""One error hierarchy. Services raise these; the CLI prints one line, the desk app notifies.

Every error carries a short human ``title`` and a one-line ``message`` that says what is wrong
and, where it helps, what to do about it. Nothing here may contain personal data.
"""

from __future__ import annotations


class OssDeskError(Exception):
    """Base of every error a person at the desk or a script may see."""

    title = "Something went wrong"
    exit_code = 1

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # always one line
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class ConfigError(OssDeskError):
    """The site configuration or a setting is invalid."""

    title = "Configuration problem"
    exit_code = 3


EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 4
EXIT_INTERNAL = 70
EXIT_TRY_AGAIN = 75
EXIT_INTERRUPTED = 130


class StorageError(OssDeskError):
    """The database cannot be opened, created, read or written."""

    title = "Database problem"
    exit_code = EXIT_DATABASE


class ResourceFault(StorageError):
    """The disk, the file system or another process stopped a write: nothing was saved, and
    the same request can succeed once the cause named in the message is gone (exit 75)."""

    title = "Cannot save now"
    exit_code = EXIT_TRY_AGAIN


class StorageFull(ResourceFault):
    title = "Storage full"


class StorageBusy(ResourceFault):
    title = "Database busy"


class StorageReadOnly(ResourceFault):
    """The file system holding the database is mounted read-only."""

    title = "Read-only storage"


class StorageNoPermission(ResourceFault):
    """The operating system refuses this account access to the database or its folder."""

    title = "Permission denied"


class StorageIOError(ResourceFault):
    title = "Disk error"


class DatabaseUnsafe(StorageError):
    """Writing on would lose work or spread damage: this process refuses every write from now
    on (the desk shows a blocking message; a command exits 4)."""

    title = "Database unsafe: stop"


class DatabaseGone(DatabaseUnsafe):
    """The database path no longer names the file this process opened (deleted, replaced or
    moved): what it wrote would never be seen at the path."""

    title = "Database replaced or removed"


class DatabaseDamaged(DatabaseUnsafe):
    """SQLite reported the file corrupt (SQLITE_CORRUPT) or not a database (SQLITE_NOTADB)."""

    title = "Database damaged"


class NotFound(OssDeskError):
    """A service, desk, ticket, appointment or person that does not exist."""

    title = "Not found"
    exit_code = 5


class InvalidInput(OssDeskError):
    """A value typed or passed in is malformed."""

    title = "Invalid input"
    exit_code = 2


class RuleViolation(OssDeskError):
    """The request is well formed but the queue rules forbid it now."""

    title = "Not allowed now"
    exit_code = 6


class PermissionDenied(OssDeskError):
    title = "Not permitted"
    exit_code = 7


class Forbidden(PermissionDenied):
    """The person's role may not do this (see ``oss_desk.domain.access``). Nothing was changed."""

    title = "Not your role"
    exit_code = 9


class DeviceError(OssDeskError):
    """A printer or board fault. Never blocks desk work; shown as a warning."""

    title = "Device problem"
    exit_code = 8


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
