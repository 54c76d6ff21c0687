"""The composition root: one process's database, clock, configuration and person at the desk."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.clock import NOW_ENV, Clock
from oss_desk.config_cache import file_settings, stored_settings
from oss_desk.domain.access import Action, Grants, Scope, allows, booking_grants, refusal, scope_of
from oss_desk.domain.calendar import DateSpan, business_day
from oss_desk.domain.models import Actor, Desk, EventKind, Role, Site
from oss_desk.domain.text import shown
from oss_desk.errors import (
    ConfigError,
    Forbidden,
    InvalidInput,
    NotFound,
    OssDeskError,
    StorageError,
)
from oss_desk.paths import CONFIG_ENV, DB_ENV, default_db_path, demo_db_path
from oss_desk.services.held_clock import held_back
from oss_desk.services.identity_refusal import login_entry, refusal_text
from oss_desk.storage.counter import login_at, login_of
from oss_desk.storage.database import GuardedConnection, Store, open_store
from oss_desk.storage.events import process_account as os_account
from oss_desk.storage.site import (
    Directory,
    desk_name_ever,
    latest_config,
    latest_config_id,
    read_directory,
    records_begin,
    site_ever,
    staff_ever,
)

if TYPE_CHECKING:
    import logging

    from oss_desk.config import Settings


def _log() -> logging.Logger:
    """This module's logger; :mod:`logging` is imported only when something is said (not on
    every command's start-up)."""
    import logging

    return logging.getLogger("oss_desk.session")


