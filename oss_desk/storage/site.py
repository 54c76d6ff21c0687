"""The site's structure in the database: sites, services, desks and staff, loaded from config."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oss_desk.clock import format_instant
from oss_desk.domain.models import (
    Actor,
    Desk,
    DeskKind,
    DeskStatus,
    EventKind,
    Role,
    Service,
    Site,
)
from oss_desk.storage.counter import desk_capabilities, load_capabilities
from oss_desk.storage.events import append_event

if TYPE_CHECKING:
    from oss_desk.config import Settings


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: str
    name: str
    role: Role
    login: str | None
    active: bool = True
    """On the staff list now (False: left it; kept for the records that name them)."""


@dataclass(frozen=True, slots=True)
class Directory:
    """Who and what exists: read once per process (and again when the config changes)."""

    sites: dict[str, Site] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    desks: dict[str, Desk] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    config_id: int = 0


def load_config(
    conn: sqlite3.Connection,
    settings: Settings,
    *,
    source: str,
    actor: Actor,
    now: datetime,
) -> int:
    """Make the tables match ``settings`` (inside the caller's write transaction).

    Entries that left the configuration are deactivated, never deleted: old tickets and events
    keep pointing at them. Returns the id of the stored configuration snapshot.
    """
    document = settings.file_document()
    stamp = format_instant(now)
    cur = conn.execute(
        "INSERT INTO config_snapshots (loaded_at, loaded_by, source, document) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        # In the configured order: a table's order is meaning (the signposting list's
        # "Another organisation" is last), so the stored copy is never sorted.
        [stamp, actor.person, source, json.dumps(document)],
    )
    snapshot_id = int(cur.fetchone()[0])

    conn.execute("UPDATE sites SET active = 0")
    for site in settings.sites:
        conn.execute(
            "INSERT INTO sites (id, name, timezone, active) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "timezone = excluded.timezone, active = 1",
            [site.id, site.name, site.timezone],
        )
    conn.execute("UPDATE services SET active = 0")
    for svc in settings.services:
        conn.execute(
            "INSERT INTO services (code, name, label, appointment_minutes, private_room, "
            "checklist, typical_minutes, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, label = excluded.label, "
            "appointment_minutes = excluded.appointment_minutes, "
            "private_room = excluded.private_room, checklist = excluded.checklist, "
            "typical_minutes = excluded.typical_minutes, active = 1",
            [
                svc.code,
                svc.name,
                svc.public_label,
                svc.appointment_minutes,
                int(svc.private_room),
                json.dumps(svc.checklist),
                svc.typical_minutes,
            ],
        )
    conn.execute("UPDATE desks SET active = 0")
    conn.execute("DELETE FROM desk_services")
    for desk in settings.desks:
        conn.execute(
            "INSERT INTO desks (id, site_id, name, kind, private_room, printer_url, "
            "fallback_printer_url, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name, "
            "kind = excluded.kind, private_room = excluded.private_room, "
            "printer_url = excluded.printer_url, "
            "fallback_printer_url = excluded.fallback_printer_url, active = 1",
            [
                desk.id,
                settings.site_of(desk),
                desk.display_name,
                desk.kind.value,
                int(desk.has_private_room),
                desk.printer,
                desk.fallback_printer,
            ],
        )
        conn.executemany(
            "INSERT INTO desk_services (desk_id, service_code) VALUES (?, ?)",
            [(desk.id, code) for code in settings.desk_services(desk)],
        )
    conn.execute("UPDATE staff SET active = 0, login = NULL")
    for person in settings.staff:
        conn.execute(
            "INSERT INTO staff (id, name, role, login, active) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, "
            "login = excluded.login, active = 1",
            [person.id, person.name, person.role.value, person.login],
        )
    _load_capabilities(conn, settings)
    append_event(
        conn,
        at=now,
        timezone=None,
        site_id=None,
        kind=EventKind.CONFIG_LOADED,
        actor=actor,
        data={
            "snapshot": snapshot_id,
            "sites": len(settings.sites),
            "services": len(settings.services),
            "desks": len(settings.desks),
            "staff": len(settings.staff),
        },
    )
    return snapshot_id


def _load_capabilities(conn: sqlite3.Connection, settings: Settings) -> None:
    """Desks' facilities and staff skills as requirements they meet (``domain.needs``)."""
    from oss_desk.domain.needs import parse_skill

    load_capabilities(
        conn,
        {d.id: [f for f in d.facilities if f != "private-room"] for d in settings.desks},
        {p.id: [parse_skill(k) for k in p.skills] for p in settings.staff},
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: int
    source: str
    document: dict[str, Any]
    loaded_at: str = ""
    """When it was loaded (UTC, ISO 8601)."""


def latest_config(conn: sqlite3.Connection) -> Snapshot | None:
    """The configuration stored by the latest ``init``."""
    row = conn.execute(
        "SELECT id, source, document, loaded_at FROM config_snapshots ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return Snapshot(id=int(row[0]), source=row[1], document=json.loads(row[2]), loaded_at=row[3])


def latest_config_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(id) FROM config_snapshots").fetchone()
    return int(row[0] or 0)


def site_ever(conn: sqlite3.Connection, site_id: str) -> Site | None:
    """A site as the office last had it, in the configuration or no longer (None: never)."""
    row = conn.execute("SELECT id, name, timezone FROM sites WHERE id = ?", [site_id]).fetchone()
    return Site(id=row[0], name=row[1], timezone=row[2]) if row else None


def desk_name_ever(conn: sqlite3.Connection, desk_id: str) -> str | None:
    """A desk's name as the office last had it, in the configuration or no longer (None:
    never one of its desks)."""
    row = conn.execute("SELECT name FROM desks WHERE id = ?", [desk_id]).fetchone()
    return str(row[0]) if row else None


def site_as_loaded(conn: sqlite3.Connection, site_id: str) -> dict[str, Any] | None:
    """The site's entry in the last configuration stored that had it (a site that left keeps
    its own calendar: nation, closures, opening hours); None: no stored one had it."""
    row = conn.execute(
        "SELECT s.value FROM config_snapshots AS c, json_each(c.document, '$.sites') AS s"
        " WHERE json_extract(s.value, '$.id') = ? ORDER BY c.id DESC LIMIT 1",
        [site_id],
    ).fetchone()
    found: dict[str, Any] | None = json.loads(row[0]) if row else None
    return found


@dataclass(frozen=True, slots=True)
class SiteLeft:
    """A site that has left the configuration (its records stay)."""

    site: Site
    first_loaded: str | None
    """When a stored configuration first had it (UTC; None: before the office kept them)."""
    left_at: str | None
    """When the first stored configuration without it was loaded (UTC; None: not known)."""
    desks: tuple[str, ...]
    """Its adviser desks and rooms as they were last loaded (no longer configured either)."""


def sites_left(conn: sqlite3.Connection) -> dict[str, SiteLeft]:
    """Every site that has left the configuration, by id, with when it came and went (read
    from the stored configurations)."""
    found = conn.execute(
        "WITH had AS (SELECT json_extract(s.value, '$.id') AS site, c.id AS snapshot"
        " FROM config_snapshots AS c, json_each(c.document, '$.sites') AS s)"
        " SELECT sites.id, sites.name, sites.timezone,"
        " (SELECT loaded_at FROM config_snapshots WHERE id ="
        "  (SELECT min(snapshot) FROM had WHERE site = sites.id)),"
        " (SELECT min(loaded_at) FROM config_snapshots WHERE id >"
        "  (SELECT max(snapshot) FROM had WHERE site = sites.id)),"
        " (SELECT json_group_array(id) FROM (SELECT id FROM desks"
        "  WHERE site_id = sites.id AND active = 0 AND kind != 'meet-and-greet' ORDER BY id))"
        " FROM sites WHERE active = 0 ORDER BY sites.id"
    )
    return {
        r[0]: SiteLeft(
            site=Site(id=r[0], name=r[1], timezone=r[2]),
            first_loaded=r[3],
            left_at=r[4],
            desks=tuple(json.loads(r[5])),
        )
        for r in found
    }


def site_has_events(conn: sqlite3.Connection, site_id: str, first_day: str, last_day: str) -> bool:
    """Whether anything was recorded at ``site_id`` from ``first_day`` to ``last_day``."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM events WHERE business_day BETWEEN ? AND ? AND site_id = ?)",
        [first_day, last_day, site_id],
    ).fetchone()
    return bool(row[0])


def read_directory(conn: sqlite3.Connection) -> Directory:
    sites = {
        r[0]: Site(id=r[0], name=r[1], timezone=r[2])
        for r in conn.execute("SELECT id, name, timezone FROM sites WHERE active = 1 ORDER BY id")
    }
    services = {
        r[0]: Service(
            code=r[0],
            name=r[1],
            label=r[2],
            appointment_minutes=r[3],
            private_room=bool(r[4]),
            checklist=tuple(json.loads(r[5])),
        )
        for r in conn.execute(
            "SELECT code, name, label, appointment_minutes, private_room, checklist "
            "FROM services WHERE active = 1 ORDER BY code"
        )
    }
    served: dict[str, set[str]] = {}
    for desk_id, code in conn.execute("SELECT desk_id, service_code FROM desk_services"):
        served.setdefault(desk_id, set()).add(code)
    facilities = desk_capabilities(conn)
    desks = {
        r[0]: Desk(
            id=r[0],
            site_id=r[1],
            name=r[2],
            kind=DeskKind(r[3]),
            private_room=bool(r[4]),
            printer_url=r[5],
            fallback_printer_url=r[6],
            status=DeskStatus(r[7]),
            services=frozenset(served.get(r[0], set()) & set(services)),
            facilities=facilities.get(r[0], frozenset()),
        )
        for r in conn.execute(
            "SELECT id, site_id, name, kind, private_room, printer_url, fallback_printer_url, "
            "status FROM desks WHERE active = 1 ORDER BY id"
        )
    }
    staff = {p.id: p for p in staff_ever(conn).values() if p.active}
    return Directory(
        sites=sites,
        services=services,
        desks=desks,
        staff=staff,
        config_id=latest_config_id(conn),
    )


def desk_statuses(conn: sqlite3.Connection) -> dict[str, DeskStatus]:
    return {
        r[0]: DeskStatus(r[1])
        for r in conn.execute("SELECT id, status FROM desks WHERE active = 1")
    }


def desk_status(conn: sqlite3.Connection, desk_id: str) -> DeskStatus:
    row = conn.execute("SELECT status FROM desks WHERE id = ?", [desk_id]).fetchone()
    return DeskStatus(row[0]) if row else DeskStatus.CLOSED


def set_desk_status(conn: sqlite3.Connection, desk_id: str, status: DeskStatus) -> DeskStatus:
    """Returns the previous status."""
    row = conn.execute("SELECT status FROM desks WHERE id = ?", [desk_id]).fetchone()
    previous = DeskStatus(row[0])
    conn.execute("UPDATE desks SET status = ? WHERE id = ?", [status.value, desk_id])
    return previous


AUTOMATIC = ("worker",)
"""People who are processes acting on their own (the device worker): not work done by anyone."""


def work_since_seed(conn: sqlite3.Connection) -> int:
    """Events recorded in a demo database after it was built (``demo_built``), leaving out what
    the device worker did by itself; 0 when it holds no such mark."""
    row = conn.execute("SELECT max(id) FROM events WHERE kind = ?", [EventKind.DEMO_BUILT.value])
    seed = row.fetchone()[0]
    if seed is None:
        return 0
    marks = ", ".join("?" * len(AUTOMATIC))
    found = conn.execute(
        f"SELECT count(*) FROM events WHERE id > ? AND actor NOT IN ({marks})",  # noqa: S608
        [seed, *AUTOMATIC],
    ).fetchone()
    return int(found[0])


def records_begin(conn: sqlite3.Connection, timezone: str) -> str | None:
    """The first business day of the office's records, the one query every report, date check
    and presentation asks (:meth:`oss_desk.domain.calendar.DateSpan.recorded`): the earliest of
    its first event's day (of any kind), its first imported telephone call's day, and the day
    its configuration was first loaded (in ``timezone``); None when it holds nothing."""
    from oss_desk.clock import read_instant
    from oss_desk.domain.calendar import business_day

    first_event = conn.execute("SELECT min(business_day) FROM events").fetchone()[0]
    first_call = conn.execute("SELECT min(business_day) FROM calls").fetchone()[0]
    found = [str(day) for day in (first_event, first_call) if day]
    loaded = conn.execute("SELECT min(loaded_at) FROM config_snapshots").fetchone()[0]
    if loaded:
        found.append(business_day(read_instant(str(loaded)), timezone))
    return min(found) if found else None


def staff_ever(conn: sqlite3.Connection) -> dict[str, StaffMember]:
    """Everyone the office has had on its staff list, those who left it included (their
    bookings and events still name them; ``active``: on it now)."""
    return {
        r[0]: StaffMember(id=r[0], name=r[1], role=Role(r[2]), login=r[3], active=bool(r[4]))
        for r in conn.execute("SELECT id, name, role, login, active FROM staff")
    }


def desks_ever(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Every desk the office has had, by id: its name as last loaded and its site (one that
    left the configuration keeps its name: its tickets and events still point at it)."""
    found = conn.execute("SELECT id, name, site_id FROM desks")
    return {str(r[0]): (str(r[1]), str(r[2])) for r in found}


def settle_printer_jobs(
    conn: sqlite3.Connection, printers: list[str], reason: str, *, by: str, now: str
) -> int:
    """Print jobs still to print, or still asking to be reprinted, on ``printers`` (which left
    the configuration): a waiting or failed one is marked failed for ``reason``, one that may
    have printed keeps its status (and its reason, ``reason`` after it); neither is offered
    for reprint any more (acknowledged). A job being sent now is left to its worker. Returns
    how many were settled."""
    settled = 0
    for url in printers:
        settled += conn.execute(
            "UPDATE print_jobs SET status = CASE WHEN status = 'uncertain' THEN status "
            "ELSE 'failed' END, last_error = CASE WHEN status = 'uncertain' THEN "
            "coalesce(last_error || '; ', '') || ?1 ELSE ?1 END, acknowledged_at = ?2, "
            "acknowledged_by = ?3 "
            "WHERE printer_url = ?4 AND (status = 'pending' OR (status IN ('failed', "
            "'uncertain') AND acknowledged_at IS NULL))",
            [reason, now, by, url],
        ).rowcount
    return settled


def configured_printers(directory: Directory) -> set[str]:
    """The printers the configuration gives the desks (their own and their fallbacks)."""
    return {
        u for d in directory.desks.values() for u in (d.printer_url, d.fallback_printer_url) if u
    }


def printer_gone(conn: sqlite3.Connection, directory: Directory, url: str) -> bool:
    """Whether ``url`` is a printer that left the configuration (its jobs were settled then,
    see :func:`settle_printer_jobs`) and is not back in it: nothing is printed there again.
    A printer given by hand (``--print-to``) that was never configured is not gone."""
    from oss_desk.domain.site_change import PRINTER_REMOVED

    if url in configured_printers(directory):
        return False
    row = conn.execute(
        "SELECT 1 FROM print_jobs WHERE printer_url = ? AND last_error = ? LIMIT 1",
        [url, PRINTER_REMOVED],
    ).fetchone()
    return row is not None
