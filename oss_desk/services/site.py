"""Creating the office database and loading its site configuration."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from oss_desk.clock import Clock, FixedClock
from oss_desk.config import Settings, build_settings, load_file, read_toml
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.site_change import TRAINING_SETTING
from oss_desk.domain.text import shown
from oss_desk.errors import RuleViolation
from oss_desk.services.channels import promised_channels
from oss_desk.services.events import record_event
from oss_desk.services.held_clock import held_back
from oss_desk.services.opening import remember_bank_holidays
from oss_desk.services.session import Session, process_account, resolve_person, settings_for
from oss_desk.services.site_change import ChangeReport, ConfigChange
from oss_desk.services.welsh_gaps import welsh_gaps
from oss_desk.storage.database import GuardedConnection, Store, open_store, schema_version
from oss_desk.storage.demo_clock import DEMO_SOURCE as DEMO_SOURCE
from oss_desk.storage.demo_clock import forget_demo_clock
from oss_desk.storage.site import Snapshot, latest_config, load_config, read_directory


def demo_toml(demo_dir: Path) -> str:
    text = (resources.files("oss_desk") / "data" / "demo-site.toml").read_text(encoding="utf-8")
    escaped = str(demo_dir).replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("{demo_dir}", escaped)


def demo_document(demo_dir: Path) -> dict[str, Any]:
    return tomllib.loads(demo_toml(demo_dir))


def demo_settings(demo_dir: Path) -> Settings:
    return build_settings(demo_document(demo_dir), DEMO_SOURCE)


@dataclass(frozen=True, slots=True)
class InitResult:
    path: Path
    migrations: list[str]
    loaded: str | None
    settings: Settings | None
    backup: Path | None = None
    """The verified backup taken before another office replaced the one in the database."""
    change: ChangeReport = field(default_factory=ChangeReport)
    """What loading the configuration over the office at work did, and what is left to do."""
    configured: bool = True
    """The database holds a site configuration (False: only created or migrated, no site)."""
    upgraded_from: str | None = None
    """The schema of a database made by an older release, before this ``init`` upgraded it."""
    upgrade_ran: tuple[str, ...] = ()
    """The migrations this ``init`` applied to it."""
    upgrade_backup: Path | None = None
    """The verified copy of it taken before the upgrade (None: it held no events)."""


def initialise(
    db_path: Path,
    *,
    clock: Clock,
    config_path: Path | None = None,
    demo_dir: Path | None = None,
    person: str | None = None,
    replace_office: bool = False,
) -> InitResult:
    """Create or migrate the database, then load the demo site or a configuration file.

    The configuration is validated before the database is touched, so a bad file changes
    nothing. A configuration for another office (no site in common with the stored one) is
    refused unless ``replace_office``, which first takes a verified backup of the database.
    """
    settings: Settings | None = None
    source: str | None = None
    if demo_dir is not None:
        settings, source = demo_settings(demo_dir), DEMO_SOURCE
    elif config_path is not None:
        settings, source = load_file(config_path), str(config_path)
    if settings is not None:
        from oss_desk.services.wording import check_texts

        check_texts(settings)  # a council's wording files: a mistake is one line now
    from oss_desk.services.upgrade import (
        backup_before_upgrade,
        pending_upgrade,
        refuse_while_in_use,
        upgrade_alone,
    )

    upgrade = pending_upgrade(db_path)  # read, then closed: in use is asked of others only
    saved: Path | None = None
    if upgrade is not None:
        refuse_while_in_use(db_path, upgrade)
        if upgrade.events:
            saved = backup_before_upgrade(db_path, clock, settings)
            refuse_while_in_use(db_path, upgrade)  # again: a process may have come meanwhile
        upgrade_alone(db_path, upgrade)  # with the file held: nobody opens it in between
    store = open_store(db_path, create=True, migrate=True)
    clock = held_back(clock, store)  # the real clock stepped back: its change after the rest
    try:
        applied = schema_version(store)
        backup: Path | None = None
        change = ChangeReport()
        settings_in_force: Settings | None = None
        if settings is not None and source is not None:
            stored = latest_config(store.conn)
            if stored is not None and other_office(stored, settings, source):
                if not replace_office:
                    held = (
                        "the built-in demo office"
                        if stored.source == DEMO_SOURCE
                        else f"another office ({_sites_of(stored.document)})"
                    )
                    wanted = (
                        "the built-in demo"
                        if source == DEMO_SOURCE
                        else ", ".join(site.id for site in settings.sites)
                    )
                    raise RuleViolation(
                        f"{db_path} holds {held}; this configuration is for {wanted}: use "
                        "another --db, or add --replace-office (it takes a verified backup first)"
                    )
                backup = _backup_before_replacing(db_path, clock, person)
            load_into(
                store,
                settings,
                source=source,
                clock=clock,
                person=person,
                backup=backup,
                report=change,
            )
            if config_path is not None and demo_dir is None:
                document = read_toml(config_path)
                from oss_desk.config_numbers import loose_numbers  # init only: it needs pydantic

                change.lines += [f"Warning: {source}: {x}" for x in loose_numbers(document)]
        elif latest_config(store.conn) is not None:  # an upgrade, or the calendar updated
            loaded, _ = settings_for(store, None)
            with store.write() as conn:
                remember_bank_holidays(conn, loaded, clock.now().date())
            settings_in_force = loaded
        if settings is not None or upgrade is not None:
            expiring = _expiring_backups(db_path, settings or settings_in_force)
            change.lines += [f"Warning: {expiring}"] if expiring else []
        return InitResult(
            path=db_path,
            migrations=applied,
            loaded=source,
            settings=settings,
            backup=backup,
            change=change,
            configured=latest_config(store.conn) is not None,
            upgraded_from=upgrade.before if upgrade is not None else None,
            upgrade_ran=tuple(upgrade.pending) if upgrade is not None else (),
            upgrade_backup=saved,
        )
    finally:
        store.close()


def _expiring_backups(db_path: Path, settings: Settings | None) -> str | None:
    """The backups the next ``db backup`` deletes as older than ``backup.keep_days`` (a setting
    an older release did not have, so an upgrade's first night would delete them unsaid)."""
    from oss_desk.config_sections import BackupSettings
    from oss_desk.services.backup_files import backup_folder
    from oss_desk.services.doctor_backups import too_old_said

    kept = settings.backup if settings is not None else BackupSettings()
    folder = backup_folder(db_path, kept.folder)
    return too_old_said(folder, db_path.stem, kept.keep_days, keep=kept.keep)


def other_office(stored: Snapshot, settings: Settings, source: str) -> bool:
    """Whether a configuration is for another office than the stored one: no site in common,
    or the built-in demo in place of a real office (or a real office's file over the demo)."""
    if (stored.source == DEMO_SOURCE) != (source == DEMO_SOURCE):
        return True
    sites = stored.document.get("sites", [])
    before = {str(site.get("id")) for site in sites if isinstance(site, dict)}
    return bool(before) and not before & {site.id for site in settings.sites}


def in_force_said(db_path: Path) -> str:
    """Which configuration a database holds (after ``db restore``, the backup's, which may be
    older than the office's file): when it was loaded, from where, how many staff, and how the
    current one is loaded again."""
    from oss_desk.clock import read_instant

    store = open_store(db_path, create=False, migrate=False, check=False)
    try:
        stored = latest_config(store.conn)
    finally:
        store.close()
    if stored is None:
        return f"{db_path} holds no site configuration: `oss-desk init --config FILE` loads one."
    staff = sum(1 for p in stored.document.get("staff", []) if isinstance(p, dict))
    when = f"{read_instant(stored.loaded_at):%Y-%m-%d %H:%M}Z" if stored.loaded_at else "?"
    return (
        f"The configuration in force is the one loaded at {when} from {stored.source} "
        f"({staff} staff): if the office's file has changed since, `oss-desk init --config "
        "FILE` loads it again."
    )


def _sites_of(document: dict[str, Any]) -> str:
    ids = [str(site.get("id")) for site in document.get("sites", []) if isinstance(site, dict)]
    return ", ".join(shown(i) for i in ids) or "no site"


def _backup_before_replacing(db_path: Path, clock: Clock, person: str | None) -> Path:
    """A verified backup of the office about to be replaced (in its backup folder)."""
    from oss_desk.services.backups import backup
    from oss_desk.services.session import open_session

    session = open_session(db=db_path, clock=clock, person=person, check=True, host=True)
    try:
        return backup(session).path
    finally:
        session.close()


def load_into(
    store: Store,
    settings: Settings,
    *,
    source: str,
    clock: Clock,
    person: str | None,
    backup: Path | None = None,
    report: ChangeReport | None = None,
) -> int:
    """Store ``settings`` as the office's configuration (``backup``: the office it replaces
    was backed up there first, recorded with the change).

    Over the same office at work, in the same transaction, what the change strands is dealt
    with (:mod:`oss_desk.services.site_change`); ``report`` gets what was done and what the
    office must still do. A change it refuses raises before anything is stored."""
    report = report if report is not None else ChangeReport()
    account = process_account(store.path)
    if isinstance(store.conn, GuardedConnection):
        store.conn.account = account
    actor = Actor(person=resolve_person(settings, None, person, account=account, host=True))
    clock = FixedClock(clock.now())  # one instant for the change, read before it writes
    with store.write() as conn:
        if backup is not None:
            record_event(
                conn,
                None,
                clock.now(),
                EventKind.OFFICE_REPLACED,
                actor,
                data={"backup": backup.name, "sites": [s.id for s in settings.sites]},
            )
        change: ConfigChange | None = None
        old = read_directory(conn)
        if backup is None and latest_config(conn) is not None:
            session = Session(store, clock, settings, old, actor, host=True, account=account)
            change = ConfigChange(session, actor)  # the new settings over the office as it was
            change.before_load(conn, report)
        snapshot = load_config(conn, settings, source=source, actor=actor, now=clock.now())
        remember_bank_holidays(conn, settings, clock.now().date())
        if source != DEMO_SOURCE:
            forget_demo_clock(conn)  # another office replaced a demo: the real time from now on
        if change is not None:
            change.after_load(conn, report, old)
        if settings.access.training() and source != DEMO_SOURCE:
            report.lines.append(f"Note: {TRAINING_SETTING}")
        report.lines.extend(f"Note: {line}" for line in board_cuts(settings))
        report.lines.extend(f"Warning: {line}" for line in promised_channels(settings))
        report.lines.extend(f"Warning: {line}" for line in change_line_unset_in(settings))
        report.lines.extend(f"Warning: {line}" for line in welsh_gaps(settings))
    from oss_desk.services.change_lines import change_lines_cut

    loaded = Session(store, clock, settings, read_directory(store.conn), actor, host=True)
    report.lines.extend(f"Warning: {line}" for line in change_lines_cut(loaded))
    return snapshot


def change_line_unset_in(settings: Settings) -> list[str]:
    """The default "to change or cancel" line, where a service takes appointments."""
    from oss_desk.domain.appointments import change_line_unset

    takes = any(service.appointment_minutes for service in settings.services)
    return change_line_unset(settings.appointments.change_line, takes)


def board_cuts(settings: Settings) -> list[str]:
    """The desks whose name a call on the board cuts short (``Interview ro``), each with what
    shows and the setting that fixes it; none without a board, and only the desks of the site
    whose calls it shows."""
    from oss_desk.domain.devices import parse_board_url
    from oss_desk.domain.queue import calls_tickets
    from oss_desk.hardware.boards import call_line, cut_desk_name, geometry_for
    from oss_desk.services.wording import wording_for

    if settings.board.url is None:
        return []
    url = parse_board_url(settings.board.url)
    longest = max((s.code for s in settings.services), key=len, default="C") + "000"
    room = geometry_for(url).cols - len(call_line(longest, ""))
    found = []
    shown_at = settings.board_site()
    welsh = "cy" in wording_for(settings, shown_at).languages
    for desk in (d for d in settings.desks if settings.site_of(d) == shown_at):
        english, welsh_name = desk.board_names
        names = [(english, "board_name")]
        if welsh and welsh_name:  # a bilingual office's board names it in Welsh too
            names.append((welsh_name, "board_name_cy"))
        for name, setting in names:
            shows = cut_desk_name(url, longest, name) if calls_tickets(desk.kind) else None
            if shows is not None:
                found.append(
                    f"the board shows a call to {desk.id} as '{call_line(longest, shows)}', "
                    f"cutting '{name}' short: give the desk a {setting} of at most {room} "
                    "characters"
                )
    return found
