"""What residents are sent: confirmations, reminders, change and cancellation notices.

Each says what, when, where, what to bring, the booking reference and how to change it. The
service appears only by its neutral public label (phones show messages on the lock screen), and
emails carry an .ics invitation in Europe/London time (the office's timezone). A message that
tells the resident a time to come carries the booking's QR code, as the printed slip does: an
email sent by our mail server shows it in its HTML part (:func:`email_html`), beside the
reference in words, which the plain text part and the texts give alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import escape

from oss_desk.domain.appointments import (
    QR_MESSAGES,
    Appointment,
    booking_qr,
    checklist_sent_apart,
)
from oss_desk.domain.calendar import clock_said, local, zone
from oss_desk.domain.outgoing import change_line_room as line_room
from oss_desk.domain.outgoing import fitted, over_without_lines
from oss_desk.domain.wording import ENGLISH, Wording
from oss_desk.services.session import Session
from oss_desk.storage import appointments as a

HEADINGS = {
    kind: ENGLISH[f"message.{kind}"]
    for kind in ("confirmation", "reminder", "change", "cancellation")
}


@dataclass(frozen=True, slots=True)
class Composed:
    heading: str
    subject: str
    body: str
    sms: str
    ics: bytes | None
    qr: str | None = None
    """What the booking's QR code holds (:func:`oss_desk.domain.appointments.booking_qr`): only
    the reference. None: the message carries no code."""
    qr_caption: tuple[str, ...] = ()
    """The lines beside the code, in the office's languages: show it at the desk, and the
    booking reference in words."""
    sender: str = ""
    """The email's sender as the inbox shows it (:func:`sender_name`); empty: the
    configured ``email.from_name``, if any."""


def pick(names: tuple[str, ...], n: int) -> str:
    """The ``n``th language's form of a name (the last form where it has fewer)."""
    return names[min(n, len(names) - 1)] if names else ""


def sender_name(session: Session, wording: Wording) -> str:
    """Who an email to a resident is from, as the inbox shows it: ``email.from_name``, else
    the council's name (Welsh first in a bilingual office)."""
    from oss_desk.services.resident import council_names

    return session.settings.email.from_name or " / ".join(council_names(session, wording))


def email_lines(session: Session, wording: Wording, n: int) -> list[str]:
    """The office's line on replies (``email.replies``), in the ``n``th language, under an
    email's closing; none when the office gives none."""
    email = session.settings.email
    if not email.replies:
        return []
    return ["", pick(wording.names(email.replies, email.replies_cy), n)]


def compose(session: Session, appt: Appointment, kind: str) -> Composed:
    """The message in the office's languages: in a bilingual office the Welsh comes first, then
    the English, in the email, the text and the subject alike."""
    session.refresh_directory()  # the wording in force now, though `init` ran since we began
    # A change notice says what changed: the time the resident last heard of beside the new.
    heard = a.told_time(session.store.conn, appt.id) if kind == "change" else None
    d = _draft(session, appt, kind, heard)
    ics = _ics(session, appt, kind, d.summaries, d.places, d.body) if kind != "reminder" else None
    qr = booking_qr(appt.ref) if kind in QR_MESSAGES else None
    return Composed(
        d.heading,
        " / ".join(d.subjects),
        d.body,
        fitted(d.heading, d.texts, d.short),
        ics,
        qr,
        d.caption if qr else (),
        d.sender,
    )


@dataclass(frozen=True, slots=True)
class LineRoom:
    """What the change notice of a booking leaves for the office's "to change or cancel" lines."""

    room: int | None
    """The most characters each line may have to go whole (None: they fit as they are)."""
    bring_cut: bool
    """The text is over the limit with no change line at all: what to bring is cut, whatever
    the lines (:func:`oss_desk.domain.outgoing.over_without_lines`)."""


