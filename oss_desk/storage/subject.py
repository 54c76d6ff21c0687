"""A resident's personal data: where it is held, found by email, phone or name (a subject
access request), and the statements that clear it.

The clearing statements have one home here: the retention purge (records past their period,
``oss_desk.storage.maintenance`` and the purges beside it) and erasure on request (named
records, ``oss-desk resident forget``) run the very same UPDATE, each with its own
selection of ids (``which``: a sub-select, with its named parameters in ``args``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from oss_desk.domain.models import format_code
from oss_desk.domain.names import name_matches
from oss_desk.domain.phones import phone_mentioned
from oss_desk.domain.waits import STILL_TEXTED
from oss_desk.storage.rows import purge, row_dicts

Args = Mapping[str, object]
Key = Literal["email", "phone", "name"]


# Clearing: one statement each, shared by the purge and erasure ----------------------------------


def _with(sql: str, which: str) -> str:
    """A statement with its selection of ids (``{which}``: always our own sub-select)."""
    return sql.replace("{which}", which)


Cleared = Literal["contacts", "cancel_reasons", "followup_details", "officers", "notes", "comments"]

CLEARS: dict[Cleared, str] = {
    # Names, emails and phones of the appointments ``which`` selects (``:now`` stamps it).
    "contacts": "UPDATE appointment_contacts SET name = NULL, email = NULL, phone = NULL, "
    "purged_at = :now WHERE purged_at IS NULL AND appointment_id IN ({which})",
    # The free-text reasons given for cancelling the appointments ``which`` selects.
    "cancel_reasons": "UPDATE appointments SET cancel_reason = NULL "
    "WHERE cancel_reason IS NOT NULL AND id IN ({which})",
    # Name, phone, email, topic and action text of the follow-ups ``which`` selects.
    "followup_details": "UPDATE followup_details SET name = NULL, phone = NULL, email = NULL, "
    "topic = NULL, action_text = NULL, purged_at = :now "
    "WHERE purged_at IS NULL AND followup_id IN ({which})",
    # The officer named as answering the follow-ups ``which`` selects (free text before it was
    # checked as a name: it could hold the resident's details).
    "officers": "UPDATE followups SET officer = NULL WHERE officer IS NOT NULL AND id IN ({which})",
    # The text of the visit notes ``which`` selects (note ids).
    "notes": "UPDATE visit_notes SET text = NULL, purged_at = :now "
    "WHERE text IS NOT NULL AND id IN ({which})",
    # The words of the feedback comments of the visits ``which`` selects.
    "comments": "UPDATE rating_comments SET text = NULL, purged_at = :now "
    "WHERE text IS NOT NULL AND visit_id IN ({which})",
}
"""The clearing statements, each the one home of what it clears."""


def clear(conn: sqlite3.Connection, what: Cleared, which: str, args: Args, *, dry_run: bool) -> int:
    """Clear ``what`` of the records ``which`` selects (how many; ``dry_run``: how many would
    be)."""
    return purge(conn, _with(CLEARS[what], which), args, dry_run=dry_run)


@dataclass(frozen=True, slots=True)
class _Numbers:
    """Phone numbers a resident gave for texts, of the visits ``{which}`` selects: the rows
    that hold one (a ``FROM ... WHERE ...`` clause), the statement that cancels the texts
    not sent to them yet (``:why``), and the one that drops the numbers."""

    held: str
    cancel: str
    drop: str


_TURN_PHONES = _Numbers(
    " FROM visit_phones WHERE visit_id IN ({which})",
    "UPDATE turn_texts SET status = 'cancelled', lease_until = NULL, last_error = :why "
    "WHERE status IN ('pending', 'sending') AND visit_id IN ({which})",
    "DELETE FROM visit_phones WHERE visit_id IN ({which})",
)
_FEEDBACK_NUMBERS = _Numbers(
    " FROM feedback_consents WHERE phone IS NOT NULL AND visit_id IN ({which})",
    "UPDATE feedback_texts SET status = 'cancelled', lease_until = NULL, owner = NULL,"
    " last_error = :why WHERE status = 'pending' AND visit_id IN ({which})",
    "UPDATE feedback_consents SET phone = NULL, purged_at = :now "
    "WHERE phone IS NOT NULL AND visit_id IN ({which})",
)


def _drop_numbers(
    conn: sqlite3.Connection, numbers: _Numbers, which: str, args: Args, why: str, dry_run: bool
) -> int:
    """Drop ``numbers`` of the visits ``which`` selects, cancelling their texts (how many;
    ``dry_run``: how many would be)."""
    count = int(conn.execute(_with("SELECT count(*)" + numbers.held, which), args).fetchone()[0])
    if dry_run or not count:
        return count
    conn.execute(_with(numbers.cancel, which), {**args, "why": why})
    conn.execute(_with(numbers.drop, which), args)
    return count


def delete_turn_phones(
    conn: sqlite3.Connection, which: str, args: Args, why: str, *, dry_run: bool
) -> int:
    """Delete the "nearly your turn" numbers of the visits ``which`` selects; their texts not
    sent yet are cancelled (``why``: the error text they are left with)."""
    return _drop_numbers(conn, _TURN_PHONES, which, args, why, dry_run)


def clear_feedback_numbers(
    conn: sqlite3.Connection, which: str, args: Args, why: str, *, dry_run: bool
) -> int:
    """Delete the numbers given for the follow-up text of the visits ``which`` selects; texts
    not sent by then are cancelled (``why``), the consent's record stays without the number."""
    return _drop_numbers(conn, _FEEDBACK_NUMBERS, which, args, why, dry_run)


