"""What the waiting-room screen, the phone page and texts to residents read and write."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from oss_desk.storage.devices import board_calls
from oss_desk.storage.rows import column_list, first_column
from oss_desk.storage.sending import TURN_TEXTS, claim_due, purge_traces
from oss_desk.storage.subject import delete_turn_phones


@dataclass(frozen=True, slots=True)
class CallRow:
    event_id: int
    kind: str
    """``called`` or ``recalled``."""
    at: str
    code: str
    desk_id: str | None
    ticket_id: int


def latest_calls(
    conn: sqlite3.Connection,
    site_id: str,
    business_day: str,
    limit: int,
    cleared: str,
    since: int | None = None,
) -> list[CallRow]:
    """The day's latest calls and recalls, newest first, one per ticket (a ticket back in the
    queue, transferred, cancelled or a no-show since, or called to a desk closed since, leaves
    the screen, and so does every call before ``cleared``, the day's close:
    :func:`oss_desk.storage.devices.board_calls`). The event id
    orders them and tells a page which it has already announced. With ``since`` (the newest
    event a screen was last sent), every call after it is included even beyond ``limit``: a
    burst of calls is never skipped."""
    if since is not None:
        (newer,) = conn.execute(
            "SELECT count(DISTINCT ticket_id) FROM events WHERE business_day = ? AND site_id = ? "
            "AND kind IN ('called', 'recalled') AND id > ?",
            [business_day, site_id, since],
        ).fetchone()
        limit = max(limit, newer)
    return [CallRow(*row) for row in board_calls(conn, site_id, business_day, limit, cleared)]


def waiting_by_service(conn: sqlite3.Connection, site_id: str, business_day: str) -> dict[str, int]:
    """How many tickets of each service are waiting (counts only)."""
    return {
        code: count
        for code, count in conn.execute(
            "SELECT service_code, count(*) FROM tickets WHERE site_id = ? AND business_day = ? "
            "AND status = 'waiting' GROUP BY service_code ORDER BY service_code",
            [site_id, business_day],
        )
    }


def secret(conn: sqlite3.Connection) -> bytes:
    """The key of the phone page's links (made by the migration, one per database)."""
    row = conn.execute("SELECT key FROM resident_secret WHERE id = 1").fetchone()
    key: bytes = row[0]
    return key


def day_ticket_ids(conn: sqlite3.Connection, site_id: str, business_day: str) -> list[int]:
    return first_column(
        conn,
        # +site_id: read the day's tickets (tickets_by_day), never every ticket of the site.
        "SELECT id FROM tickets WHERE +site_id = ? AND business_day = ? ORDER BY id",
        [site_id, business_day],
    )


def successor(conn: sqlite3.Connection, ticket_id: int) -> int | None:
    """The ticket a transferred ticket became."""
    return _latest_ticket(conn, "transferred_from", ticket_id)


def _latest_ticket(
    conn: sqlite3.Connection, column: Literal["transferred_from", "visit_id"], value: int
) -> int | None:
    """The newest ticket whose ``column`` is ``value``."""
    row = conn.execute(
        f"SELECT id FROM tickets WHERE {column} = ? ORDER BY id DESC LIMIT 1",  # noqa: S608
        [value],
    ).fetchone()
    return int(row[0]) if row else None


# "Nearly your turn" texts ---------------------------------------------------------------------


