"""The demo's (and training's) mailbox: an mbox file any mail client opens, appended to as
``mailbox.mbox`` appends (its ``lockf`` lock, its dot-lock, synced), without reading it again
for each message. Faults are the OS's (``OSError``); the sender says them
(:func:`oss_desk.services.senders.SmtpSender`)."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from email import generator
from email.message import EmailMessage
from pathlib import Path

from oss_desk import files

log = logging.getLogger("oss_desk.sending")


def mbox_entry(email: EmailMessage) -> bytes:
    """One message as the standard library's ``mailbox.mbox`` writes it: its "From " line (the
    time in UTC), the message with body lines starting "From " quoted (">From "), ending with
    a newline, and a blank line after it."""
    buffer = io.BytesIO()
    generator.BytesGenerator(buffer, True, 0).flatten(email)
    data = buffer.getvalue()
    if not data.endswith(b"\n"):
        data += b"\n"
    return b"From MAILER-DAEMON " + time.asctime(time.gmtime()).encode() + b"\n" + data + b"\n"


_SYNCED_LATER: ContextVar[set[Path] | None] = ContextVar("oss_desk_synced_later", default=None)
"""The mailboxes appended to inside :func:`mailboxes_synced_once` (None: outside it)."""


@contextlib.contextmanager
def mailboxes_synced_once() -> Iterator[None]:
    """Inside: a capture mailbox is synced once, on leaving, instead of after each message.
    For a batch that nobody reads until it is done (the demo's build sends hundreds of past
    confirmations and reminders into a fresh mailbox, and a build cut short is built again):
    each message's own sync cost the build seconds of waiting for the disk."""
    token = _SYNCED_LATER.set(set())
    try:
        yield
    finally:
        from oss_desk.storage.maintenance import fsync_file

        appended = _SYNCED_LATER.get() or set()
        _SYNCED_LATER.reset(token)
        for path in sorted(appended):
            with contextlib.suppress(OSError):
                fsync_file(path)


def _append_whole(fd: int, entry: bytes, *, sync: bool = True) -> None:
    """Append ``entry`` and sync it (unless ``sync`` is False), or leave the file as it was: a
    write cut short (a full disk) is cut back off, as ``mailbox.mbox`` did, so a retry never
    follows half a message."""
    before = os.lseek(fd, 0, os.SEEK_END)
    try:
        files.write_all(fd, entry, sync=sync)
    except BaseException:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, before)
        raise


STALE_DOT_LOCK = 300.0
"""Seconds after which a mailbox's dot-lock is taken as left behind by a program that died
(as liblockfile's ``dotlockfile`` takes one after five minutes) and removed."""


def take_stale(lock: Path, seen: os.stat_result) -> None:
    """Remove the dot-lock ``lock`` seen (``seen``) older than :data:`STALE_DOT_LOCK`, only if
    it is still that file: another program may have taken the stale lock and made its own since
    (``dotlockfile``'s care). It is renamed aside under a name of this process's own, so no one
    else can take it meanwhile; a fresh lock moved aside by mistake is put back.

    One narrow race is left, as in every dot-lock scheme (POSIX has no "remove this name only if
    it is still that file"): if that fresh lock's holder lets go between our rename and the
    put-back, its unlink finds nothing and the lock stands with nobody holding it. It is put
    back by a hard link, so it keeps its maker's time and is taken as stale no later than
    :data:`STALE_DOT_LOCK` after its maker made it; meanwhile sends are retried, never lost
    or doubled. (Our own processes never meet it: they hold the mailbox's ``lockf`` lock
    before the dot-lock, so only another program's lock is ever seen here.)"""
    aside = lock.with_name(f"{lock.name}.{os.getpid()}.{time.monotonic_ns()}")
    try:
        lock.rename(aside)
    except OSError:
        return  # gone already: taken (and let go) by someone else
    moved = aside.stat()
    if (moved.st_ino, moved.st_mtime_ns) != (seen.st_ino, seen.st_mtime_ns):
        with contextlib.suppress(OSError):
            os.link(aside, lock)  # theirs, fresh: back in place (unless a newer one is there)
    aside.unlink()


@contextlib.contextmanager
def _dot_lock(target: Path) -> Iterator[None]:
    """Hold ``PATH.lock``, the dot-lock mail tools that do not use ``lockf`` (procmail's
    ``lockfile``, ``dotlockfile``, some mail clients) take, as ``mailbox.mbox`` took it too: made
    with ``O_EXCL``, so it fails with ``EEXIST`` while another program holds it (one older
    than :data:`STALE_DOT_LOCK` is removed first, see :func:`take_stale`), and removed after the
    append. Where the folder cannot be written (a mail spool such as ``/var/mail``, where a user
    may write only their own file), no dot-lock can be made: the ``lockf`` lock alone is held,
    as ``mailbox.mbox`` does ("without write access, just skip dotlocking")."""
    lock = target.with_name(target.name + ".lock")
    with contextlib.suppress(OSError):
        seen = lock.stat()
        if time.time() - seen.st_mtime > STALE_DOT_LOCK:
            take_stale(lock, seen)
    try:
        os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EROFS):
            raise
        log.info("mailbox %s: its folder cannot be written, so no dot-lock (lockf only)", target)
        held = False
    else:
        held = True
    try:
        yield
    finally:
        if held:
            with contextlib.suppress(OSError):
                lock.unlink()


def append_mbox(target: Path, email: EmailMessage) -> None:
    """Append ``email`` to the mbox file ``target`` (any mail client opens it), under its
    ``lockf`` lock and its dot-lock (``PATH.lock``), and synced, as ``mailbox.mbox`` did; but
    only appended: ``mailbox`` reads the whole file again to list its messages before each one
    it adds (the demo's build writes about 200 messages to the growing file: reading it again
    each time cost more with each one). ``FileExistsError``: the dot-lock is another program's;
    ``BlockingIOError``: so is the ``lockf`` lock (a mail client): both retried later."""
    import fcntl

    entry = mbox_entry(email)
    # Created 0600 when missing; an existing mailbox keeps its mode (a spool's 0660).
    fd = files.open_appending(target)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            later = _SYNCED_LATER.get()
            with _dot_lock(target):
                _append_whole(fd, entry, sync=later is None)
            if later is not None:
                later.add(target)
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = ["STALE_DOT_LOCK", "append_mbox", "mailboxes_synced_once", "mbox_entry", "take_stale"]
