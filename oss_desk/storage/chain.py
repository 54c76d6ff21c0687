"""The event log's hash chain: a rewrite of the record cannot go unseen.

Each event carries ``hash = SHA-256(previous event's hash || canonical content)``, the first
event chaining from 32 zero bytes (the same construction as git commits or the Merkle-tree
heads of Certificate Transparency logs). The canonical content is the UTF-8 bytes of
``json.dumps([id, at, business_day, local_hour, site_id, kind, actor, account, desk_id,
visit_id, ticket_id, service_code, outcome, data, appointment_id], separators=(",", ":"))``
(ASCII, Python's escaping), with the values exactly as stored. Changing, deleting, inserting or
reordering any event changes every hash from there on, so :func:`verify` names the first event
whose stored hash no longer follows. Rewriting the whole chain after an edit is possible for
someone holding the file, which is why the head (the newest hash) is written beside every backup
and printed on the daily summary: a copy outside the file anchors the record.

This module is the one place that computes the chain: :func:`append` for one event (inside a
write transaction), :func:`link_rows` for the history generator's bulk inserts, and
:func:`chain_unchained` for the migration that chained the events written before it existed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)
COLUMNS = (
    "id",
    "at",
    "business_day",
    "local_hour",
    "site_id",
    "kind",
    "actor",
    "account",
    "desk_id",
    "visit_id",
    "ticket_id",
    "service_code",
    "outcome",
    "data",
    "appointment_id",
)
"""The columns the canonical content covers, in order (every column but ``hash``)."""
COLUMN_LIST = ", ".join(COLUMNS)

_encode = json.JSONEncoder(separators=(",", ":")).encode
_sha256 = hashlib.sha256


def _row_encoder() -> Callable[[Sequence[Any]], str]:
    """:data:`_encode` for one event's row, made once: ``JSONEncoder.encode`` builds a new C
    encoder on every call, which is half the cost of checking a chain of millions of events.
    The very same text (the C encoder with the same settings); anything it cannot encode goes
    to :data:`_encode`, which decides as it always did."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has it
        return _encode
    chunks = make(
        None, None, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )

    def encode(row: Sequence[Any]) -> str:
        try:
            return "".join(chunks(row, 0))
        except (TypeError, ValueError):
            return _encode(row)

    return encode


_encode_row = _row_encoder()
"""One encoder for every event appended (an issue appends two in its transaction)."""


def canonical(row: Sequence[Any]) -> bytes:
    """The bytes hashed for one event (``row`` in :data:`COLUMNS` order: a tuple or a list, both
    a JSON array)."""
    return _encode(tuple(row)).encode("ascii")


def link(previous: bytes, row: Sequence[Any]) -> bytes:
    """The hash of one event, given the hash of the event before it."""
    return _sha256(previous + _encode_row(tuple(row)).encode("ascii")).digest()


def head(conn: sqlite3.Connection) -> tuple[int, bytes]:
    """(id, hash) of the newest event; (0, the genesis value) for an empty log."""
    row = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return 0, GENESIS
    return int(row[0]), bytes(row[1]) if row[1] is not None else GENESIS


def append(conn: sqlite3.Connection, row: Sequence[Any]) -> int:
    """Insert one event (``row`` in :data:`COLUMNS` order without ``id``) at the head of the
    chain; returns its id. Must run inside the caller's write transaction (``BEGIN
    IMMEDIATE``), so that no other process appends between reading the head and inserting."""
    if not conn.in_transaction:
        raise RuntimeError("events are appended inside a write transaction (Store.write)")
    last_id, last_hash = head(conn)
    full = (last_id + 1, *row)
    conn.execute(
        f"INSERT INTO events ({COLUMN_LIST}, hash) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",  # noqa: S608
        [*full, link(last_hash, full)],
    )
    return last_id + 1