# Finding ----------------------------------------------------------------------------------------


@dataclass
class Held:
    """One record that holds a resident's personal data now."""

    kind: Literal["appointment", "followup", "visit"]
    id: int
    ref: str
    day: str
    site_id: str
    fields: list[str] = field(default_factory=list)
    """What it holds, in words ("name", "email", "phone", "cancellation reason", ...)."""
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    visit_id: int | None = None
    """The visit it led to or came from (whose notes are found with it)."""
    open: bool = False
    """A follow-up still open (its work needs the details)."""
    what: str = ""
    """A follow-up's kind (``ringback``, ``referral``, ``complaint``...); a visit's ticket
    (its latest: ``C012``)."""
    mentions: list[str] = field(default_factory=list)
    """Its free text that mentions the key searched ("note", "topic", ...): the resident may
    be written about there, by name or number, in a record their details are not on."""
    texts: dict[str, list[str]] = field(default_factory=dict)
    """Its free text held now, by field in words ("topic": [...], "note": [...]): what a
    copy sent to the resident holds besides the contact details."""


def _matches(column: str, key: Key) -> str:
    if key == "name":  # one rule: oss_desk.domain.names
        return f"name_matches({column}, :value)"
    if key == "email":
        return f"lower({column}) = lower(:value)"
    return f"{column} = :value"


def _present(row: Mapping[str, object], names: Mapping[str, str]) -> list[str]:
    return [said for column, said in names.items() if row[column] is not None]


def find(conn: sqlite3.Connection, key: Key, value: str) -> list[Held]:
    """Every record holding personal data that ``value`` (an email, an E.164 phone number, or
    part of a name) matches: appointments, follow-ups, then visits (a "nearly your turn" or
    follow-up text number, and the notes of the visits found), oldest first in each; and the
    records whose free text mentions it (a note, a comment, a topic...), each with its
    ``mentions``."""
    args = {"value": value}
    conn.create_function("name_matches", 2, name_matches, deterministic=True)
    conn.create_function("phone_mentioned", 2, phone_mentioned, deterministic=True)
    mentioned = _mentioned(conn, key, args)
    found = _held(conn, "appointment", _matches(f"c.{key}", key), args)
    found += _also(conn, "appointment", found, mentioned)
    followups = _matches(f"d.{key}", key)
    if key == "name":  # and the officer named as answering (free text once: it may hold one)
        followups = f"{followups} OR {_matches('f.officer', key)}"
    found += _held(conn, "followup", followups, args)
    found += _also(conn, "followup", [h for h in found if h.kind == "followup"], mentioned)
    linked = {h.visit_id for h in found if h.visit_id}
    linked |= {record_id for kind, record_id in mentioned if kind == "visit"}
    found += _visits(conn, key, value, linked)
    for held in found:
        held.mentions = mentioned.get((held.kind, held.id), [])
    return found


_MENTIONS: list[tuple[Literal["appointment", "followup", "visit"], str, str, str]] = [
    ("appointment", "cancel reason", "appointments", "id, cancel_reason"),
    ("followup", "topic", "followup_details", "followup_id, topic"),
    ("followup", "action taken", "followup_details", "followup_id, action_text"),
    ("visit", "note", "visit_notes", "visit_id, text"),
    ("visit", "feedback comment", "rating_comments", "visit_id, text"),
]
"""The free text a resident may be written about in: the record it belongs to, its field in
words, its table, and the record's id and the text there (columns: our own constants)."""

