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

    def __init__(self, message: str, title: str | None = None, *, cli_hint: str = "") -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # always one line
        if title is not None:
            self.title = title
        if cli_hint:
            self.cli_hint = cli_hint

    @property
    def cli_message(self) -> str:
        """The message as the command line prints it."""
        return f"{self.message} ({self.cli_hint})" if self.cli_hint else self.message

    def __str__(self) -> str:
        return self.message


class ConfigError(OssDeskError):
    """The site configuration or a setting is invalid."""

    title = "Configuration problem"
    exit_code = 3


class StorageError(OssDeskError):
    """The database cannot be opened, created, read or written."""

    title = "Database problem"
    exit_code = 4


class StorageFull(StorageError):
    title = "Storage full"


class StorageBusy(StorageError):
    title = "Database busy"


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
