"""What a ``doctor`` check answers: ok, warn or fail with a short detail, one line each."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oss_desk.domain.sizes import MIB, size_said
from oss_desk.domain.unexpected import unexpected_fault
from oss_desk.errors import OssDeskError
from oss_desk.logs import write_fault_report


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail}


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str) -> Check:
    return Check(name, "warn", detail)


def fail(name: str, detail: str) -> Check:
    return Check(name, "fail", detail)


def guard(name: str, check: Callable[[], Check]) -> Check:
    """A check that breaks is a failed check, never a crash of the doctor; a bug in it is said in
    plain words, its class and code locations written to a fault report."""
    try:
        return check()
    except OssDeskError as exc:
        return fail(name, exc.message)
    except Exception as exc:
        return fail(name, unexpected_fault(write_fault_report(exc, "doctor")))


FULL_BELOW = MIB
"""A disk with less room than this is full: a file on it takes no more tickets or messages."""


def free_bytes(folder: Path) -> int:
    """The room left on the disk holding ``folder``."""
    return shutil.disk_usage(folder).free


def disk_full(path: Path) -> str | None:
    """ "the disk holding it is full (12 KiB free)" when ``path`` (a file, or where it would be
    made) is on a disk with no room left; None when there is room."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists():
        folder = folder.parent
    free = free_bytes(folder)
    return f"the disk holding it is full ({size_said(free)} free)" if free < FULL_BELOW else None


def writable(name: str, path: Path, problem: str | None, what: str = "writable") -> Check:
    """A capture file's check, ``what`` when it is ("capture file writable"): ``problem``
    (:func:`oss_desk.files.append_problem`) fails it, as a disk with no room does ("capture file
    writable, but the disk holding it is full (0 KiB free)")."""
    if problem:
        return fail(name, problem)
    full = disk_full(path)
    return fail(name, f"{what}, but {full}") if full else ok(name, what)


__all__ = [
    "FULL_BELOW",
    "Check",
    "disk_full",
    "fail",
    "free_bytes",
    "guard",
    "ok",
    "warn",
    "writable",
]