def change_line_room(session: Session, appt: Appointment, heard: datetime | None) -> LineRoom:
    """The room for each "to change or cancel" line in the change notice of ``appt`` (the
    resident last heard of it at ``heard``), the longest text that carries them, for them to go
    whole (:func:`oss_desk.domain.outgoing.change_line_room`), and whether what to bring is cut
    even with none. For a booking made up to ask (``oss-desk init``): nothing is read of it."""
    d = _draft(session, appt, "change", heard)
    # What to bring goes before the change line and is cut only after it: whole, it is part
    # of what the text says as far as the change line's room goes.
    parts = [
        (f"{said} {bring}", tail[len(bring) :].lstrip(" ")) if bring else (said, tail)
        for (said, tail), bring in zip(d.short, d.bring, strict=True)
    ]
    return LineRoom(line_room(d.heading, parts), over_without_lines(d.heading, parts))


@dataclass(frozen=True, slots=True)
class _Draft:
    """A message's words before its text is fitted and its invitation made."""

    heading: str
    subjects: list[str]
    body: str
    texts: list[tuple[str, str]]
    """Per language: what the text says, and its change line."""
    short: list[tuple[str, str]]
    """The same without the office's address."""
    bring: list[str]
    """Per language: what to bring as the text says it, first in what may be cut ("": none)."""
    caption: tuple[str, ...]
    summaries: list[str]
    """Per language: the invitation's title ("Council: Council Tax appointment")."""
    places: list[str]
    """Per language: where (the room, the office, its address)."""
    sender: str


def _draft(session: Session, appt: Appointment, kind: str, heard: datetime | None) -> _Draft:
    from oss_desk.services import resident

    words = resident.appointment_wording(session, appt)
    site, wording, room = words.site, words.wording, words.room
    time = clock_said(words.wall)
    was = local(heard, site.timezone) if heard is not None and heard != appt.starts_at else None
    labels = resident.label_names(session, wording, appt.service)
    sites = resident.site_names(session, wording, site.id)
    councils = resident.council_names(session, wording)
    rooms = resident.desk_names(session, wording, room.id, board=False) if room else ()
    addresses, welsh_items = words.addresses, words.welsh_items
    # A cancellation cannot be changed: no "to change or cancel" line; the council's says so.
    council = "_council" if kind == "cancellation" and appt.cancelled_by == "council" else ""

    bodies, subjects, headings, caption, summaries, places = [], [], [], [], [], []
    texts: list[tuple[str, str]] = []  # per language: what it says, and its change line
    short: list[tuple[str, str]] = []
    brought: list[str] = []
    for n, language in enumerate(wording.languages):
        say = partial(wording.one, language)
        day = wording.date(language, words.wall.date())
        label = pick(labels, n)
        office = f"{pick(rooms, n)}, {pick(sites, n)}" if room else pick(sites, n)
        place = f"{office}, {pick(addresses, n)}" if addresses else office
        items = [
            welsh_items[i] if language == "cy" and i < len(welsh_items) else item
            for i, item in enumerate(words.service.checklist)
        ]
        heading = say(f"message.{kind}")
        told: dict[str, str] = (
            {}
            if was is None
            else {"day": wording.date(language, was.date()), "time": clock_said(was)}
        )
        lines = [heading + ".", ""]
        if kind == "cancellation":
            lines += [
                say(f"message.cancelled{council}", label=label, day=day, time=time),
                say("message.rebook"),
            ]
        else:
            lines += [
                say("message.what", label=label),
                say("message.when", day=day, time=time),
            ]
            if told:
                lines.append(say("message.was", **told))
            lines.append(say("message.where", place=place))
            if items:
                lines += ["", say("slip.bring")] + [f"  - {item}" for item in items]
        change = [pick(words.change_line, n)] if kind != "cancellation" else []
        # A cancellation's text says how to book again, as its email does (cut first if long).
        tail = change if kind != "cancellation" else [say("message.rebook")]
        lines += ["", say("message.reference", ref=appt.ref), *change]
        lines += [*email_lines(session, wording, n), "", pick(councils, n)]
        bodies.append("\n".join(lines))
        # What to bring: an email or a slip that went has it, and a text points there; a
        # resident booked by text had neither, and their texts carry it. It goes after the
        # reference, before the change line, so a text too long cuts the change line first.
        bring = []
        if items and kind != "cancellation":
            apart = checklist_sent_apart(appt.channel)
            bring = [say("sms.bring_see") if apart else say("sms.bring", items="; ".join(items))]
        brought.append(" ".join(bring))
        for where, said in ((place, texts), (office, short)):  # short: without the address
            sms = [heading + "."]
            if kind == "cancellation":
                sms.append(say(f"sms.cancelled{council}", label=label, day=day, time=time))
            else:
                sms.append(say("sms.booked", label=label, day=day, time=time, place=where))
                if told:
                    sms.append(say("sms.was", **told))
            sms.append(say("sms.reference", ref=appt.ref))
            said.append((" ".join(sms), " ".join([*bring, *tail])))
        subjects.append(say("message.subject", heading=heading, day=day, time=time))
        summaries.append(say("message.summary", council=pick(councils, n), label=label))
        places.append(place)
        caption += [say("message.scan"), say("message.reference", ref=appt.ref)]
        headings.append(heading)
    return _Draft(
        " / ".join(headings),
        subjects,
        "\n\n".join(bodies),
        texts,
        short,
        brought,
        tuple(caption),
        summaries,
        places,
        sender_name(session, wording),
    )


