"""A restore re-applies the erasures made after its backup (review30: ``db restore`` put back
the name and email a resident had asked to be forgotten, and said only "1 event newer than
the backup"). Each ``resident forget`` the replaced database recorded after the backup is
made again on the restored copy, by the same statements, recorded against the person
restoring with the request's own case reference.

They are made on the staged copy, under the restore's write turn, before it is put in place
(review31: made afterwards, a desk taking its turn in between, a restore killed there, or a
person refused, left the details back with nothing owing them): the restored database is never
at its path without them, and a restore that cannot make them restores nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.clock import Clock
from oss_desk.errors import Forbidden, OssDeskError, StorageError
from oss_desk.services.restore_result import ErasuresAgain
from oss_desk.services.session import open_session
from oss_desk.services.subject_access import SubjectAccessService
from oss_desk.storage.replaced import Replaced


def check_person(db: Path, clock: Clock, person: str | None) -> bool:
    """Refuse a person who may not act (``--user`` a login may not name), as every command
    does, by the configuration of the database at ``db``. Whether they could be checked (not
    when it cannot be opened: then by the staged copy's, before it is put in place)."""
    if not db.exists():
        return False
    try:
        session = open_session(
            db=db, clock=clock, person=person, host=True, typed=True, check=False
        )
    except Forbidden:
        raise
    except (OssDeskError, sqlite3.Error):
        return False
    session.close()
    return True


def erase_again(
    staged: Path, gone: Replaced, clock: Clock, person: str | None
) -> ErasuresAgain | None:
    """Erase again, in the staged copy at ``staged`` (not yet in place), what the erasures
    ``gone`` recorded erased; the records it does not hold (or holds nothing of the resident)
    need nothing. None: the erasures are not known (the replaced database could not be
    read). Raises when they cannot be made: nothing is then restored."""
    if gone.erasures is None:
        return None
    refs = list(dict.fromkeys(e.ref for e in gone.erasures))
    if not refs:
        return ErasuresAgain()
    try:
        session = open_session(db=staged, clock=clock, person=person, host=True, typed=True)
        try:
            erased = SubjectAccessService(session).reapply(gone.erasures, gone.shared)
        finally:
            session.close()
    except OssDeskError as exc:
        exc.message = _not_made(refs, exc.message)
        exc.args = (exc.message,)
        raise
    except sqlite3.Error as exc:
        raise StorageError(_not_made(refs, str(exc))) from None
    done = list(dict.fromkeys(e.ref for e in erased))
    return ErasuresAgain(
        reapplied=done,
        not_needed=[r for r in refs if r not in done],
        cancelled_again=list(dict.fromkeys(e.ref for e in erased if e.cancelled_again)),
        still_booked=list(
            dict.fromkeys(e.ref for e in erased if e.still_booked and not e.cancelled_again)
        ),
        messages_cancelled=sum(e.messages_cancelled for e in erased),
    )


def _not_made(refs: list[str], problem: str) -> str:
    return (
        f"the erasures made after the backup ({', '.join(refs)}) could not be made again on "
        f"the restored copy ({problem}): nothing was restored"
    )
