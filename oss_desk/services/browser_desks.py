"""Who may open which desk in a browser (``oss-desk serve``).

The authenticating proxy in front of the server says who signed in, in one header. That login
must be the ``login`` of a member of staff in the site configuration; nobody else gets a desk.
Which desk:

- ``?desk=ID`` when the person may use that desk;
- otherwise the desk whose ``person`` they are (the first one, if several);
- otherwise their only permitted desk; otherwise they choose from the desks they may use.

A person may use the desks of their role (meet-and-greet: meet-and-greet desks; advisers: adviser
desks and interview rooms; team leaders and admins: every desk) and any desk whose ``person``
they are.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oss_desk.domain.models import DeskKind, Role
from oss_desk.domain.text import shown
from oss_desk.errors import NotFound, OssDeskError, PermissionDenied, StorageError
from oss_desk.services.session import (
    Session,
    resolve_config_path,
    resolve_db_path,
    settings_for,
)
from oss_desk.storage.database import open_store
from oss_desk.storage.holders import ServeLease

if TYPE_CHECKING:
    from oss_desk.config import DeskConfig, Settings, StaffConfig


SERVER_PID_ENV = "OSS_DESK_SERVED_BY"
"""Set by ``oss-desk serve`` for each browser desk process: the server's process id. The desk
ends with its server (:func:`end_with_server`), however the server ends."""

PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal this process gets when its parent dies."""


def end_with_server(environ: Mapping[str, str] = os.environ) -> bool:
    """In a browser desk process: end with the server that started it, however it ends (even
    SIGKILL), as a closed tab does: its person logged out, instead of a desk living on logged in
    with nobody at it. The kernel sends SIGHUP when the parent dies (Linux
    ``prctl(PR_SET_PDEATHSIG)``); then the desk's output, whose reader has gone, is sent
    nowhere (a write to the dead server's pipe would fail the app before it logs out), and the
    desk is asked to stop as its server would (SIGTERM). A server already gone: at once. False
    when not a browser desk, or not on Linux."""
    served_by = environ.get(SERVER_PID_ENV, "")
    if not served_by.isdigit() or not sys.platform.startswith("linux"):
        return False
    import ctypes
    import signal

    signal.signal(signal.SIGHUP, _server_gone)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGHUP), 0, 0, 0) != 0:
        return False
    if os.getppid() != int(served_by):  # the server died before the kernel was asked
        os.kill(os.getpid(), signal.SIGHUP)
    return True


def browser_desk(environ: Mapping[str, str] = os.environ) -> bool:
    """This process is a browser desk (started by ``oss-desk serve`` for a tab)."""
    return environ.get(SERVER_PID_ENV, "").isdigit()


def leave_browser_desk(session: Session, desk_id: str | None) -> bool:
    """After the desk app of a browser desk, however it ended: its person, still logged in to
    it, is logged out, unless a resident is at the desk (refused, as leaving is). The app's own
    leaving (a closed tab) may not have: it may have stopped on its dead server's broken pipe
    first, or the tab closed before the log-in the desk makes on entering reached the
    database, so the app saw nobody to log out and the log-in went through after it. Run on
    the session's own thread after everything the app sent it, so after any such log-in. True:
    logged out here."""
    if desk_id is None or not browser_desk():
        return False
    from oss_desk.services.queue import QueueService

    queue = QueueService(session)
    held = queue.logins().get(desk_id)
    if held is None or held.person != session.actor.person:
        return False
    try:
        queue.log_out(desk_id)
    except OssDeskError:
        return False
    return True


def _server_gone(signum: int, frame: object) -> None:
    import signal

    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, 1)
    os.dup2(nowhere, 2)
    os.close(nowhere)
    os.kill(os.getpid(), signal.SIGTERM)


ROLE_DESK_KINDS: dict[Role, frozenset[DeskKind]] = {
    Role.MEET_AND_GREET: frozenset({DeskKind.MEET_AND_GREET}),
    Role.ADVISER: frozenset({DeskKind.ADVISER, DeskKind.INTERVIEW_ROOM}),
    Role.TEAM_LEADER: frozenset(DeskKind),
    Role.ADMIN: frozenset(DeskKind),
}