@dataclass
class Session:
    """Everything a command or a desk needs, built once per process (per thread for the store)."""

    store: Store
    clock: Clock
    settings: Settings
    directory: Directory
    actor: Actor
    config_source: str = "database"
    extras: dict[str, object] = field(default_factory=dict)
    host: bool = False
    """A host-level process (init, the device worker, the demo builder): not role-checked."""
    account: str = ""
    """The account this process acts for (recorded with every event beside the person)."""
    asked_site: str | None = None
    """The site the command was told it acts for (``--site``), if any: see :meth:`acting_site`."""
    site_said_by: str = ""
    """How the command line says which site (``--site ID``; ``--desk ID`` for a command that
    takes only a desk): what a command at an office of several sites is told to add."""

    # Roles -----------------------------------------------------------------------------------

    def role_of(self, person: str) -> Role | None:
        """A listed person's role; anyone else has ``access.unlisted_role`` (None: refused)."""
        for staff in self.settings.staff:
            if staff.id == person:
                return staff.role
        return self.settings.access.role()

    def name_of(self, person: str) -> str:
        """A person's name: as configured; one who left the staff list, as the office's records
        last had it (every change stays attributable to a person); else as given (a login
        not on the list)."""
        for staff in self.settings.staff:
            if staff.id == person:
                return staff.name
        left = staff_ever(self.store.conn).get(person)
        return left.name if left is not None else person

    def desk_name(self, desk_id: str) -> str:
        """A desk's name: as configured; a desk that left the configuration, as the office's
        records last had it; else its id."""
        desk = self.directory.desks.get(desk_id)
        if desk is not None:
            return desk.name
        return desk_name_ever(self.store.conn, desk_id) or desk_id

    @property
    def grants(self) -> Grants:
        """The actions the configuration gives to chosen roles (``access.booking_roles``)."""
        return booking_grants(self.settings.access.booking_roles)

    def may(self, action: Action, actor: Actor | None = None, *, own: bool | None = None) -> bool:
        if self.host:
            return True
        person = (actor or self.actor).person
        return allows(self.role_of(person), action, own, self.grants)

    def scope(self, action: Action, actor: Actor | None = None) -> Scope | None:
        """How far the actor may do ``action`` (a host-level process: everywhere)."""
        if self.host:
            return Scope.ALL
        return scope_of(self.role_of((actor or self.actor).person), action, self.grants)

    def require(
        self,
        action: Action,
        actor: Actor | None = None,
        *,
        own: bool | None = None,
        doing: str | None = None,
    ) -> None:
        """Raise :class:`Forbidden` unless the actor's role may do ``action`` (``own``: whether
        the ticket, appointment or desk acted on is theirs, for a role allowed only its own;
        ``doing``: what was asked, when it is more than the action, for the refusal's words)."""
        if self.may(action, actor, own=own):
            return
        person = (actor or self.actor).person
        raise Forbidden(
            refusal(self.name_of(person), self.role_of(person), action, own, self.grants, doing)
        )

    # Lookups ---------------------------------------------------------------------------------

    def desk(self, desk_id: str) -> Desk:
        desk = self.directory.desks.get(desk_id.strip())
        if desk is None:
            known = ", ".join(sorted(self.directory.desks)) or "none"
            raise NotFound(f"unknown desk {shown(desk_id)!r} (desks: {known})")
        return desk

    def site_at(self, desk_id: str | None, site_id: str | None = None) -> Site:
        """The site asked for; else the one ``desk_id`` is in; else as :meth:`site`."""
        return self._said(self.acting_site(desk_id, site_id))

    def site_ever(self, site_id: str) -> Site:
        """The site of a record (a ticket's, an appointment's): one that left the configuration
        is read from the office's records, so that what it holds can still be read and closed."""
        site = self.site_known(site_id)
        if site is None:  # every record's site is a row (a foreign key)
            raise NotFound(f"unknown site {shown(site_id)!r}")
        return site

    def site_known(self, site_id: str) -> Site | None:
        """A site of this office, configured now or once (None: never one of its sites)."""
        return self.directory.sites.get(site_id) or site_ever(self.store.conn, site_id)

    def site(self, site_id: str | None = None) -> Site:
        """The site asked for; else the one this command acts for (:meth:`acting_site`)."""
        return self._said(self.acting_site(site_id=site_id))

    def acting_site(self, desk_id: str | None = None, site_id: str | None = None) -> Site | None:
        """The site a command acts for, the one rule: the one asked for (``site_id``); else the
        one ``desk_id`` is in; else the command's ``--site`` (:attr:`asked_site`); else the one
        of this terminal's desk; else the only one; else the one of the desk the acting person
        logged in to today (a login left open from an earlier day says nothing of where they
        are now). None: nothing says which of several."""
        if site_id is None and desk_id in self.directory.desks:
            site_id = self.directory.desks[desk_id].site_id
        site_id = site_id or self.asked_site
        if site_id is None:
            desk = self.actor.desk_id
            if len(self.directory.sites) > 1 and desk not in self.directory.desks:
                desk = self._desk_logged_in_today()
            if desk is not None and desk in self.directory.desks:
                site_id = self.directory.desks[desk].site_id
            elif len(self.directory.sites) == 1:
                return next(iter(self.directory.sites.values()))
            else:
                return None
        site = self.directory.sites.get(site_id)
        if site is None:
            known = ", ".join(sorted(self.directory.sites))
            raise NotFound(f"unknown site {shown(site_id)!r} (sites: {known})")
        return site

    def _said(self, site: Site | None) -> Site:
        """``site``, or the refusal that the command must say which."""
        if site is None:
            known = ", ".join(sorted(self.directory.sites))
            raise InvalidInput(
                f"this database has several sites: say which ({known})", cli_hint=self.site_said_by
            )
        return site

    def _desk_logged_in_today(self) -> str | None:
        """The desk the acting person logged in to today (its site's day), if any."""
        login = login_of(self.store.conn, self.actor.person)
        desk = self.directory.desks.get(login.desk_id) if login is not None else None
        if login is None or desk is None or desk.site_id not in self.directory.sites:
            return None
        tz = self.directory.sites[desk.site_id].timezone
        since = business_day(login.since, tz)
        return desk.id if since == business_day(self.clock.now(), tz) else None

    def today(self, site: Site | None = None) -> str:
        return business_day(self.clock.now(), (site or self.site()).timezone)

    def span(self, site: Site | None = None) -> DateSpan:
        """The dates this office's commands accept: from the day its records begin to 100
        years after today (see :class:`~oss_desk.domain.calendar.DateSpan`)."""
        where = site or self.site_or_first()
        tz = where.timezone if where is not None else "Europe/London"
        today = date.fromisoformat(business_day(self.clock.now(), tz))
        begins = records_begin(self.store.conn, tz)
        return DateSpan.of(date.fromisoformat(begins) if begins else None, today)

    def site_or_first(self) -> Site | None:
        """The desk's site, the only site, else the first (for office-wide bounds)."""
        if self.actor.desk_id and self.actor.desk_id in self.directory.desks:
            return self.directory.sites.get(self.directory.desks[self.actor.desk_id].site_id)
        return next(iter(self.directory.sites.values()), None)

    def refresh_directory(self) -> bool:
        """Re-read sites, services and desks if ``init`` loaded a new configuration, and the
        settings this process runs with (from where it read them: the stored copy, or its
        file), so that a desk added or renamed while the office runs is named on the board and
        the waiting-room screen (its ``board_name``, its Welsh name) as at the desks. Settings
        that no longer read are kept as they were (and said in the log)."""
        if latest_config_id(self.store.conn) == self.directory.config_id:
            return False
        self.directory = read_directory(self.store.conn)
        path = None if self.config_source == "database" else Path(self.config_source)
        try:
            self.settings, _ = settings_for(self.store, path)
        except OssDeskError as error:
            _log().warning("kept the settings this process started with: %s", error)
        return True

    def close(self) -> None:
        self.store.close()


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    if db is not None and str(db) != "":
        return Path(db).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def _demo_hint(path: Path, error: StorageError, config: Path | None) -> StorageError:
    """Opening ``path`` failed: the same error, or, for a database that is not there, the
    newest backup of it to restore (in the backup folder of ``config``, the configuration file
    the command was given), else where the demo office is when the default database
    was meant and only the demo has been built (``oss-desk demo`` then ``oss-desk queue`` in
    another terminal)."""
    if path.exists():
        return error
    from oss_desk.services.backup_files import missing_said  # (only when the file is gone)

    restore = missing_said(path, config)  # an office whose file went: where are its backups
    if restore is not None:
        return StorageError(restore)
    demo = demo_db_path()
    if path != default_db_path() or not demo.exists():
        return error
    return StorageError(
        f"no database at {path}; the demo office is at {demo}: pass --db {demo} (or set {DB_ENV})"
    )