_MENTION_TESTS: dict[Key, str] = {
    "name": "name_matches({text}, :value)",  # one rule: oss_desk.domain.names
    "phone": "phone_mentioned({text}, :value)",  # one rule: oss_desk.domain.phones
    "email": "instr(lower({text}), lower(:value)) > 0",
}


def _mentioned(conn: sqlite3.Connection, key: Key, args: Args) -> dict[tuple[str, int], list[str]]:
    """The records whose free text mentions ``:value`` (a name by the name rule, a phone number
    by its digits however written, an email in any case): (kind, id) -> the fields, in words."""
    mentioned: dict[tuple[str, int], list[str]] = {}
    for kind, said, table, columns in _MENTIONS:
        text = columns.split(", ")[1]
        test = _MENTION_TESTS[key].replace("{text}", text)
        query = f"SELECT {columns} FROM {table} WHERE {text} IS NOT NULL AND {test}"  # noqa: S608
        for record_id, _held_text in conn.execute(query, args):
            fields = mentioned.setdefault((kind, int(record_id)), [])
            if said not in fields:
                fields.append(said)
    return mentioned


def _also(
    conn: sqlite3.Connection,
    kind: Recorded,
    found: list[Held],
    mentioned: Mapping[tuple[str, int], list[str]],
) -> list[Held]:
    """The records of ``kind`` whose free text mentions the key, not among those ``found``."""
    have = {h.id for h in found if h.kind == kind}
    ids = sorted(i for k, i in mentioned if k == kind and i not in have)
    if not ids:
        return []
    alias = "a" if kind == "appointment" else "f"
    marks = ", ".join(str(i) for i in ids)  # our own integers
    return _held(conn, kind, f"{alias}.id IN ({marks})", {})


Recorded = Literal["appointment", "followup"]

_RECORDS: dict[Recorded, tuple[str, Mapping[str, str]]] = {
    "appointment": (
        "SELECT a.id, a.ref, a.business_day AS day, a.site_id, a.visit_id, a.cancel_reason, "
        "c.name, c.email, c.phone FROM appointments a LEFT JOIN appointment_contacts c "
        "ON c.appointment_id = a.id AND c.purged_at IS NULL "
        "WHERE ({which}) ORDER BY a.starts_at, a.id",
        {"name": "name", "email": "email", "phone": "phone", "cancel_reason": "cancel reason"},
    ),
    "followup": (
        "SELECT f.id, f.ref, f.kind, f.received_day AS day, f.site_id, f.visit_id, f.closed_at, "
        "d.name, d.email, d.phone, d.topic, d.action_text, f.officer FROM followups f "
        "LEFT JOIN followup_details d ON d.followup_id = f.id AND d.purged_at IS NULL "
        "WHERE ({which}) ORDER BY f.received_at, f.id",
        {
            "name": "name",
            "email": "email",
            "phone": "phone",
            "topic": "topic",
            "action_text": "action taken",
            "officer": "officer",
        },
    ),
}
"""Each kind of record that holds a resident's details: the query of those ``which`` selects
(``c.`` an appointment's contacts, ``d.`` a follow-up's details: NULL once cleared), and its
columns of personal data, in words."""


_CONTACT = ("name", "email", "phone")
"""The columns of a record's contact details (``Held`` has them apart); the rest is text."""


def _held(conn: sqlite3.Connection, kind: Recorded, which: str, args: Args) -> list[Held]:
    """The records of ``kind`` that ``which`` selects, each with what it holds now (a record
    holding nothing: no fields)."""
    sql, said = _RECORDS[kind]
    cur = conn.execute(_with(sql, which), args)
    found = []
    for r in row_dicts(cur):
        contact = (r["name"], r["email"], r["phone"], r["visit_id"])
        found.append(
            Held(kind, r["id"], r["ref"], r["day"], r["site_id"], _present(r, said), *contact)
        )
        found[-1].texts = {
            words: [str(r[column])]
            for column, words in said.items()
            if column not in _CONTACT and r[column] is not None
        }
        if kind == "followup":
            found[-1].open, found[-1].what = r["closed_at"] is None, r["kind"]
    return found


def appointment_held(conn: sqlite3.Connection, appointment_id: int) -> Held | None:
    """What one booking holds of its resident now (with nothing held: no fields; None: no
    such booking)."""
    found = _held(conn, "appointment", "a.id = :id", {"id": appointment_id})
    return found[0] if found else None