def email_html(message: Composed, cid: str) -> str:
    """The email's HTML part: the plain text's paragraphs, and after its heading the booking's
    QR code (the image whose Content-ID is ``cid``) with its caption, the reference in words
    beside it. Only our words and the office's configured names: every one escaped."""
    paragraphs = [
        "<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in message.body.split("\n\n")
    ]
    alt = escape(" / ".join(message.qr_caption[1::2]), quote=True)
    caption = "<br>".join(
        f"<strong>{escape(line)}</strong>" if n % 2 else escape(line)
        for n, line in enumerate(message.qr_caption)
    )
    code = (
        f'<p><img src="cid:{escape(cid, quote=True)}" alt="{alt}" width="232" height="232"'
        ' style="display:block;border:0"></p>'
        f"<p>{caption}</p>"
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.4">'
        + "".join([*paragraphs[:1], code, *paragraphs[1:]])
        + "</body></html>"
    )


def _ics(
    session: Session,
    appt: Appointment,
    kind: str,
    summaries: list[str],
    places: list[str],
    description: str,
) -> bytes:
    """An iCalendar invitation with times in the office's zone (a VTIMEZONE included); its
    title and place in the office's languages, Welsh first, as its description is."""
    site = session.site_ever(appt.site_id)
    tz = zone(site.timezone)
    from icalendar import Calendar, Event  # only when an invitation is written

    cal = Calendar()
    cal.add("prodid", "-//oss-desk//appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if kind == "cancellation" else "PUBLISH")
    event = Event()
    event.add("uid", f"{appt.ref}@oss-desk")
    # A cancellation is a newer version than any sent before it (RFC 5545 3.8.7.4): with the
    # booking's own SEQUENCE, calendar apps that ignore an update that is not newer keep it.
    event.add("sequence", appt.version + (1 if kind == "cancellation" else 0))
    event.add("dtstamp", session.clock.now())
    event.add("dtstart", appt.starts_at.astimezone(tz))
    event.add("dtend", appt.ends_at.astimezone(tz))
    event.add("summary", " / ".join(dict.fromkeys(summaries)))
    event.add("location", " / ".join(dict.fromkeys(places)))
    event.add("description", description)
    event.add("status", "CANCELLED" if kind == "cancellation" else "CONFIRMED")
    cal.add_component(event)
    data: bytes = cal.to_ical()
    # The zone's VTIMEZONE goes before the event, where ``add_missing_timezones`` puts it.
    at = data.index(b"BEGIN:VEVENT")
    return data[:at] + _vtimezone(site.timezone) + data[at:]


@functools.lru_cache(maxsize=8)
def _vtimezone(name: str) -> bytes:
    """The zone's VTIMEZONE as ``add_missing_timezones`` writes it (the same transitions, the
    same bytes): made once per zone, not for every invitation (most of the time one took)."""
    from icalendar import Timezone

    zone_bytes: bytes = Timezone.from_tzid(name).to_ical()
    return zone_bytes