def resolve_config_path(config: str | os.PathLike[str] | None) -> Path | None:
    if config is not None and str(config) != "":
        return Path(config).expanduser()
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else None


def settings_for(store: Store, config_path: Path | None) -> tuple[Settings, str]:
    """The settings a process runs with: the given file, else the copy stored by ``init``
    (validated, or read back from the validated copy beside the database: see
    :mod:`oss_desk.config_cache`)."""
    if config_path is not None:
        return file_settings(config_path, store.path), str(config_path)
    stored = latest_config(store.conn)
    if stored is None:
        raise ConfigError(
            f"{store.path} holds no site configuration: run `oss-desk init --demo` "
            "or `oss-desk init --config FILE`"
        )
    source = f"the configuration stored in {store.path}"
    try:
        return stored_settings(stored.document, source, store.path), "database"
    except ConfigError as error:  # stored by an older release that took it: say the way out
        if source not in error.message:  # an OSS_DESK_* variable's: the variable is the way
            raise
        fix = "put it right in the configuration file and load it: `oss-desk init --config FILE`"
        raise ConfigError(
            f"{error.message}; {fix}",
            lines=(*error.lines, fix) if error.lines else (),
        ) from None


PROXY_USER_ENV = "OSS_DESK_PROXY_USER"
"""Set by ``oss-desk serve`` for each browser desk process: the login the proxy signed in."""
AUTOMATION = frozenset({"worker"})
"""Labels that host-level processes act under on their own (the device worker): no person
claims to act, so there is nobody to check; events record them with the process's account."""


class IdentityRefused(Forbidden):
    """``--user``, ``OSS_DESK_USER`` or ``desk.person`` named someone other than the login, from
    a login that may not (see ``access.user_override``). Recorded in the event log."""

    title = "Not you"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is acting: the account this process acts for, and the person (a staff id, or the
    name of someone not on the staff list)."""

    account: str
    person: str
    refused: str | None = None
    """The person asked for and refused (the session raises IdentityRefused)."""


def process_account(db: Path | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The account this process acts for: its operating-system login; or, for a process of the
    database's owner (the service account every unit runs as), the login that ``sudo`` (SSH
    desks, administrators) or the browser desks' proxy (``oss-desk serve``) says it acts for.
    Nobody else can run a process as the owner, and the owner holds the file anyway."""
    env = os.environ if environ is None else environ
    own = os_account()
    try:
        owner = os.stat(db).st_uid if db is not None else None
    except OSError:
        owner = None
    if owner is not None and owner == os.geteuid():
        proxy = (env.get(PROXY_USER_ENV) or "").strip()
        if proxy:
            return _checked_login(proxy)
        sudo_user = (env.get("SUDO_USER") or "").strip()
        if sudo_user and env.get("SUDO_UID", "") != str(os.geteuid()):
            return _checked_login(sudo_user)
    return own


