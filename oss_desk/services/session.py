"""The composition root: one process's database, clock, configuration and person at the desk."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from oss_desk.clock import Clock, clock_from_env
from oss_desk.config import Settings, build_settings, load_file
from oss_desk.domain.access import Action, Grants, Scope, allows, booking_grants, refusal, scope_of
from oss_desk.domain.calendar import business_day
from oss_desk.domain.models import Actor, Desk, Role, Site
from oss_desk.domain.text import shown
from oss_desk.errors import ConfigError, Forbidden, InvalidInput, NotFound
from oss_desk.paths import CONFIG_ENV, DB_ENV, default_db_path
from oss_desk.storage.database import Store, open_store
from oss_desk.storage.site import Directory, latest_config, latest_config_id, read_directory


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

    # Roles -----------------------------------------------------------------------------------

    def role_of(self, person: str) -> Role | None:
        """A listed person's role; anyone else has ``access.unlisted_role`` (None: refused)."""
        for staff in self.settings.staff:
            if staff.id == person:
                return staff.role
        return self.settings.access.role()

    def name_of(self, person: str) -> str:
        for staff in self.settings.staff:
            if staff.id == person:
                return staff.name
        return person

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
        self, action: Action, actor: Actor | None = None, *, own: bool | None = None
    ) -> None:
        """Raise :class:`Forbidden` unless the actor's role may do ``action`` (``own``: whether
        the ticket, appointment or desk acted on is theirs, for a role allowed only its own)."""
        if self.may(action, actor, own=own):
            return
        person = (actor or self.actor).person
        raise Forbidden(
            refusal(self.name_of(person), self.role_of(person), action, own, self.grants)
        )

    # Lookups ---------------------------------------------------------------------------------

    def desk(self, desk_id: str) -> Desk:
        desk = self.directory.desks.get(desk_id.strip())
        if desk is None:
            known = ", ".join(sorted(self.directory.desks)) or "none"
            raise NotFound(f"unknown desk {shown(desk_id)!r} (desks: {known})")
        return desk

    def site(self, site_id: str | None = None) -> Site:
        if site_id is None:
            if self.actor.desk_id and self.actor.desk_id in self.directory.desks:
                site_id = self.directory.desks[self.actor.desk_id].site_id
            elif len(self.directory.sites) == 1:
                return next(iter(self.directory.sites.values()))
            else:
                known = ", ".join(sorted(self.directory.sites))
                raise InvalidInput(f"this database has several sites: say which ({known})")
        site = self.directory.sites.get(site_id)
        if site is None:
            known = ", ".join(sorted(self.directory.sites))
            raise NotFound(f"unknown site {shown(site_id)!r} (sites: {known})")
        return site

    def today(self, site: Site | None = None) -> str:
        return business_day(self.clock.now(), (site or self.site()).timezone)

    def refresh_directory(self) -> bool:
        """Re-read sites, services and desks if ``init`` loaded a new configuration."""
        if latest_config_id(self.store.conn) == self.directory.config_id:
            return False
        self.directory = read_directory(self.store.conn)
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


def resolve_config_path(config: str | os.PathLike[str] | None) -> Path | None:
    if config is not None and str(config) != "":
        return Path(config).expanduser()
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else None


def settings_for(store: Store, config_path: Path | None) -> tuple[Settings, str]:
    """The settings a process runs with: the given file, else the copy stored by ``init``."""
    if config_path is not None:
        return load_file(config_path), str(config_path)
    stored = latest_config(store.conn)
    if stored is None:
        raise ConfigError(
            f"{store.path} holds no site configuration: run `oss-desk init --demo` "
            "or `oss-desk init --config FILE`"
        )
    return build_settings(stored.document, f"the configuration stored in {store.path}"), "database"


def resolve_person(settings: Settings, desk_id: str | None, requested: str | None) -> str:
    """Who is acting: ``--user``, the desk's configured person, else the login name."""
    wanted = requested or settings.desk.person
    if not wanted and desk_id is not None:
        desk = next((d for d in settings.desks if d.id == desk_id), None)
        if desk is not None and desk.person:
            wanted = desk.person
    if not wanted:
        try:
            wanted = getpass.getuser()
        except (KeyError, OSError):
            wanted = f"uid-{os.getuid()}"
    wanted = wanted.strip()
    for person in settings.staff:
        if wanted in (person.id, person.login):
            return person.id
    if not wanted or not wanted.isprintable() or len(wanted) > 64:
        raise InvalidInput("the person's login must be printable and up to 64 characters")
    return wanted


def open_session(
    *,
    db: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    person: str | None = None,
    desk_id: str | None = None,
    clock: Clock | None = None,
    check: bool = True,
    host: bool = False,
) -> Session:
    """Open an initialised office database for a command or a desk.

    ``host``: a host-level process (init, the device worker, the demo builder), never
    role-checked. Anyone else must be on the staff list unless ``access.unlisted_role`` gives
    unlisted people a role."""
    clock = clock or clock_from_env()
    store = open_store(resolve_db_path(db), create=False, check=check)
    try:
        settings, source = settings_for(store, resolve_config_path(config))
        directory = read_directory(store.conn)
        if desk_id is not None and desk_id.strip() not in directory.desks:
            known = ", ".join(sorted(directory.desks)) or "none"
            raise NotFound(f"unknown desk {shown(desk_id)!r} (desks: {known})")
        desk_key = desk_id.strip() if desk_id else None
        actor = Actor(person=resolve_person(settings, desk_key, person), desk_id=desk_key)
        session = Session(
            store=store,
            clock=clock,
            settings=settings,
            directory=directory,
            actor=actor,
            config_source=source,
            host=host,
        )
        if not host and session.role_of(actor.person) is None:
            raise Forbidden(
                f"{shown(actor.person)!r} is not on the staff list and access.unlisted_role is "
                '"none": give a staff id or login with --user (or OSS_DESK_USER)'
            )
        return session
    except BaseException:
        store.close()
        raise