MAX_LOGIN = 64


class NotSignedIn(PermissionDenied):
    """No login from the proxy, or one that is not a member of staff."""

    title = "Not signed in"


@dataclass(frozen=True)
class DeskOption:
    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class DeskChoice:
    """The person behind a browser connection and the desk they get (None: they must choose)."""

    person: str
    person_name: str
    desk: str | None
    allowed: tuple[DeskOption, ...]
    login: str = ""
    """The login the proxy signed in (the account recorded with the desk's events)."""


def staff_for_login(settings: Settings, login: str | None) -> StaffConfig:
    """The member of staff whose ``login`` the proxy sent, or NotSignedIn."""
    value = (login or "").strip()
    if not value:
        raise NotSignedIn("no signed-in user: open the desks through the office's sign-in page")
    if len(value) > MAX_LOGIN or not value.isprintable():
        raise NotSignedIn("the signed-in user name is not valid")
    for person in settings.staff:
        if person.login is not None and person.login == value:
            return person
    raise NotSignedIn(
        f"{shown(value)!r} is not on this office's staff list: ask an administrator to add "
        "the login to the site configuration",
        title="Not on the staff list",
    )


def allowed_desks(settings: Settings, person: StaffConfig) -> list[DeskConfig]:
    kinds = ROLE_DESK_KINDS.get(person.role, frozenset())
    return [d for d in settings.desks if d.kind in kinds or d.person == person.id]


def choose_desk(settings: Settings, login: str | None, requested: str | None) -> DeskChoice:
    """The rules of the module docstring; raise NotSignedIn, NotFound or PermissionDenied."""
    person = staff_for_login(settings, login)
    allowed = allowed_desks(settings, person)
    if not allowed:
        raise PermissionDenied(f"there is no desk for {person.role.value} staff in this office")
    options = tuple(DeskOption(d.id, d.display_name, d.kind.value) for d in allowed)
    desk: str | None = None
    wanted = (requested or "").strip()
    if wanted:
        if not any(d.id == wanted for d in settings.desks):
            raise NotFound(f"unknown desk {shown(wanted)!r}")
        if not any(d.id == wanted for d in allowed):
            raise PermissionDenied(
                f"{person.role.value} staff cannot use desk {wanted!r}: choose one of yours"
            )
        desk = wanted
    else:
        own = [d for d in allowed if d.person == person.id]
        if own:
            desk = own[0].id
        elif len(allowed) == 1:
            desk = allowed[0].id
    return DeskChoice(
        person=person.id,
        person_name=person.name,
        desk=desk,
        allowed=options,
        login=person.login or "",
    )


def load_settings(
    db: str | os.PathLike[str] | None, config: str | os.PathLike[str] | None, *, check: bool
) -> Settings:
    """The office's current configuration (the stored copy, or ``config``), read afresh."""
    store = open_store(resolve_db_path(db), create=False, check=check)
    try:
        settings, _ = settings_for(store, resolve_config_path(config))
    finally:
        store.close()
    return settings


def hold_serve_lease(db: str | os.PathLike[str] | None) -> ServeLease:
    """The server's lease beside the database, held for its whole life, so ``init`` sees it
    running (see :mod:`oss_desk.storage.holders`): it would start this release's desks on a
    database another release upgraded under it."""
    path = resolve_db_path(db)
    try:
        return ServeLease.hold(path)
    except OSError as exc:
        raise StorageError(
            f"cannot hold {path.name}.serve.lock beside {path} ({exc.strerror})"
        ) from None


def choose_browser_desk(
    *,
    db: str | os.PathLike[str] | None,
    config: str | os.PathLike[str] | None,
    headers: Mapping[str, str],
    requested: str | None,
) -> tuple[DeskChoice, Settings]:
    """Who is signed in (``serve.user_header``) and which desk they get, from the current
    configuration; raises NotSignedIn, NotFound or PermissionDenied."""
    settings = load_settings(db, config, check=False)
    login = headers.get(settings.serve.user_header)
    return choose_desk(settings, login, requested), settings