def _checked_login(login: str, what: str = "the login") -> str:
    """A login as given (an account's, or a person's not on the staff list): printable and up
    to 64 characters."""
    if not login or not login.isprintable() or len(login) > 64:
        raise InvalidInput(f"{what} must be printable and up to 64 characters")
    return login


def resolve_identity(
    settings: Settings,
    desk_id: str | None,
    requested: str | None,
    *,
    account: str,
    host: bool = False,
    logged_in: str | None = None,
    typed: bool = False,
) -> Identity:
    """Who is acting (see the README's "Real identities"); the one place it is decided.

    The login's own person (the staff member whose ``login`` or id is the account) acts, unless
    someone else is asked for (``--user``, ``OSS_DESK_USER``, ``desk.person``): that is allowed
    only to an admin's login, or to anyone when ``access.user_override = "anyone"`` (the demo,
    training, tests). Only a login not on the staff list, acting for a desk, acts as the
    person logged in to that desk (``logged_in``, read from the database), else as the desk's
    configured ``person`` (nobody has signed in there), else as itself
    (``access.unlisted_role``): a login on the list that names nobody is its own person at any
    desk, in a training office too (the team leader's command is never the adviser's). A name
    asked for that is neither on the staff list nor the login itself is refused when it was
    ``typed`` (``--user``, ``OSS_DESK_USER``: a typo such as "amnia" would act with the
    unlisted role) unless the configuration allows it (:func:`names_unlisted`)."""
    staff = settings.staff
    by_login = login_entry(settings, account)
    claim = (requested or settings.desk.person or "").strip() or None
    desk_person: str | None = None
    if desk_id is not None:
        desk = next((d for d in settings.desks if d.id == desk_id), None)
        desk_person = desk.person if desk is not None and desk.person else None
    at_desk = logged_in or desk_person
    anyone = settings.access.user_override == "anyone"
    if claim is None:
        if by_login is not None:
            return Identity(account, by_login.id)
        if at_desk:
            return Identity(account, at_desk)
        return Identity(account, _unlisted(account))
    if host and claim in AUTOMATION:
        return Identity(account, claim)
    wanted = next((p.id for p in staff if claim in (p.id, p.login)), None)
    person = wanted if wanted is not None else _unlisted(claim)
    own = by_login.id if by_login is not None else account
    if person == own or anyone or (by_login is not None and by_login.role is Role.ADMIN):
        if wanted is None and typed and person != account and not host:
            _check_unlisted(settings, claim)
        return Identity(account, person)
    return Identity(account, own, refused=person)


def _check_unlisted(settings: Settings, claim: str) -> None:
    """A typed name not on the staff list: refused unless the configuration lets people not on
    it act (:func:`names_unlisted`)."""
    if not names_unlisted(settings):
        raise UnknownPerson(
            f"{shown(claim)!r} is not on the staff list: give a staff id or login with "
            "--user (or OSS_DESK_USER)"
            + (
                ""
                if settings.access.role() is None
                else " (access.name_unlisted lets people not on it act)"
            )
        )


class UnknownPerson(Forbidden):
    """``--user`` (or ``OSS_DESK_USER``) names nobody on the staff list."""

    title = "Not on the staff list"


def names_unlisted(settings: Settings) -> bool:
    """Whether someone not on the staff list may be named (``--user``): only when the
    configuration says so (``access.name_unlisted``) and gives them a role. Otherwise a name
    not on the list is a typo, and acting on it would give it the default role silently."""
    access = settings.access
    return access.name_unlisted and access.role() is not None


def _unlisted(name: str) -> str:
    return _checked_login(name, "the person's login")


