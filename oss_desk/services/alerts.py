"""The alerts: what wants the team leader's attention until someone sees to it. Messages to
residents late, failed for good or perhaps sent (appointment messages; a referral's reference
that may have been sent), report emails and follow-up texts failed for good, turn texts failed
while their tickets are open, and council changes owed by hand.

The team leader's status line and A, ``doctor``, ``report daily`` and ``oss-desk alerts`` all
read these, with the rules of :mod:`oss_desk.domain.message_delivery`, so they agree.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment, untold_said
from oss_desk.domain.message_delivery import (
    AlertKind,
    message_alert,
    message_deadline,
    turn_text_failed_said,
)
from oss_desk.domain.models import Actor, Ticket
from oss_desk.domain.report_rounds import reports_failed_said
from oss_desk.domain.sending import referral_message_said
from oss_desk.errors import NotFound
from oss_desk.services.session import Session

if TYPE_CHECKING:
    from oss_desk.config_delivery import MessageSettings

ALERT_DAYS = 14
"""How far back undelivered messages are looked for."""


def alerts_since(now: datetime) -> str:
    """The stored instant from which alerts are looked for: :data:`ALERT_DAYS` before ``now``."""
    return format_instant(now - timedelta(days=ALERT_DAYS))


@dataclass(frozen=True, slots=True)
class MessageAlert:
    """A message to a resident that wants the team leader's attention (late, or failed for
    good) until someone acknowledges it."""

    id: int
    alert: AlertKind
    kind: str
    """confirmation, reminder, change or cancellation"""
    channel: str
    via: str
    site_id: str
    business_day: str
    """The appointment's day."""
    starts_at: datetime
    deadline: datetime
    reason: str | None
    appointment_ref: str
    """The booking reference, to find the booking and tell the resident another way (no name,
    email or phone in an alert)."""

    def describe(self, today: str | None = None) -> str:
        """``confirmation (email) for the appointment on Fri 11 Dec (ref K7M-3QX) failed: ...``"""
        day = date.fromisoformat(self.business_day)
        when = (
            "today's appointment"
            if self.business_day == today
            else f"the appointment on {day:%a %d %b}"
        )
        why = f": {self.reason}" if self.reason else ""
        said = f"{self.kind} ({self.channel}) for {when} (ref {self.appointment_ref})"
        return f"{said} {self.alert.said}{why}"


def message_alerts(session: Session, site_id: str | None = None) -> list[MessageAlert]:
    """Messages late (not delivered ``messages.alert_minutes`` before they stop mattering),
    failed for good, or no longer wanted after a try that may have reached the resident (may
    have been sent), not yet acknowledged."""
    return alerts_in(session.store.conn, session.settings.messages, session.clock.now(), site_id)


def alerts_in(
    conn: sqlite3.Connection,
    settings: MessageSettings,
    now: datetime,
    site_id: str | None = None,
) -> list[MessageAlert]:
    from oss_desk.storage import message_alerts as ma

    since = alerts_since(now)
    found = []
    for m in ma.messages_undelivered(conn, since):
        if site_id is not None and m.site_id != site_id:
            continue
        starts = read_instant(m.starts_at)
        deadline = message_deadline(
            m.kind,
            read_instant(m.created_at),
            starts,
            notice_hours=settings.notice_hours,
            reminder_until_minutes=settings.reminder_until_minutes,
        )
        alert = message_alert(m.status, deadline, now, settings.alert_minutes)
        if alert is not None:
            found.append(
                MessageAlert(
                    m.id,
                    alert,
                    m.kind,
                    m.channel,
                    m.via,
                    m.site_id,
                    m.business_day,
                    starts,
                    deadline,
                    m.reason,
                    m.appointment_ref,
                )
            )
    return found


def not_sent_lines(alerts: Sequence[LeaderAlert], day: str, today: str | None = None) -> list[str]:
    """``["2 reminders for today not sent", "1 confirmation for today may have been sent"]``:
    alerts about appointments on ``day``, by kind and state; then the referrals' references
    that may have been sent (whatever the day)."""
    counts = Counter(
        (a.kind, NOT_SENT if a.alert is not AlertKind.UNCERTAIN else a.alert.said)
        for a in alerts
        if isinstance(a, MessageAlert) and a.business_day == day
    )
    when = "today" if day == today else day
    lines = [
        f"{n} {kind}{'s' if n != 1 else ''} for {when} {state}"
        for (kind, state), n in sorted(counts.items())
    ]
    if referrals := sum(1 for a in alerts if isinstance(a, ReferralMessageAlert)):
        lines.append(f"{referrals} {REFERRAL_SAID}{'s' if referrals != 1 else ''} {UNSURE}")
    if reports := sum(1 for a in alerts if isinstance(a, ReportMailAlert)):
        lines.append(reports_failed_said(reports))
    return lines