def followup_held(conn: sqlite3.Connection, ref: str) -> Held | None:
    """What the follow-up with this reference holds of its resident now (None: no such one)."""
    found = _held(conn, "followup", "f.ref = :ref", {"ref": ref})
    return found[0] if found else None


def _visits(conn: sqlite3.Connection, key: Key, value: str, linked: set[int]) -> list[Held]:
    """Visits holding a number that matches (a phone key), and the visits ``linked`` to records
    found, each with what it holds (numbers, notes); a visit holding nothing is left out."""
    ids = set(linked)
    if key == "phone":
        for table in ("visit_phones", "feedback_consents"):
            ids |= {
                int(r[0])
                for r in conn.execute(
                    _with("SELECT visit_id FROM {which} WHERE phone = :value", table),
                    {"value": value},
                )
            }
    found = []
    for visit_id in sorted(ids):
        held = visit_held(conn, visit_id)
        if held is not None and held.fields:
            found.append(held)
    return found


def visit_held(conn: sqlite3.Connection, visit_id: int) -> Held | None:
    """What one visit holds of its resident: the "nearly your turn" number, the follow-up
    text's number, its notes, the resident's comment with their rating (None: no such
    visit)."""
    row = conn.execute(
        "SELECT v.site_id, v.business_day, (SELECT phone FROM visit_phones WHERE visit_id = v.id),"
        " (SELECT phone FROM feedback_consents WHERE visit_id = v.id),"
        " (SELECT count(*) FROM visit_notes WHERE visit_id = v.id AND text IS NOT NULL),"
        " (SELECT count(*) FROM rating_comments WHERE visit_id = v.id AND text IS NOT NULL),"
        " t.service_code, t.number FROM visits v LEFT JOIN tickets t ON t.id ="
        " (SELECT max(id) FROM tickets WHERE visit_id = v.id)"
        " WHERE v.id = ?",
        [visit_id],
    ).fetchone()
    if row is None:
        return None
    site_id, day, turn_phone, feedback_phone, notes, comments, service, number = row
    ticket = format_code(service, number) if service else ""
    fields = []
    if turn_phone is not None:
        fields.append("mobile for turn texts")
    if feedback_phone is not None:
        fields.append("mobile for the follow-up text")
    if notes:
        fields.append("note" if notes == 1 else f"{notes} notes")
    if comments:
        fields.append("feedback comment")
    phone = turn_phone or feedback_phone
    ref = visit_ref(visit_id)
    held = Held("visit", visit_id, ref, day, site_id, fields, phone=phone, what=ticket)
    for words, table in (("note", "visit_notes"), ("feedback comment", "rating_comments")):
        said = conn.execute(
            f"SELECT text FROM {table} WHERE visit_id = ? AND text IS NOT NULL ORDER BY rowid",  # noqa: S608
            [visit_id],
        ).fetchall()
        if said:
            held.texts[words] = [str(r[0]) for r in said]
    return held


def turn_texts_to_come(conn: sqlite3.Connection, visit_id: int) -> bool:
    """The visit gave a mobile number for turn texts and its ticket may still be texted
    (:data:`~oss_desk.domain.waits.STILL_TEXTED`): texts not queued yet will read it."""
    row = conn.execute(
        "SELECT 1 FROM visit_phones p JOIN tickets t ON t.id ="  # noqa: S608 (constants)
        " (SELECT max(id) FROM tickets WHERE visit_id = p.visit_id)"
        f" WHERE p.visit_id = ? AND t.status IN ({_STILL_TEXTED})",
        [visit_id],
    ).fetchone()
    return row is not None


_STILL_TEXTED = ", ".join(f"'{status.value}'" for status in STILL_TEXTED)
""":data:`~oss_desk.domain.waits.STILL_TEXTED` as SQL (constants, no input)."""


VISIT_PREFIX = "visit-"


def visit_ref(visit_id: int) -> str:
    """How a visit is named to ``resident forget``: ``visit-123`` (a ticket's code is a day's)."""
    return f"{VISIT_PREFIX}{visit_id}"


_MADE = {
    "appointment": "SELECT min(id) FROM events WHERE appointment_id = :id",
    "followup": "SELECT min(id) FROM events WHERE kind = 'followup_created' "
    "AND json_extract(data, '$.followup') = :id",
    "visit": "SELECT min(id) FROM events WHERE visit_id = :id",
}