def resolve_person(
    settings: Settings,
    desk_id: str | None,
    requested: str | None,
    *,
    account: str | None = None,
    host: bool = False,
) -> str:
    """Who is acting (see :func:`resolve_identity`); raises IdentityRefused."""
    found = resolve_identity(
        settings, desk_id, requested, account=account or os_account(), host=host
    )
    if found.refused is not None:
        raise IdentityRefused(refusal_text(settings, found.account, found.refused))
    return found.person


def _record_refusal(store: Store, found: Identity, desk_id: str | None, now: datetime) -> bool:
    """Refused: say so in the event log (who asked, as whom), best effort; whether it was."""
    from oss_desk.services.events import record_event  # a refusal: rare

    try:
        with store.write() as conn:
            record_event(
                conn,
                None,
                now,
                EventKind.IDENTITY_REFUSED,
                Actor(person=found.person, desk_id=desk_id),
                data={"asked_for": found.refused},
            )
    except OssDeskError as exc:
        _log().warning("the refusal could not be recorded (%s)", type(exc).__name__)
        return False
    return True


def simulated_on_live(session: Session) -> str | None:
    """One line when OSS_DESK_NOW sets the time on an office that is not a training one (its
    changes are real: no-shows marked, days closed, history stamped at that time); else None."""
    value = os.environ.get(NOW_ENV, "").strip()
    if not value or session.settings.access.training():
        return None
    return (
        f"{NOW_ENV}={value}: acting at that time, not now, on a live office (not a training "
        "one): what this changes is real"
    )


def open_session(
    *,
    db: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    person: str | None = None,
    desk_id: str | None = None,
    clock: Clock | None = None,
    check: bool = True,
    host: bool = False,
    typed: bool = False,
    site_id: str | None = None,
) -> Session:
    """Open an initialised office database for a command or a desk.

    ``host``: a host-level process (init, the device worker, the demo builder), never
    role-checked. Anyone else must be on the staff list unless ``access.unlisted_role`` gives
    unlisted people a role. ``typed``: ``person`` was typed by someone (``--user``,
    ``OSS_DESK_USER``), so a name not on the staff list is taken for a typo (see
    :func:`resolve_identity`). ``site_id``: the site the command was told it acts for
    (``--site``: see :meth:`Session.acting_site`)."""
    path = resolve_db_path(db)
    try:
        store = open_store(path, create=False, check=check)
    except StorageError as error:
        raise _demo_hint(path, error, resolve_config_path(config)) from None
    try:
        settings, source = settings_for(store, resolve_config_path(config))
        if clock is None:
            from oss_desk.services.demo_clock import office_clock

            clock = office_clock(store.conn, training=settings.access.training())
        clock = held_back(clock, store)
        directory = read_directory(store.conn)
        if desk_id is not None and desk_id.strip() not in directory.desks:
            known = ", ".join(sorted(directory.desks)) or "none"
            raise NotFound(f"unknown desk {shown(desk_id)!r} (desks: {known})")
        desk_key = desk_id.strip() if desk_id else None
        account = process_account(path)
        if isinstance(store.conn, GuardedConnection):
            store.conn.account = account
        logged_in = login_at(store.conn, desk_key) if desk_key is not None else None
        found = resolve_identity(
            settings,
            desk_key,
            person,
            account=account,
            host=host,
            logged_in=logged_in.person if logged_in is not None else None,
            typed=typed,
        )
        if found.refused is not None:
            recorded = _record_refusal(store, found, desk_key, clock.now())
            raise IdentityRefused(refusal_text(settings, found.account, found.refused, recorded))
        actor = Actor(person=found.person, desk_id=desk_key)
        session = Session(
            store=store,
            clock=clock,
            settings=settings,
            directory=directory,
            actor=actor,
            config_source=source,
            host=host,
            account=account,
            asked_site=site_id.strip() if site_id else None,
        )
        if not host and session.role_of(actor.person) is None:
            how = (
                "give a staff id or login with --user (or OSS_DESK_USER)"
                if settings.access.user_override == "anyone"
                else "use the login of a member of staff (their [[staff]] login)"
            )
            raise Forbidden(
                f"{shown(actor.person)!r} is not on the staff list and access.unlisted_role is "
                f'"none": {how}'
            )
        return session
    except BaseException:
        store.close()
        raise
