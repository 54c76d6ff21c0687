"""A resident asks what we hold about them, or to be forgotten: ``oss-desk resident find`` and
``oss-desk resident forget``, on a real demo office's database through the CLI; and a cancelled
booking's details counted from the cancellation by the retention purge."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.calendar import when_said
from oss_desk.services.queue import QueueService
from oss_desk.services.ratings import Ratings
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, db_content, make_db, office_for_the_file, rows

NOW = format_instant(MONDAY_0930)  # Mon 23 Nov 2026 09:30
BOB_PHONE = "07700 900555"
BOB_E164 = "+447700900555"
BOB_EMAIL = "bob.resident@example.org"
BOB_NOTE = "Bob says his landlord is Mr Grimes"
BOB_COMMENT = "Lovely staff, sorted my bins out"


@pytest.fixture(scope="module")
def bobs_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`office`'s database, made once for the file: each test works on a copy of it."""
    folder = tmp_path_factory.mktemp("subject-access")
    with office_for_the_file(folder) as m:
        db = build_office(Cli(make_db(folder), m)).db
    return db


@pytest.fixture
def office(bobs_office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The demo office: Bob has a booking by text, another by email, a ring-back, a ticket with
    "nearly your turn" texts and a note, and another visit, finished and rated with a comment,
    with a follow-up text to come; Ann, another resident, has a booking of her own (a copy of
    :func:`bobs_office`, for one test)."""
    db = tmp_path / bobs_office.name
    shutil.copy2(bobs_office, db)
    return Cli(db, monkeypatch)


def build_office(cli: Cli) -> Cli:
    """Bob's records and Ann's (:func:`office`), made through the real commands and services."""

    def ok(*args: str) -> Any:
        result = cli("--user", "amina", *args, "--json", now=NOW)
        assert result.code == 0, result.err
        return result.json()

    ok(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-25T10:00:00Z",
        "--channel",
        "text",
        "--name",
        "Bob Resident",
        "--phone",
        BOB_PHONE,
    )
    ok(
        "appointment",
        "book",
        "--service",
        "B",
        "--start",
        "2026-11-26T10:00:00Z",
        "--channel",
        "email",
        "--name",
        "Bob Resident",
        "--email",
        BOB_EMAIL,
    )
    ok(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-25T11:00:00Z",
        "--channel",
        "text",
        "--name",
        "Ann Other",
        "--phone",
        "07700 900111",
    )
    ok(
        "followup",
        "add",
        "--kind",
        "ringback",
        "--service",
        "C",
        "--name",
        "Bob R",
        "--phone",
        "+44 7700 900555",
        "--topic",
        "rent arrears",
    )
    ticket = ok(
        "ticket",
        "issue",
        "--service",
        "C",
        "--desk",
        "greet-1",
        "--no-print",
        "--text-to",
        "07700900555",
    )
    texted = ok(
        "ticket",
        "issue",
        "--service",
        "W",
        "--desk",
        "greet-1",
        "--no-print",
        "--mobile",
        "07700-900-555",
        "--feedback-text",
    )
    ok("desks", "login", "desk-1")
    session = open_session(
        db=cli.db, clock=FixedClock(MONDAY_0930), person="amina", desk_id="desk-1"
    )
    try:
        queue = QueueService(session)
        queue.add_note(ticket["id"], BOB_NOTE)
        queue.call(texted["id"], "desk-1")
        visit = queue.finish(texted["id"], "resolved").visit_id
        Ratings(session).rate_visit(visit, 4, BOB_COMMENT)
    finally:
        session.close()
    return cli


def _refs(cli: Cli, *key: str) -> dict[str, list[str]]:
    result = cli("--user", "amina", "resident", "find", *key, "--json", now=NOW)
    assert result.code == 0, result.err
    return {r["ref"]: r["holds"] for r in result.json()["records"]}


def test_find_by_phone_typed_any_way_lists_every_record_holding_it(office: Cli) -> None:
    found = _refs(office, "--phone", "0044 (7700) 900-555")
    appointment = [ref for ref in found if len(ref) == 7 and ref[3] == "-"]
    assert len(appointment) == 1 and found[appointment[0]] == ["name", "phone"]
    assert found["CB-0001"] == ["name", "phone", "topic"]
    visits = {ref: holds for ref, holds in found.items() if ref.startswith("visit-")}
    assert sorted(visits.values()) == [
        ["mobile for the follow-up text", "feedback comment"],
        ["mobile for turn texts", "note"],
    ]
    assert len(found) == 4  # Ann's booking is not among them
    by_email = _refs(office, "--email", "Bob.Resident@EXAMPLE.org")
    assert list(by_email.values()) == [["name", "email"]]
    by_name = _refs(office, "--name", "  bob   RESIDENT ")
    assert len(by_name) == 2  # both bookings; "Bob R" of the ring-back is not "bob resident"


def test_find_shows_what_appointment_show_contact_shows_and_records_no_key(office: Cli) -> None:
    result = office("--user", "amina", "resident", "find", "--phone", BOB_PHONE, now=NOW)
    assert result.code == 0, result.err
    assert "name: Bob Resident   phone: 07700 900555" in result.out
    for free_text in ("rent arrears", "Grimes", "bins"):  # read on the record, not here
        assert free_text not in result.out
    assert result.out.startswith("4 records match that phone (the search is recorded)")
    assert "ring-back" in result.out and "visit C001" in result.out
    assert result.out.rstrip().endswith(
        "carry no name, email or phone; a visit without a "
        "number, a note or a comment holds nothing of its resident."
    )
    searched = rows(office.db, "SELECT actor, data FROM events WHERE kind = 'resident_searched'")
    assert [(actor, json.loads(data)) for actor, data in searched] == [
        ("amina", {"by": "phone", "records": 4})
    ]
    events = "\n".join(r[0] for r in rows(office.db, "SELECT data FROM events"))
    assert "900555" not in events and "Bob" not in events


@pytest.mark.parametrize("user", ["ben", "chloe"])
def test_advisers_and_meet_and_greet_may_not_search_or_forget(office: Cli, user: str) -> None:
    for args in (("find", "--phone", BOB_PHONE), ("forget", "CB-0001", "--yes")):
        refused = office("--user", user, "resident", *args, now=NOW)
        assert refused.code == 9 and refused.err.count("\n") == 1, refused.err
        assert "may not find or erase what is held about a resident" in refused.err
    assert rows(office.db, "SELECT count(*) FROM events WHERE kind LIKE 'resident_%'") == [(0,)]
    admin = office("--user", "sam", "resident", "find", "--email", BOB_EMAIL, now=NOW)
    assert admin.code == 0, admin.err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "give one of --email, --phone or --name"),
        (("--phone", BOB_PHONE, "--email", BOB_EMAIL), "give one of --email, --phone or --name"),
        (("--phone", "12345"), "does not start 0: a UK phone number is 10 or 11 digits"),
        (("--name", "b"), "a name to find needs at least 2 letters (--name)"),
        (("--email", "  bob.resident  "), "is not an email address: it has no @"),
    ],
)
def test_find_needs_one_usable_key(office: Cli, args: tuple[str, ...], said: str) -> None:
    refused = office("--user", "amina", "resident", "find", *args, now=NOW)
    assert refused.code == 2 and refused.err.count("\n") == 1 and said in refused.err


def test_an_address_held_from_before_the_one_address_check_is_found_by_email(
    office: Cli,
) -> None:
    # Booked before a comma was refused at entry: the address is held as it was typed.
    held = "anna,smith@example.org"
    conn = sqlite3.connect(office.db)
    with conn:
        conn.execute("UPDATE appointment_contacts SET email = ? WHERE email = ?", (held, BOB_EMAIL))
    conn.close()
    assert _refs(office, "--email", BOB_EMAIL) == {}
    found = _refs(office, "--email", f"  {held.upper()} ")
    assert list(found.values()) == [["name", "email"]]


def _reports(cli: Cli, now: str) -> list[Any]:
    out = []
    for args in (("daily", "--date", "2026-11-23"), ("monthly", "--month", "2026-11")):
        result = cli("--user", "amina", "report", *args, "--format", "json", now=now)
        assert result.code == 0, result.err
        figures = result.json()
        figures.pop("event_log_head", None)  # the log goes on: the figures are what must not change
        out.append(figures)
    return out


def test_forget_erases_every_record_found_and_no_figure_changes(office: Cli) -> None:
    later = format_instant(MONDAY_0930 + timedelta(hours=1))
    found = _refs(office, "--phone", BOB_PHONE) | _refs(office, "--email", BOB_EMAIL)
    email_ref = next(r for r, holds in found.items() if "email" in holds)
    cancel = office(
        "--user",
        "amina",
        "appointment",
        "cancel",
        email_ref,
        "--by",
        "resident",
        "--reason",
        "Bob found a job",
        now=NOW,
    )
    assert cancel.code == 0, cancel.err
    ids = [r for r in found if not r.startswith("visit-")]
    to_come = next(r for r in ids if r != email_ref and r != "CB-0001")
    # A booking still to come, an open ring-back, a cancellation notice not sent yet: each
    # refused in one line, and nothing at all changes (all or none).
    before = db_content(office.db)
    for refs, said in (
        ((to_come,), f"{to_come} is still booked for Wed 25 Nov: its resident needs its details"),
        (
            ("CB-0001",),
            "CB-0001 is still open and its work needs the resident's details: close "
            "it first (oss-desk followup done CB-0001)",
        ),
        (
            (email_ref,),
            "its cancellation message is due now and needs the resident's details until it "
            "goes: add --cancel-messages to cancel it unsent (it will never come), or let the "
            "device worker send it",
        ),
        ((email_ref, "CB-0001", "--cancel-messages"), "CB-0001 is still open"),
    ):
        refused = office("--user", "amina", "resident", "forget", *refs, "--yes", now=later)
        assert refused.code == 6 and refused.err.count("\n") == 1, refused.err
        assert said in refused.err
    assert db_content(office.db) == before
    # Cancel what still needs the details, then erase: with --cancel-messages for the notice.
    for args in (
        ("appointment", "cancel", to_come, "--by", "resident"),
        ("followup", "done", "CB-0001"),
    ):
        assert office("--user", "amina", *args, now=later).code == 0
    figures = _reports(office, later)
    forgot = office(
        "--user",
        "amina",
        "resident",
        "forget",
        *found,
        "--yes",
        "--cancel-messages",
        "--reason",
        "IG-2026-114",
        "--json",
        now=later,
    )
    assert forgot.code == 0, forgot.err
    erased = {e["ref"]: e["erased"] for e in forgot.json()["erased"]}
    assert erased[email_ref] == ["name", "email", "cancel reason"]
    assert erased["CB-0001"] == ["name", "phone", "topic"]
    assert sorted(erased) == sorted(found)
    assert _refs(office, "--phone", BOB_PHONE) == {} and _refs(office, "--email", BOB_EMAIL) == {}
    assert _refs(office, "--name", "Ann Other") != {}  # another resident's booking stays
    shown = office("--user", "amina", "appointment", "show", email_ref, "--contact", now=later)
    assert "contact: none kept (never given, or deleted since)" in shown.out
    # review20 #6: a follow-up erased on request was said "deleted (retention)".
    ring_back = office("--user", "amina", "followup", "show", "CB-0001", "--contact", now=later)
    assert "personal details deleted (on schedule or on the resident's request)" in ring_back.out
    assert "retention" not in ring_back.out, ring_back.out
    dump = "\n".join(db_content(office.db))
    for personal in (
        "Bob Resident",
        "Bob R'",
        BOB_E164,
        BOB_EMAIL,
        "rent arrears",
        "Grimes",
        "sorted my bins",
        "found a job",
    ):
        assert personal not in dump
    assert _reports(office, later) == figures
    # Attributable, and nothing personal: who, which record, which fields, the case reference.
    events = rows(office.db, "SELECT actor, data FROM events WHERE kind = 'resident_erased'")
    assert len(events) == len(found) and {actor for actor, _ in events} == {"amina"}
    first = json.loads(events[0][1])
    assert first["case"] == "IG-2026-114" and first["record"] in ("appointment", "followup")
    cancelled = rows(
        office.db,
        "SELECT last_error FROM messages WHERE status = 'cancelled' AND kind = 'cancellation'",
    )
    assert ("the resident asked to be forgotten",) in cancelled
    # Asked again, a booking and a follow-up are still found by their references, holding
    # nothing now.
    again = office(
        "--user", "amina", "resident", "forget", email_ref, "CB-0001", "--yes", "--json", now=later
    )
    assert again.code == 0, again.err
    assert {e["ref"]: e["erased"] for e in again.json()["erased"]} == {email_ref: [], "CB-0001": []}


def test_forget_says_when_a_message_still_to_come_goes_and_offers_to_cancel_it(
    office: Cli,
) -> None:
    """A visit whose follow-up text goes later: the refusal says when it goes and leads with
    --cancel-messages (the device worker sends nothing before then), and with it the visit is
    forgotten and the text never goes."""
    (visit,) = [
        r for r, holds in _refs(office, "--phone", BOB_PHONE).items() if "feedback comment" in holds
    ]
    ((due,),) = rows(office.db, "SELECT next_attempt_at FROM feedback_texts")
    assert due == "2026-11-23T11:30:00.000Z"  # two hours after the visit
    refused = office("--user", "amina", "resident", "forget", visit, "--yes", now=NOW)
    assert refused.code == 6 and refused.err.count("\n") == 1, refused.err
    assert (
        f"{visit}: its follow-up text goes at 11:30 today and needs the resident's details "
        "till then: add --cancel-messages to cancel it unsent (it will never come), or forget "
        "it once it has gone"
    ) in refused.err
    assert "worker --once" not in refused.err  # it would send nothing now
    forgot = office(
        "--user", "amina", "resident", "forget", visit, "--yes", "--cancel-messages", now=NOW
    )
    assert forgot.code == 0, forgot.err
    assert rows(office.db, "SELECT status FROM feedback_texts") == [("cancelled",)]


def test_when_a_message_goes_is_said_by_its_day() -> None:
    monday = MONDAY_0930.date()
    said = [
        when_said(datetime.fromisoformat(at), "Europe/London", monday)
        for at in ("2026-11-23T16:00:00Z", "2026-11-24T09:00:00Z", "2026-11-26T09:00:00Z")
    ]
    assert said == ["at 16:00 today", "at 09:00 tomorrow", "at 09:00 on Thu 26 Nov"]


def test_forget_asks_for_yes_and_a_case_reference_never_details(office: Cli) -> None:
    assert office("--user", "amina", "followup", "done", "CB-0001", now=NOW).code == 0
    unconfirmed = office("--user", "amina", "resident", "forget", "CB-0001", now=NOW)
    assert unconfirmed.code == 2 and "add --yes" in unconfirmed.err
    for reason in ("Bob Resident 07700900555", "bob@example.org"):
        refused = office(
            "--user", "amina", "resident", "forget", "CB-0001", "--yes", "--reason", reason, now=NOW
        )
        assert refused.code == 2 and "never the resident's name or details" in refused.err
    for ref, said in (("visit-999", "no visit 'visit-999'"), ("r9999", "no follow-up R-9999")):
        unknown = office("--user", "amina", "resident", "forget", ref, "--yes", now=NOW)
        assert unknown.code == 5 and said in unknown.err and unknown.err.count("\n") == 1
    wrong = office("--user", "amina", "resident", "forget", "nonsense", "--yes", now=NOW)
    assert wrong.code == 2 and "is not a record's reference: a booking (K7M-3QX)" in wrong.err
    assert rows(office.db, "SELECT count(*) FROM events WHERE kind = 'resident_erased'") == [(0,)]


def test_a_cancelled_bookings_details_count_their_retention_from_the_cancellation(
    office: Cli,
) -> None:
    ann = _refs(office, "--phone", "07700 900111")  # Wed 25 Nov
    assert list(ann.values()) == [["name", "phone"]]
    far = office(
        "--user",
        "amina",
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2027-01-12T10:00:00Z",
        "--channel",
        "text",
        "--name",
        "Cat Far",
        "--phone",
        "07700 900222",
        "--json",
        now=NOW,
    )
    assert far.code == 0, far.err
    ref = far.json()["ref"]
    cancel = office(
        "--user",
        "amina",
        "appointment",
        "cancel",
        ref,
        "--by",
        "resident",
        "--reason",
        "moving away",
        now=NOW,
    )
    assert cancel.code == 0, cancel.err
    # 31 days after the cancellation (retention.contacts_days is 30), weeks before its day.
    purge_at = format_instant(MONDAY_0930 + timedelta(days=31))
    result = office("db", "purge", now=purge_at)
    assert result.code == 0, result.err
    assert "appointment contact details (of appointments held, or cancelled, before" in result.out
    assert rows(
        office.db,
        "SELECT c.name, c.phone, a.cancel_reason FROM appointments a JOIN "
        "appointment_contacts c ON c.appointment_id = a.id WHERE a.ref = ?",
        ref,
    ) == [(None, None, None)]
    # Ann's booking, not cancelled, on 25 Nov: counted from its day, kept until 25 Dec.
    assert _refs(office, "--name", "Ann Other") == ann
    # One cancelled yesterday keeps its details until its own 30 days have run.
    recent = office(
        "--user",
        "amina",
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2027-02-15T10:00:00Z",
        "--channel",
        "text",
        "--name",
        "Dan Recent",
        "--phone",
        "07700 900333",
        "--json",
        now=purge_at,
    )
    assert recent.code == 0, recent.err
    gone = office(
        "--user",
        "amina",
        "appointment",
        "cancel",
        recent.json()["ref"],
        "--by",
        "resident",
        now=purge_at,
    )
    assert gone.code == 0, gone.err
    assert office("db", "purge", now=purge_at).code == 0
    assert _refs(office, "--name", "Dan Recent") != {}


@pytest.mark.parametrize(
    ("reason", "what", "key"),
    [
        ("Bob SAR", "name", ("--email", BOB_EMAIL)),
        ("SAR from Mr RESIDENT", "name", ("--phone", BOB_PHONE)),
        ("bobresident 114", "email address", ("--email", BOB_EMAIL)),
        ("IG-900555", "phone number", ("--phone", BOB_PHONE)),
    ],
)
def test_a_case_reference_holding_the_residents_details_is_refused_and_nothing_kept(
    office: Cli, reason: str, what: str, key: tuple[str, str]
) -> None:
    """The reason goes into the event log, never purged: a name, the part of the email address
    before the @ or a run of the phone number of a record being erased would stay there for
    good (privacy audit, finding 2: "Anna ZZNAME SAR" was kept as the case)."""
    booking = next(r for r in _refs(office, *key) if r[3] == "-" and not r.startswith("CB"))
    cancel = ("appointment", "cancel", booking, "--by", "resident")
    assert office("--user", "amina", *cancel, now=NOW).code == 0
    before = db_content(office.db)
    refused = office(
        *("--user", "amina", "resident", "forget", booking, "--yes", "--cancel-messages"),
        *("--reason", reason),
        now=NOW,
    )
    assert refused.code == 2, refused.err
    assert refused.err == (
        f"oss-desk: the reason given names the resident of {booking} (their {what}): "
        "the reason is kept for good: give a case reference, not the resident's details\n"
    )
    assert db_content(office.db) == before
    forgot = office(
        *("--user", "amina", "resident", "forget", booking, "--yes", "--cancel-messages"),
        *("--reason", "SAR IG-2026-114"),
        now=NOW,
    )
    assert forgot.code == 0, forgot.err
    [(data,)] = rows(office.db, "SELECT data FROM events WHERE kind = 'resident_erased'")
    assert json.loads(data)["case"] == "SAR IG-2026-114"


def test_what_a_case_reference_is_matched_against_a_residents_details_by() -> None:
    from oss_desk.domain.event_data import details_in

    bob = {"name": "Mary O\u2019Brien-Lloyd", "email": "ann@example.org", "phone": BOB_E164}
    assert details_in("OBrien SAR", **bob) == "name"  # typed without the apostrophe
    assert details_in("SAR lloyd", **bob) == "name"
    assert details_in("SAR ANN 2026", **bob) == "email address"
    assert details_in("SAR annual 2026", **bob) is None  # "ann" alone is a word of its own
    assert details_in("IG 07700 900", **bob) == "phone number"
    assert details_in("IG-2026-114", **bob) is None


def test_find_lists_the_free_text_that_mentions_a_resident_by_name_or_number(
    office: Cli,
) -> None:
    """A note on a visit with no number, and a ring-back for someone else, whose words name the
    resident: found by any part of the name, and by the number however it was written there."""

    def ok(*args: str) -> Any:
        result = office("--user", "amina", *args, "--json", now=NOW)
        assert result.code == 0, result.err
        return result.json()

    ticket = ok("ticket", "issue", "--service", "C", "--desk", "greet-1", "--no-print")
    session = open_session(
        db=office.db, clock=FixedClock(MONDAY_0930), person="amina", desk_id="desk-1"
    )
    try:
        QueueService(session).add_note(ticket["id"], "resident Zoë ZZNAME-Zedd, 07700 900 123")
    finally:
        session.close()
    ok(
        *("followup", "add", "--kind", "ringback", "--service", "C", "--name", "Kim Carer"),
        *("--phone", "01632 960999", "--topic", "rings for her mother Mrs Zoe zzname zedd"),
    )
    by_name = office("--user", "amina", "resident", "find", "--name", "zzname zedd", now=NOW)
    assert by_name.code == 0, by_name.err
    (visit_id,) = rows(office.db, "SELECT visit_id FROM tickets WHERE id = ?", ticket["id"])[0]
    visit = f"visit-{visit_id}"
    assert by_name.out.startswith("2 records match that name")
    assert "mentions that name in its topic" in by_name.out
    assert f"{visit:10s} visit C002" in by_name.out
    assert "mentions that name in its note" in by_name.out
    assert "900 123" not in by_name.out and "mother" not in by_name.out  # read on the record
    for typed in ("07700900123", "+44 7700 900123"):
        records = {
            r["ref"]: (r["holds"], r["mentions"])
            for r in ok("resident", "find", "--phone", typed)["records"]
        }
        assert records == {visit: (["note"], ["note"])}
    assert _refs(office, "--name", "ZOË")[visit] == ["note"]
    ok("resident", "forget", visit, "--yes")
    assert visit not in _refs(office, "--name", "zzname")


def test_forget_refuses_a_waiting_visit_whose_turn_texts_are_still_to_come(
    office: Cli,
) -> None:
    """A new-user trial: a ticket still waiting, with a mobile for turn texts, was forgotten
    with "erased mobile for turn texts" and exit 0: nobody would text that resident when
    their turn came, and nobody was told. Its texts are queued only as the queue moves, so
    the number counts as a message still to send: refused (exit 6) without
    --cancel-messages, and with it the line says who will not be texted."""
    (visit,) = [
        r
        for r, holds in _refs(office, "--phone", BOB_PHONE).items()
        if "mobile for turn texts" in holds
    ]
    assert rows(office.db, "SELECT count(*) FROM turn_texts") == [(0,)]  # none queued yet
    before = db_content(office.db)
    refused = office("--user", "amina", "resident", "forget", visit, "--yes", now=NOW)
    assert refused.code == 6 and refused.err.count("\n") == 1, refused.err
    assert (
        f'{visit}: C001 is still in the queue and its turn texts ("nearly your turn", "please '
        "go to\") need the resident's mobile until they are served: forget it once C001 is "
        "served, or cancel them now and they will never come (--cancel-messages)"
    ) in refused.err
    assert db_content(office.db) == before
    args = ("resident", "forget", visit, "--yes", "--cancel-messages", "--reason", "IG-2026-117")
    forgot = office("--user", "amina", *args, now=NOW)
    assert forgot.code == 0, forgot.err
    assert (
        f"{visit}: erased mobile for turn texts, note; "
        "C001 will not be texted: tell them, or call the code aloud"
    ) in forgot.out
    assert rows(office.db, "SELECT count(*) FROM visit_phones") == [(0,)]


def test_forget_of_a_visit_served_since_needs_no_cancelling(office: Cli) -> None:
    """Once its ticket is being served no turn text is to come: forgotten as before, and the
    line names nobody as not texted (--json: ``not_texted`` null)."""
    (visit,) = [
        r
        for r, holds in _refs(office, "--phone", BOB_PHONE).items()
        if "mobile for turn texts" in holds
    ]
    session = open_session(
        db=office.db, clock=FixedClock(MONDAY_0930), person="amina", desk_id="desk-1"
    )
    try:
        queue = QueueService(session)
        queue.call("C001", "desk-1")
        queue.start("C001")
    finally:
        session.close()
    forgot = office("--user", "amina", "resident", "forget", visit, "--yes", "--json", now=NOW)
    assert forgot.code == 0, forgot.err
    (erased,) = forgot.json()["erased"]
    assert erased["erased"] == ["mobile for turn texts", "note"] and erased["not_texted"] is None


def _copy(cli: Cli, now: str) -> dict[str, dict[str, Any]]:
    result = cli("--user", "amina", "resident", "find", "--phone", BOB_PHONE, "--json", now=now)
    assert result.code == 0, result.err
    return {r["ref"]: r for r in result.json()["records"]}


def test_the_residents_copy_holds_each_records_facts_messages_and_deletion(office: Cli) -> None:
    """The copy sent to a resident who asks (`resident find --json`) held their details but not
    what they are details of: now each record has its own facts (a booking's service, time and
    adviser, as `appointment show` has them), the messages sent to them about it and when, and
    when each detail is deleted; the keys it had are kept."""
    copy = _copy(office, NOW)
    (booking,) = [r for r in copy.values() if r["record"] == "appointment"]
    assert booking["facts"] == {
        "service": "C",
        "service_name": "Council Tax",
        "start": "2026-11-25T10:00+00:00",
        "adviser": "Ben Walker",
        "room": None,
        "status": "booked",
    }
    shown = office("--user", "amina", "appointment", "show", booking["ref"], "--json", now=NOW)
    show = shown.json()
    assert (show["service"], show["local_start"]) == ("C", booking["facts"]["start"])
    assert booking["messages"] == [
        {"kind": "confirmation", "channel": "text", "status": "pending", "sent": None}
    ]
    assert [(m["kind"], m["status"]) for m in show["messages"]] == [("confirmation", "pending")]
    # Kept 30 days after the booking's day (retention.contacts_days): gone as the 31st ends.
    contacts_go = "2026-12-26T00:00:00.000Z"
    assert booking["deleted_after"] == {"name": contacts_go, "phone": contacts_go}
    assert booking["name"] == "Bob Resident" and booking["holds"] == ["name", "phone"]
    ringback = copy["CB-0001"]
    assert ringback["facts"] == {
        "service": "C",
        "status": "open",
        "received": "2026-11-23T09:30:00.000Z",
        "closed": None,
    }
    assert set(ringback["deleted_after"].values()) == {"2026-12-23T09:30:00.000Z"}
    visits = {r["ticket"]: r for r in copy.values() if r["record"] == "visit"}
    assert visits["C001"]["deleted_after"] == {
        "mobile for turn texts": "2026-11-24T00:00:00.000Z",  # at the end of the day
        "note": "2028-11-22T09:30:00.000Z",  # 730 days after it was written
    }
    assert visits["W001"]["facts"] == {"service": "W"}
    assert visits["W001"]["messages"] == [
        {"kind": "feedback", "channel": "text", "status": "pending", "sent": None}
    ]

    # What the copy says is what the purge does: a minute before, the details are held; a
    # minute after, they are gone.
    def purge_at(instant: str) -> None:
        done = office("db", "purge", now=instant)
        assert done.code == 0, done.err

    purge_at("2026-11-23T23:59:00Z")
    assert "mobile for turn texts" in _copy(office, NOW)[visits["C001"]["ref"]]["holds"]
    purge_at("2026-11-24T00:01:00Z")
    assert visits["C001"]["ref"] not in _copy(office, NOW)  # (its note, under no number now)
    purge_at("2026-12-23T09:29:00Z")
    assert "CB-0001" in _copy(office, NOW)
    purge_at("2026-12-25T23:59:00Z")
    assert booking["ref"] in _copy(office, NOW)
    purge_at("2026-12-26T00:01:00Z")
    left = _copy(office, "2026-12-26T00:01:00Z")
    assert booking["ref"] not in left and "CB-0001" not in left
