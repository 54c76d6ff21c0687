"""A restore re-applies the erasures made after its backup (review30: ``db restore`` put back
the name and email a resident had asked to be forgotten, and said only "1 event newer than
the backup"). Each ``resident forget`` the replaced database recorded after the backup is
made again on the restored database, by the same statements, recorded against the person
restoring with the request's own case reference."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.clock import Clock
from oss_desk.errors import OssDeskError
from oss_desk.services.restore_result import ErasuresAgain
from oss_desk.services.session import open_session
from oss_desk.services.subject_access import SubjectAccessService
from oss_desk.storage.replaced import ErasureMade


def reapply_erasures(
    db: Path,
    erasures: list[ErasureMade],
    clock: Clock,
    person: str | None,
    forked_at: int | None = None,
) -> ErasuresAgain:
    """Erase again, in the restored database at ``db``, what ``erasures`` erased; the records
    it does not hold (or holds nothing of the resident) need nothing. ``forked_at``: the first
    event where the backup's log parts from the replaced one (it went on with events of its
    own): only records made before it are the ones erased."""
    refs = list(dict.fromkeys(e.ref for e in erasures))
    if not refs:
        return ErasuresAgain()
    try:
        session = open_session(db=db, clock=clock, person=person, host=True, typed=True)
        try:
            shared = forked_at - 1 if forked_at is not None else None
            erased = SubjectAccessService(session).reapply(erasures, shared)
        finally:
            session.close()
    except (OssDeskError, sqlite3.Error) as exc:
        return ErasuresAgain(failed=refs, problem=str(exc))
    done = list(dict.fromkeys(e.ref for e in erased))
    return ErasuresAgain(reapplied=done, not_needed=[r for r in refs if r not in done])