def link_rows(previous: bytes, rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    """Bulk inserts: each row (in :data:`COLUMNS` order, ids consecutive after the head) with
    its hash appended, chained from ``previous``."""
    encode, sha = _encode, _sha256
    for row in rows:
        previous = sha(previous + encode(tuple(row)).encode("ascii")).digest()
        yield (*row, previous)


def chain_unchained(conn: sqlite3.Connection, batch: int = 20_000) -> int:
    """Give every event still without a hash its link, in id order (the migration that
    introduced the chain; triggers forbidding UPDATE are off while it runs). Returns how many."""
    previous = GENESIS
    after = 0
    done = 0
    while True:
        rows = conn.execute(
            f"SELECT {COLUMN_LIST}, hash FROM events WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
            [after, batch],
        ).fetchall()
        if not rows:
            return done
        updates = []
        for row in rows:
            content, stored = row[:-1], row[-1]
            if stored is None:
                stored = link(previous, content)
                updates.append((stored, row[0]))
            previous = bytes(stored)
        if updates:
            conn.executemany("UPDATE events SET hash = ? WHERE id = ?", updates)
            done += len(updates)
        after = rows[-1][0]


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :func:`verify` found."""

    events: int
    """How many events hold (all of them, or those before the break)."""
    head_id: int
    """The last event that holds (0: none)."""
    head_hash: bytes
    """Its hash: what the next event's hash must follow from."""
    broken_id: int | None = None
    """The first event whose stored hash does not follow from its content and the event before
    it (None: the whole chain holds)."""
    broken_after: int | None = None
    """The id of the event before the broken one (0 when it is the first)."""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    @property
    def head_hex(self) -> str:
        return self.head_hash.hex()


def verify(
    conn: sqlite3.Connection,
    *,
    every: int = 50_000,
    progress: Callable[[int], None] | None = None,
    after: int = 0,
) -> ChainCheck:
    """Recompute the whole chain in id order (one read, streamed) and compare it with the
    stored hashes; ``progress`` is told the count every ``every`` events. ``after``: only the
    events after that one, from its stored hash (what they follow; an edit before it is not
    seen)."""
    start = hash_at(conn, after) if after else None
    previous = start or GENESIS
    previous_id = after if start else 0
    count = 0
    encode, sha = _row_encoder(), _sha256
    rows = conn.execute(
        f"SELECT {COLUMN_LIST}, hash FROM events WHERE id > ? ORDER BY id",  # noqa: S608
        [previous_id],
    )
    for row in rows:
        expected = sha(previous + encode(row[:-1]).encode("ascii")).digest()
        stored = row[-1]
        if stored != expected:
            event_id = int(row[0])
            if stored is None:
                why = "has no hash"
            elif event_id != previous_id + 1:
                why = (
                    f"does not follow event {previous_id} (events {previous_id + 1} to "
                    f"{event_id - 1} are missing, or it was put here)"
                )
            else:
                why = "does not match its content and the event before it"
            rows.close()
            return ChainCheck(
                events=count,
                head_id=previous_id,
                head_hash=previous,
                broken_id=event_id,
                broken_after=previous_id,
                problem=(
                    f"event log: the hash chain breaks at event {event_id} (it {why}): "
                    f"event {event_id} or one before it was changed, removed, inserted or "
                    "reordered"
                ),
            )
        previous = expected
        previous_id = row[0]
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    return ChainCheck(events=count, head_id=previous_id, head_hash=previous)


def hash_at(conn: sqlite3.Connection, event_id: int) -> bytes | None:
    """The stored hash of one event (None when there is no such event)."""
    row = conn.execute("SELECT hash FROM events WHERE id = ?", [event_id]).fetchone()
    return bytes(row[0]) if row is not None and row[0] is not None else None


def event_at(conn: sqlite3.Connection, event_id: int) -> tuple[str, str | None, bytes] | None:
    """One event's kind, data (JSON text) and stored hash (None when there is no such event,
    or it has no hash)."""
    row = conn.execute("SELECT kind, data, hash FROM events WHERE id = ?", [event_id]).fetchone()
    if row is None or row[2] is None:
        return None
    return str(row[0]), None if row[1] is None else str(row[1]), bytes(row[2])


def head_on(
    conn: sqlite3.Connection, business_day: str, site_id: str | None
) -> tuple[int, bytes] | None:
    """(id, hash) of the newest event of a business day (at one site, or any): the day's head,
    printed on the daily summary (its hash covers every event of the log up to it). None: no
    event that day."""
    row = conn.execute(
        "SELECT id, hash FROM events WHERE id = (SELECT max(id) FROM events "
        "WHERE business_day = ? AND (? IS NULL OR site_id = ?))",
        [business_day, site_id, site_id],
    ).fetchone()
    if row is None or row[1] is None:
        return None
    return int(row[0]), bytes(row[1])
