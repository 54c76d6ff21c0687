"""Writing files privately: every file oss-desk writes is 0600, whatever the umask.

The database (and so its ``-wal`` and ``-shm``, which SQLite creates with the database's mode),
backups and their head files, fault reports, capture files (the demo's printer, board, mailbox
and phone) and report exports all go through here. Folders made for them are 0700. One file
is not made private when it is already there: a mailbox (see :func:`open_appending`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` and each missing folder above it as 0700, whatever the umask
    (``Path.mkdir(parents=True)`` makes the ones above with the umask's mode: 0755); a folder
    already there is left as it is."""
    missing: list[Path] = []
    at = Path(folder)
    while not at.is_dir() and at != at.parent:
        missing.append(at)
        at = at.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not made.is_dir():
                raise
            continue  # made by another process meanwhile: theirs
        os.chmod(made, PRIVATE_DIR)


def _private_fd(path: Path, flags: int) -> int:
    fd = os.open(path, flags | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        # The umask can only take bits away; this also tightens a file made before (0644).
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private_file(path: Path) -> None:
    """``path`` made 0600 (created empty when missing, with its folder 0700), for a writer
    that opens it itself (a log handler): it then appends to a private file."""
    make_private_dir(path.parent)
    os.close(_private_fd(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT))


def append_problem(path: Path) -> str | None:
    """None if :func:`append_private` could append to ``path`` now, else why not (a folder in
    its place, no permission, a file where its folder should be)."""
    if path.is_dir():
        return f"{path} is a folder, not a file"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return None if os.access(folder, os.W_OK) else f"{folder} is not writable"


def append_private(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created 0600 with its folder when missing)."""
    make_private_dir(path.parent)
    fd = _private_fd(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes, *, sync: bool = False) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may take only part of it), then, with
    ``sync``, fsync it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    if sync:
        os.fsync(fd)


def open_appending(path: Path) -> int:
    """A descriptor appending to ``path``: a missing file is created 0600 (with its folder
    0700); an existing one is opened as it is, its mode left alone (a mail spool's mailbox is
    ``user:mail 0660``, and its delivery agent writes to it through the mail group)."""
    make_private_dir(path.parent)
    flags = os.O_WRONLY | os.O_APPEND
    try:
        return _private_fd(path, flags | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return os.open(path, flags | os.O_CLOEXEC)


def write_private(
    path: Path, data: bytes | str, *, durable: bool = False, make_dirs: bool = False
) -> None:
    """Replace ``path`` with ``data`` atomically: written to a private temporary file beside it
    (0600), optionally fsynced, then renamed over it. A failure leaves the old file untouched.
    ``make_dirs``: create its folder (0700) when missing."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if make_dirs:
        make_private_dir(path.parent)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = _private_fd(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        try:
            write_all(fd, payload, sync=durable)
        finally:
            os.close(fd)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def create_private(path: Path) -> None:
    """An empty file only the owner can read and write (0600), failing if it exists."""
    os.close(_private_fd(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))


class NotARegularFile(OSError):
    """A device, a pipe or a socket where a file was expected (``/dev/zero`` never ends)."""


class TooLarge(OSError):
    """A file larger than the reader allows."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. A directory raises
    IsADirectoryError, a device or pipe NotARegularFile (opening never waits for a writer),
    a bigger file TooLarge; other OSErrors as they come."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(0, "not a regular file", str(path))
        if info.st_size > limit:
            raise TooLarge(0, f"larger than {limit} bytes", str(path))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(0, f"larger than {limit} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def unreadable(exc: OSError, what: str) -> str:
    """Why :func:`read_bounded` could not read a file meant to be a ``what``, in the words of
    one line on stderr (a larger-than-allowed file is the caller's to word: it knows the
    remedy)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return f"is a directory, not a {what}"
    if isinstance(exc, NotARegularFile):
        return f"not a regular file, not a {what}"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read ({exc.strerror or exc})"