def alerts_counted(alerts: Sequence[LeaderAlert]) -> str:
    """The team leader's alerts in a narrow status bar: "2 not sent", "1 may be sent", "2 not
    sent, 1 may be sent"."""
    unsure = sum(1 for a in alerts if a.alert is AlertKind.UNCERTAIN)
    counts = [(len(alerts) - unsure, NOT_SENT), (unsure, "may be sent")]
    return ", ".join(f"{n} {said}" for n, said in counts if n)


def leader_lines(alerts: Sequence[LeaderAlert], today: str) -> list[str]:
    """The team leader's status line of ``alerts``: today's by kind and state
    (:func:`not_sent_lines`); else how many, "messages: 1 not sent, 1 may be sent"."""
    return not_sent_lines(alerts, today, today) or [f"messages: {alerts_counted(alerts)}"]


NOT_SENT = "not sent"
UNSURE = AlertKind.UNCERTAIN.said
REFERRAL_SAID = "referral message"
"""A referral's message to the resident (its reference), as the status line counts it."""


@dataclass(frozen=True, slots=True)
class ReferralMessageAlert:
    """A referral's reference to the resident no longer wanted after a try that may have
    reached Notify, which could not be asked: it may have been sent. Listed until someone
    acknowledges it (once a message; gone too should it be settled). Named by the referral's
    reference, never by the resident, the number or the address."""

    id: int
    ref: str
    channel: str
    site_id: str
    reason: str | None
    alert: AlertKind = AlertKind.UNCERTAIN
    via: str = "notify"
    """What it went through: ``notify``, or ``smtp`` (an email through the mail server)."""

    def describe(self, today: str | None = None) -> str:
        """``referral R-0042: reference by text: may have been sent: ...``"""
        said = referral_message_said(self.channel, "uncertain", when="", last_error=self.reason)
        return f"referral {self.ref}: {said}"


def referral_message_alerts(
    session: Session, site_id: str | None = None
) -> list[ReferralMessageAlert]:
    """Referrals' references that may have been sent, not yet acknowledged."""
    return referral_alerts_in(session.store.conn, session.clock.now(), site_id)


def referral_alerts_in(
    conn: sqlite3.Connection, now: datetime, site_id: str | None = None
) -> list[ReferralMessageAlert]:
    from oss_desk.storage import message_alerts as ma

    since = alerts_since(now)
    return [
        ReferralMessageAlert(m.id, m.followup_ref, m.channel, m.site_id, m.reason, via=m.via)
        for m in ma.referral_messages_unsure(conn, since)
        if site_id in (None, m.site_id)
    ]


def leader_alerts(session: Session, site_id: str | None = None) -> list[LeaderAlert]:
    """What the team leader's status line counts and A acknowledges: messages to residents
    not surely delivered (appointments', then referrals'), then report emails that failed for
    good (of ``site_id``, or of every site)."""
    return [
        *message_alerts(session, site_id),
        *referral_message_alerts(session, site_id),
        *report_mail_alerts(session, site_id),
    ]


@dataclass(frozen=True, slots=True)
class ReportMailAlert:
    """A report email (the daily summary, the monthly dashboard) that failed for good, with no
    later round of it to the same recipient sent since (``report send ... --again``)."""

    id: int
    kind: str
    period: str
    scope: str
    reason: str | None
    alert: AlertKind = AlertKind.FAILED
    place: str = ""
    """Whose report it is, as its email's subject names it: a site's name (the only one's, at
    an office of one), else "every office" (:func:`report_place`)."""

    def describe(self, today: str | None = None) -> str:
        where = f" ({self.place})" if self.place else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.kind} report email for {self.period}{where} failed{why}"


LeaderAlert = MessageAlert | ReferralMessageAlert | ReportMailAlert
"""An alert the team leader's status line counts and A acknowledges."""


def report_mail_alerts(session: Session, site_id: str | None = None) -> list[ReportMailAlert]:
    """Report emails failed for good, not yet acknowledged nor sent again since (the
    recipient is staff's address, not shown here): of ``site_id`` (its own and those of every
    site), or of every site."""
    from oss_desk.storage.report_mails import ALL_SITES

    mails = report_mail_alerts_in(session.store.conn, session.clock.now())
    return [a for a in mails if site_id is None or a.scope in (ALL_SITES, site_id)]


