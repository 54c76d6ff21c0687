"""What a ``doctor`` check answers: ok, warn or fail with a short detail, one line each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


__all__ = ["Check", "fail", "guard", "ok", "warn"]
