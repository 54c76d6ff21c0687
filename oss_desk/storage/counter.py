"""SQL of the adviser's counter: who is logged in to which desk, what desks and people can meet,
the services added to a visit, and when each desk last changed what it was doing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oss_desk.clock import read_instant
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import Outcome
from oss_desk.storage.rows import returned_int

# Logins -----------------------------------------------------------------------------------------


def _login(row: tuple[str, str, str]) -> DeskLogin:
    return DeskLogin(desk_id=row[0], person=row[1], since=read_instant(row[2]))


def desk_logins(conn: sqlite3.Connection) -> dict[str, DeskLogin]:
    """Every desk someone is logged in to, by desk id."""
    rows = conn.execute("SELECT desk_id, person, since FROM desk_sessions").fetchall()
    return {r[0]: _login(r) for r in rows}


def login_at(conn: sqlite3.Connection, desk_id: str) -> DeskLogin | None:
    row = conn.execute(
        "SELECT desk_id, person, since FROM desk_sessions WHERE desk_id = ?", [desk_id]
    ).fetchone()
    return _login(row) if row else None


def login_of(conn: sqlite3.Connection, person: str) -> DeskLogin | None:
    """The desk ``person`` is logged in to (one at most)."""
    row = conn.execute(
        "SELECT desk_id, person, since FROM desk_sessions WHERE person = ?", [person]
    ).fetchone()
    return _login(row) if row else None


def log_in(conn: sqlite3.Connection, desk_id: str, person: str, since: str) -> None:
    """``person`` at ``desk_id`` (in the caller's write transaction, after it has logged them
    out elsewhere and whoever held the desk out)."""
    conn.execute(
        "INSERT INTO desk_sessions (desk_id, person, since) VALUES (?, ?, ?)",
        [desk_id, person, since],
    )


def log_out(conn: sqlite3.Connection, desk_id: str) -> DeskLogin | None:
    """Nobody at ``desk_id`` any more; who was (None: nobody was)."""
    row = conn.execute(
        "DELETE FROM desk_sessions WHERE desk_id = ? RETURNING desk_id, person, since", [desk_id]
    ).fetchone()
    return _login(row) if row else None


def mark_desk(conn: sqlite3.Connection, desk_id: str, at: str) -> None:
    """The desk changed what it is doing at ``at`` (its resident left, a break, a login)."""
    conn.execute("UPDATE desks SET state_since = ? WHERE id = ?", [at, desk_id])


def desk_since(conn: sqlite3.Connection) -> dict[str, str | None]:
    return {r[0]: r[1] for r in conn.execute("SELECT id, state_since FROM desks WHERE active = 1")}


# What desks and people can meet -----------------------------------------------------------------


def load_capabilities(
    conn: sqlite3.Connection,
    desks: Mapping[str, Iterable[str]],
    staff: Mapping[str, Iterable[str]],
) -> None:
    """Replace every desk's facilities and every person's skills (``init``)."""
    conn.execute("DELETE FROM desk_capabilities")
    conn.execute("DELETE FROM staff_capabilities")
    conn.executemany(
        "INSERT INTO desk_capabilities (desk_id, capability) VALUES (?, ?)",
        [(desk, c) for desk, caps in desks.items() for c in sorted(set(caps))],
    )
    conn.executemany(
        "INSERT INTO staff_capabilities (person, capability) VALUES (?, ?)",
        [(person, c) for person, caps in staff.items() for c in sorted(set(caps))],
    )


def desk_capabilities(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for desk, capability in conn.execute("SELECT desk_id, capability FROM desk_capabilities"):
        found.setdefault(desk, set()).add(capability)
    return {desk: frozenset(caps) for desk, caps in found.items()}


def staff_capabilities(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for person, capability in conn.execute("SELECT person, capability FROM staff_capabilities"):
        found.setdefault(person, set()).add(capability)
    return {person: frozenset(caps) for person, caps in found.items()}


# Several services in one visit --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddedService:
    id: int
    visit_id: int
    ticket_id: int
    service: str
    added_by: str
    outcome: Outcome | None


def add_service(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    ticket_id: int,
    service: str,
    at: str,
    person: str,
    desk_id: str | None,
) -> int:
    return returned_int(
        conn,
        "INSERT INTO visit_services (visit_id, ticket_id, service_code, added_at, added_by, "
        "desk_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [visit_id, ticket_id, service, at, person, desk_id],
    )


def added_services(conn: sqlite3.Connection, visit_id: int) -> list[AddedService]:
    """The services added to a visit, in the order they were added."""
    rows = conn.execute(
        "SELECT id, visit_id, ticket_id, service_code, added_by, outcome FROM visit_services "
        "WHERE visit_id = ? ORDER BY id",
        [visit_id],
    ).fetchall()
    return [
        AddedService(r[0], r[1], r[2], r[3], r[4], Outcome(r[5]) if r[5] else None) for r in rows
    ]


def added_services_of(
    conn: sqlite3.Connection, visit_ids: Iterable[int]
) -> dict[int, list[AddedService]]:
    """The services added to each of several visits (those with none are left out)."""
    ids = sorted(set(visit_ids))
    found: dict[int, list[AddedService]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT id, visit_id, ticket_id, service_code, added_by, outcome "  # noqa: S608
            f"FROM visit_services WHERE visit_id IN ({marks}) ORDER BY id",
            chunk,
        ).fetchall()
        for r in rows:
            found.setdefault(r[1], []).append(
                AddedService(r[0], r[1], r[2], r[3], r[4], Outcome(r[5]) if r[5] else None)
            )
    return found


def deliver_service(conn: sqlite3.Connection, service_id: int, outcome: Outcome, at: str) -> None:
    conn.execute(
        "UPDATE visit_services SET outcome = ?, finished_at = ? WHERE id = ? AND outcome IS NULL",
        [outcome.value, at, service_id],
    )


def remove_service(conn: sqlite3.Connection, service_id: int) -> None:
    """An added service taken off again (added by mistake), before it was delivered."""
    conn.execute("DELETE FROM visit_services WHERE id = ? AND outcome IS NULL", [service_id])