def set_phone(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    site_id: str,
    business_day: str,
    phone: str,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO visit_phones (visit_id, site_id, business_day, phone, added_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET phone = excluded.phone, "
        "added_at = excluded.added_at",
        [visit_id, site_id, business_day, phone, now],
    )


def phone_of(conn: sqlite3.Connection, visit_id: int) -> str | None:
    row = conn.execute("SELECT phone FROM visit_phones WHERE visit_id = ?", [visit_id]).fetchone()
    return str(row[0]) if row else None


def phone_visits(conn: sqlite3.Connection, site_id: str, business_day: str) -> list[int]:
    """The visits of the day at the site that gave a number."""
    return first_column(
        conn,
        "SELECT visit_id FROM visit_phones WHERE site_id = ? AND business_day = ?",
        [site_id, business_day],
    )


def queue_turn_text(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    ticket_id: int,
    kind: str,
    reference: str,
    now: str,
    called_at: str | None = None,
) -> bool:
    """Queue the visit's text of this kind unless it ever had one (True: queued now). A
    come-to-the-desk text (``called``) is queued again for a new call made after the last one
    was settled (``called_at`` later than the call the last one named): the resident sent to
    another desk, put back and called again, or moved to another service, holds a text naming
    the wrong desk. Never twice for the same call (a recall keeps its ``called_at``); a text
    pending or being sent is left to name the desk at its sending, and is stamped with the
    call it named then (:func:`stamp_turn_text_call`). Calls are compared with calls only,
    all stamped by the desks: never with the worker's own clock, which may be ahead or
    behind. Each is a row of its own (``call_at``: the call), so a row's id names one text
    for ever."""
    cur = conn.execute(
        "INSERT INTO turn_texts (visit_id, ticket_id, kind, reference, next_attempt_at, "
        "created_at, call_at) SELECT :visit, :ticket, :kind, :reference, :now, :now, :call "
        "WHERE NOT EXISTS (SELECT 1 FROM turn_texts x WHERE x.visit_id = :visit "
        "  AND x.kind = :kind AND x.released_at IS NULL AND (x.kind <> 'called' "
        "  OR x.status IN ('pending', 'sending') OR :call <= x.call_at))",
        {
            "visit": visit_id,
            "ticket": ticket_id,
            "kind": kind,
            "reference": reference,
            "now": now,
            "call": (called_at or now) if kind == "called" else "",
        },
    )
    return cur.rowcount == 1


def stamp_turn_text_call(conn: sqlite3.Connection, text_id: int, called_at: str) -> None:
    """The come-to-the-desk text ``text_id`` is composed for the call made at ``called_at``
    (the desk it names): a later pass texts again only for a call after that one. Left as it
    was when another text already names that call."""
    conn.execute(
        "UPDATE OR IGNORE turn_texts SET call_at = ? WHERE id = ? AND kind = 'called'",
        [called_at, text_id],
    )


def hold_back_nearly(
    conn: sqlite3.Connection, *, visit_id: int, ticket_id: int, reference: str, now: str, why: str
) -> None:
    """The visit's "nearly your turn" text is not needed (``why``): recorded as cancelled, so
    the worker does not queue it (one per visit and kind still counting), unless one is there
    already."""
    conn.execute(
        "INSERT INTO turn_texts (visit_id, ticket_id, kind, status, reference, next_attempt_at, "
        "last_error, created_at) VALUES (?, ?, 'nearly', 'cancelled', ?, ?, ?, ?) "
        "ON CONFLICT (visit_id, kind, call_at) WHERE released_at IS NULL DO NOTHING",
        [visit_id, ticket_id, reference, now, why, now],
    )


def held_back_nearly(conn: sqlite3.Connection, visit_ids: Iterable[int], why: str) -> set[int]:
    """The visits among ``visit_ids`` whose "nearly your turn" text was held back for ``why``."""
    return set(
        first_column(
            conn,
            "SELECT visit_id FROM turn_texts WHERE visit_id IN (SELECT value FROM json_each(?)) "
            "AND kind = 'nearly' AND status = 'cancelled' AND last_error = ? "
            "AND released_at IS NULL",
            [json.dumps(list(visit_ids)), why],
        )
    )


def release_nearly(conn: sqlite3.Connection, visit_id: int, why: str, now: str) -> None:
    """The visit's "nearly your turn" text held back for ``why`` may go again (its ticket
    fell back from the front): the worker queues it (a row of its own) when it moves close
    again. The held-back row is kept, let go at ``now``."""
    conn.execute(
        "UPDATE turn_texts SET released_at = ? WHERE visit_id = ? AND kind = 'nearly' "
        "AND status = 'cancelled' AND last_error = ? AND released_at IS NULL",
        [now, visit_id, why],
    )


@dataclass(frozen=True, slots=True)
class TurnText:
    id: int
    visit_id: int
    ticket_id: int
    kind: str
    reference: str
    attempts: int
    status: str
    handed_over_at: str | None
    """When its request was last handed to Notify while no try since has had a sure answer
    (None: no request of it can have reached Notify)."""


def claim_turn_text(conn: sqlite3.Connection, now: str, lease_until: str) -> TurnText | None:
    row = claim_due(conn, TURN_TEXTS, now, lease_until, column_list(TurnText)).fetchone()
    return TurnText(*row) if row else None


def next_turn_text_due(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT min(CASE status WHEN 'sending' THEN lease_until ELSE next_attempt_at END) "
        "FROM turn_texts WHERE status IN ('pending', 'sending')"
    ).fetchone()
    return row[0] if row else None


def release_stale_turn_texts(conn: sqlite3.Connection, now: str, look_up_at: str) -> int:
    """At start-up (the worker lock is ours): texts left 'sending' are due again, at ``now``
    when their request never left, else at ``look_up_at`` (it may have reached Notify: looked
    up then)."""
    return conn.execute(
        "UPDATE turn_texts SET status = 'pending', lease_until = NULL, next_attempt_at = "
        "CASE WHEN handed_over_at IS NULL THEN ? ELSE ? END WHERE status = 'sending'",
        [now, look_up_at],
    ).rowcount


def purge_phones(conn: sqlite3.Connection, before_day: str, *, dry_run: bool) -> int:
    """Delete the numbers of days before ``before_day``; their unsent texts are cancelled."""
    which = "SELECT visit_id FROM visit_phones WHERE business_day < :day"
    why = "the number was deleted at the end of the day"
    return delete_turn_phones(conn, which, {"day": before_day}, why, dry_run=dry_run)


def purge_turn_text_traces(conn: sqlite3.Connection, before: str, *, dry_run: bool) -> int:
    """Provider ids (Notify keeps the number and text under them) and error texts of texts
    finished before ``before``."""
    finished = ("sent", "failed", "cancelled", "uncertain")
    return purge_traces(conn, TURN_TEXTS, finished, before, dry_run=dry_run)


def visit_ticket(conn: sqlite3.Connection, visit_id: int) -> int | None:
    """The visit's latest ticket (after a transfer, the one the resident now holds)."""
    return _latest_ticket(conn, "visit_id", visit_id)


_LATEST = (
    "NOT EXISTS (SELECT 1 FROM turn_texts y WHERE y.visit_id = x.visit_id AND y.kind = x.kind "
    "AND y.id > x.id)"
)
"""Of a turn text ``x``: it is the latest of its visit and kind (a later one, e.g. for a new
call, says how telling the resident went now; the earlier keeps its id and its record)."""


def failed_turn_texts(
    conn: sqlite3.Connection, visit_ids: Iterable[int], status: str = "failed"
) -> dict[int, list[tuple[str, str | None]]]:
    """The turn texts of these visits that failed for good (``status``: or that may have been
    sent, ``uncertain``): visit id -> [(kind, why)] (one search of the (visit, kind) index
    each)."""
    found: dict[int, list[tuple[str, str | None]]] = {}
    for visit in set(visit_ids):
        for kind, why in conn.execute(
            "SELECT kind, last_error FROM turn_texts x WHERE visit_id = ? AND status = ? "  # noqa: S608
            f"AND {_LATEST} ORDER BY id",
            [visit, status],
        ):
            found.setdefault(visit, []).append((kind, why))
    return found


def open_failed_turn_texts(
    conn: sqlite3.Connection, site_id: str | None = None
) -> list[tuple[int, int, str, str | None]]:
    """The turn texts that failed for good whose visit still has a ticket open (waiting, called
    or being served): ``(text id, that ticket's id, kind, why)``."""
    return [
        (int(r[0]), int(r[1]), str(r[2]), r[3])
        for r in conn.execute(
            "SELECT x.id, t.id, x.kind, x.last_error FROM turn_texts x "  # noqa: S608
            "JOIN tickets t ON t.visit_id = x.visit_id "
            f"WHERE x.status = 'failed' AND {_LATEST} "
            "AND t.status IN ('waiting', 'called', 'serving') "
            "AND (:site IS NULL OR t.site_id = :site) ORDER BY x.id",
            {"site": site_id},
        )
    ]