def made_at_event(conn: sqlite3.Connection, kind: str, record_id: int) -> int | None:
    """The id of the event that recorded the making of the record (its first): a backup whose
    event log ends before it was made before the record, and cannot hold it. None: not
    found."""
    row = conn.execute(_MADE[kind], {"id": record_id}).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else None


_RECORD_BY_REF = {
    "appointment": "SELECT id FROM appointments WHERE ref = ?",
    "followup": "SELECT id FROM followups WHERE ref = ?",
}


def made_by(conn: sqlite3.Connection, kind: str, record_id: int) -> tuple[int, str] | None:
    """The event that recorded the making of the record, as (its id, its hash in hex): the
    hash covers the whole log before it, so a record of another copy of the database made by
    an event of that id and hash is the same record (one made after their logs parted, under
    the same reference, is another). None: not found."""
    at = made_at_event(conn, kind, record_id)
    if at is None:
        return None
    row = conn.execute("SELECT hash FROM events WHERE id = ?", [at]).fetchone()
    return (at, bytes(row[0]).hex()) if row is not None and row[0] is not None else None


def made_by_ref(conn: sqlite3.Connection, kind: str, ref: str) -> tuple[int, str] | None:
    """:func:`made_by` of the record of this kind named by ``ref`` (None: no such record)."""
    if kind == "visit":
        number = ref[len(VISIT_PREFIX) :]
        return made_by(conn, kind, int(number)) if number.isdigit() else None
    row = conn.execute(_RECORD_BY_REF[kind], [ref]).fetchone() if kind in _RECORD_BY_REF else None
    return made_by(conn, kind, int(row[0])) if row is not None else None


def erasures(conn: sqlite3.Connection) -> list[tuple[int, int | None, str]]:
    """Each erasure on request (``resident forget``, or one made again after a restore),
    oldest first: its event, the event of the erased record's making (None: not known) and
    its instant."""
    found = []
    for event, at, kind, appointment, visit, ref in conn.execute(
        "SELECT id, at, json_extract(data, '$.record'), appointment_id, visit_id, "
        "json_extract(data, '$.ref') FROM events WHERE kind = 'resident_erased' ORDER BY id"
    ).fetchall():
        record = {"appointment": appointment, "visit": visit}.get(kind)
        if kind == "followup":
            row = conn.execute("SELECT id FROM followups WHERE ref = ?", [ref]).fetchone()
            record = row[0] if row is not None else None
        made = made_at_event(conn, kind, int(record)) if record is not None else None
        found.append((int(event), made, str(at)))
    return found


# Erasure's guards ------------------------------------------------------------------------------


_UNSENT = {
    "appointment": "SELECT kind || ' message', status, next_attempt_at FROM messages "
    "WHERE appointment_id = :id AND status IN ('pending', 'sending')",
    "followup": "SELECT 'referral ' || channel, status, next_attempt_at FROM followup_messages "
    "WHERE followup_id = :id AND status IN ('pending', 'sending')",
    "visit": "SELECT CASE kind WHEN 'nearly' THEN '\"nearly your turn\" text' "
    "ELSE '\"please go to\" text' END, status, next_attempt_at FROM turn_texts "
    "WHERE visit_id = :id AND status IN ('pending', 'sending') "
    "UNION ALL SELECT 'follow-up text', status, next_attempt_at FROM feedback_texts "
    "WHERE visit_id = :id AND status IN ('pending', 'sending')",
}


def unsent(conn: sqlite3.Connection, kind: str, record_id: int) -> list[tuple[str, str, str]]:
    """(what, status, when it is due) of a record's messages still to be sent (``pending``) or
    being sent now (``sending``), the soonest first: they read the resident's details when
    they go."""
    found = [
        (str(r[0]), str(r[1]), str(r[2])) for r in conn.execute(_UNSENT[kind], {"id": record_id})
    ]
    return sorted(found, key=lambda row: row[2])


def cancel_unsent(conn: sqlite3.Connection, kind: str, record_id: int, why: str) -> int:
    """Cancel a record's messages still waiting (not one being sent now): how many."""
    tables = {"appointment": [("messages", "appointment_id")]}.get(
        kind, [("turn_texts", "visit_id"), ("feedback_texts", "visit_id")]
    )
    count = 0
    for table, column in tables:
        count += conn.execute(
            f"UPDATE {table} SET status = 'cancelled', last_error = :why "  # noqa: S608
            f"WHERE {column} = :id AND status = 'pending'",
            {"why": why, "id": record_id},
        ).rowcount
    return count