def report_mail_alerts_in(conn: sqlite3.Connection, now: datetime) -> list[ReportMailAlert]:
    from oss_desk.storage.report_mails import failed_unsettled

    since = alerts_since(now)
    return [
        ReportMailAlert(
            m.id, m.kind, m.period, m.scope, m.last_error, place=report_place(conn, m.scope)
        )
        for m in failed_unsettled(conn, since)
    ]


def report_place(conn: sqlite3.Connection, scope: str) -> str:
    """Whose report a report email is: the site's name (one that has left too), the only
    site's at an office of one (a trial: "(every office)" at an office of one site), else
    "every office"."""
    from oss_desk.storage.report_mails import ALL_SITES
    from oss_desk.storage.site import read_directory, site_ever

    if scope != ALL_SITES:
        site = site_ever(conn, scope)
        return site.name if site is not None else scope
    sites = list(read_directory(conn).sites.values())
    return sites[0].name if len(sites) == 1 else "every office"


@dataclass(frozen=True, slots=True)
class FollowupTextAlert:
    """A follow-up text (asking a resident how their visit went) that failed for good: named by
    its visit, never by the resident or the number."""

    id: int
    visit_id: int
    site_id: str | None
    reason: str | None

    def describe(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        return f"follow-up text for visit {self.visit_id} failed{why}"


def followup_text_alerts(session: Session) -> list[FollowupTextAlert]:
    """Follow-up texts failed for good, not yet acknowledged."""
    from oss_desk.storage import feedback_texts as ft
    from oss_desk.storage import outbox as o

    conn = session.store.conn
    since = alerts_since(session.clock.now())
    found = []
    for row in o.failed_unacknowledged(conn, o.FEEDBACK_TEXTS, since):
        consent = ft.consent_of(conn, row["visit_id"])
        site = consent.site_id if consent is not None else None
        found.append(FollowupTextAlert(row["id"], row["visit_id"], site, row["last_error"]))
    return found


@dataclass(frozen=True, slots=True)
class TurnTextAlert:
    """A turn text that failed for good while its ticket is still open (the resident was not
    told to come, or where to go): listed until the ticket ends, and said at the desk that
    called. Named by the ticket, never by the resident or the number."""

    id: int
    ticket: Ticket
    kind: str
    reason: str | None

    def describe(self) -> str:
        at = f", at {self.ticket.desk}" if self.ticket.desk else ""
        said = turn_text_failed_said(self.kind, self.reason)
        return f"ticket {self.ticket.code}{at}: {said} (listed while the ticket is open)"


def turn_text_alerts(session: Session, site_id: str | None = None) -> list[TurnTextAlert]:
    """Turn texts failed for good whose tickets are still open."""
    from oss_desk.storage import queue as q
    from oss_desk.storage.resident import open_failed_turn_texts

    found = []
    with session.store.read() as conn:
        for text_id, ticket_id, kind, why in open_failed_turn_texts(conn, site_id):
            ticket = q.get_ticket(conn, ticket_id)
            if ticket is not None:
                found.append(TurnTextAlert(text_id, ticket, kind, why))
    return found


@dataclass(frozen=True, slots=True)
class UntoldAlert:
    """A council move or cancellation whose resident has no email or phone and has not been
    told (``domain.appointments.owes_notice_by_hand``): listed until someone records that
    they told them (``appointment told``). Named by the booking reference only."""

    id: int
    appointment: Appointment
    reachable: bool = True
    """The booking holds a phone or an email (else: tell them when they come in)."""

    @property
    def site_id(self) -> str:
        return self.appointment.site_id

    def describe(self) -> str:
        appt = self.appointment
        day = date.fromisoformat(appt.business_day)
        said = untold_said(appt, reachable=self.reachable)
        return f"appointment {appt.ref} on {day:%a %d %b}: {said}"


def untold_alerts(session: Session, site_id: str | None = None) -> list[UntoldAlert]:
    """Council changes not yet told to residents booked by slip (oldest first)."""
    from oss_desk.storage.appointments import reachable, untold

    with session.store.read() as conn:
        owed = [a for a in untold(conn) if site_id in (None, a.site_id)]
        held = reachable(conn, [a.id for a in owed])
    return [UntoldAlert(a.id, a, a.id in held) for a in owed]


OutboxAlert = (
    ReportMailAlert | FollowupTextAlert | TurnTextAlert | UntoldAlert | ReferralMessageAlert
)
"""An alert about a row of an outbox of its own (report emails, follow-up texts, turn texts,
referrals' references), or a notice owed by hand."""


class Acknowledge(Protocol):
    """How one kind of alert is said to be seen to: its rows ``chosen``, by whom and when."""

    def __call__(
        self, conn: sqlite3.Connection, chosen: list[int], /, *, by: str, now: str
    ) -> int: ...


ALERT_LETTERS: dict[type[OutboxAlert], str] = {
    ReportMailAlert: "r",
    FollowupTextAlert: "f",
    TurnTextAlert: "t",
    UntoldAlert: "h",
    ReferralMessageAlert: "m",
}
"""Each kind's letter in the alerts' ids (a message's alert has none: its id alone)."""


def alert_key(alert: OutboxAlert) -> str:
    """Its id among the alerts: its kind's letter and its row's id (``r12``, ``f3``, ``t7``)."""
    return f"{ALERT_LETTERS[type(alert)]}{alert.id}"


def acknowledge_alerts(
    session: Session,
    actor: Actor,
    ids: list[int] | None = None,
    mail_ids: list[int] | None = None,
    text_ids: list[int] | None = None,
    referral_ids: list[int] | None = None,
) -> int:
    """Someone has seen to these alerts (messages ``ids``, report emails ``mail_ids``, follow-up
    texts ``text_ids``, referrals' references ``referral_ids``; all None: every current one);
    they stop showing."""
    from oss_desk.storage import message_alerts as ma
    from oss_desk.storage import outbox as o

    session.require(Action.ACKNOWLEDGE_ALERT, actor)
    asked = {
        "": ids,
        ALERT_LETTERS[ReportMailAlert]: mail_ids,
        ALERT_LETTERS[FollowupTextAlert]: text_ids,
        ALERT_LETTERS[ReferralMessageAlert]: referral_ids,
    }
    everything = all(given is None for given in asked.values())
    current: dict[str, tuple[set[int], Acknowledge]] = {  # each kind: shown now, and how
        "": ({a.id for a in message_alerts(session)}, ma.acknowledge_messages),
        ALERT_LETTERS[ReportMailAlert]: (
            {a.id for a in report_mail_alerts(session)},
            lambda conn, chosen, by, now: o.acknowledge_failed(
                conn, o.REPORT_MAILS, chosen, by=by, now=now
            ),
        ),
        ALERT_LETTERS[FollowupTextAlert]: (
            {a.id for a in followup_text_alerts(session)},
            lambda conn, chosen, by, now: o.acknowledge_failed(
                conn, o.FEEDBACK_TEXTS, chosen, by=by, now=now
            ),
        ),
        ALERT_LETTERS[ReferralMessageAlert]: (
            {a.id for a in referral_message_alerts(session)},
            ma.acknowledge_referral_messages,
        ),
    }
    wanted = {
        letter: sorted(shown if everything else set(asked[letter] or ()))
        for letter, (shown, _) in current.items()
    }
    unknown = [f"{k}{i}" for k, chosen in wanted.items() for i in chosen if i not in current[k][0]]
    if unknown:
        raise NotFound(f"no alert {unknown[0]}", cli_hint="see `oss-desk alerts list`")
    now = format_instant(session.clock.now())
    with session.store.write() as conn:
        return sum(
            acknowledge(conn, wanted[letter], by=actor.person, now=now)
            for letter, (_, acknowledge) in current.items()
        )


def seen_to_question(alerts: Sequence[LeaderAlert]) -> str:
    """The first line of the team leader's A: what seeing to the ``alerts`` means (a message to
    a resident: they were told another way; a report email: it was sent again, or is not
    needed)."""
    residents = any(not isinstance(a, ReportMailAlert) for a in alerts)
    reports = any(isinstance(a, ReportMailAlert) for a in alerts)
    told = ["the resident told another way"] if residents else []
    told += ["the report sent again or not needed"] if reports else []
    return f"Seen to ({'; '.join(told)})?"


def acknowledge_shown(session: Session, actor: Actor, alerts: Sequence[LeaderAlert]) -> int:
    """The team leader's A: the alerts on their status line (``alerts``) are seen to."""
    return acknowledge_alerts(
        session,
        actor,
        [a.id for a in alerts if isinstance(a, MessageAlert)],
        [a.id for a in alerts if isinstance(a, ReportMailAlert)],
        [],
        [a.id for a in alerts if isinstance(a, ReferralMessageAlert)],
    )
