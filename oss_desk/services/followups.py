"""The follow-up register's use cases: make a ring-back, a referral or a record (comment,
compliment, complaint), take it, record attempts, acknowledge, answer, finish; and list them.

Each change is one ``BEGIN IMMEDIATE`` transaction that changes the follow-up and appends its
event (who, when, which follow-up: never the resident's details). Roles are checked here, so
the command line and the desk app get the same answers: meet-and-greet and advisers make and
work ring-backs and referrals and may record a comment, compliment or complaint; only team
leaders and admins see and answer those records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from oss_desk.clock import format_instant
from oss_desk.domain import followups as fu
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import normalise_email
from oss_desk.domain.calendar import WEEKDAYS, local, parse_date, parse_hours
from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.followup_closing import UnreachedEarly, unreached_early
from oss_desk.domain.followups import (
    AttemptResult,
    Details,
    Finding,
    Followup,
    FollowupClock,
    Kind,
    SendBy,
    Status,
    Via,
    slip_not_printed,
)
from oss_desk.domain.models import Actor, EventKind, Site
from oss_desk.domain.names import person_name
from oss_desk.domain.phones import normalise_number
from oss_desk.domain.printouts import ReferralSlipPrintout, print_request, referral_slip
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.device_owner import queue_print
from oss_desk.services.events import record_event
from oss_desk.services.followup_messages import message_reference, referral_words
from oss_desk.services.followup_requests import (
    ACTION_LIMIT,
    NAME_LIMIT,
    OFFICER_LIMIT,
    TOPIC_LIMIT,
    Created,
    Request,
    Shown,
    parse_choice,
    parse_yes_no,
)
from oss_desk.services.opening import site_workdays
from oss_desk.services.session import Session
from oss_desk.storage import followups as store

if TYPE_CHECKING:
    from oss_desk.config_followups import BackOfficeConfig


__all__ = ["Created", "FollowupService", "Request", "Shown", "parse_choice", "parse_yes_no"]


class FollowupService:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    # Roles ---------------------------------------------------------------------------------

    def _action_to_see(self, kind: Kind) -> Action:
        return Action.VIEW_FEEDBACK if kind.on_the_record else Action.WORK_FOLLOWUPS

    def visible_kinds(self) -> list[Kind]:
        """The kinds this person may see (the desk offers only these)."""
        return [k for k in Kind if self.s.may(self._action_to_see(k), self.actor)]

    def may(self, action: Action) -> bool:
        return self.s.may(action, self.actor)

    def _require(self, action: Action) -> None:
        self.s.require(action, self.actor)

    def _require_to_work(self, f: Followup) -> None:
        """Taking or acknowledging: a record is answered by team leaders and admins."""
        self._require(Action.ANSWER_FEEDBACK if f.kind.on_the_record else Action.WORK_FOLLOWUPS)

    # The clock -----------------------------------------------------------------------------

    def site_for(self, site_id: str | None = None) -> Site:
        return self.s.site_at(self.actor.desk_id, site_id)

    def clock_of(self, site: Site) -> FollowupClock:
        config = next(s for s in self.s.settings.sites if s.id == site.id)
        workdays = site_workdays(self.s.store.conn, config)
        closes: dict[int, time] = {}
        if self.s.settings.followups.day_ends == "closing":
            for index, name in enumerate(WEEKDAYS):
                hours = parse_hours(config.opening_hours.get(name, "closed"))
                if hours is not None:
                    closes[index] = hours.closes
        return FollowupClock(workdays, closes)

    def today(self, site: Site | None = None) -> date:
        site = site or self.site_for()
        return local(self.s.clock.now(), site.timezone).date()

    # Making one ------------------------------------------------------------------------------

    def add(self, request: Request) -> Created:
        kind: Kind = parse_choice(Kind, request.kind, "kind")
        self._require(Action.RECORD_FEEDBACK if kind.on_the_record else Action.WORK_FOLLOWUPS)
        settings = self.s.settings.followups
        now = self.s.clock.now()
        received = request.received or now
        if received > now:
            raise InvalidInput("the time received is in the future")
        site = self.site_for(request.site_id)
        clock = self.clock_of(site)
        today = local(now, site.timezone).date()
        wall = local(received, site.timezone)
        if request.received is not None:
            self.s.span(site).check(wall.date(), "the time received")
        start = clock.start_day(wall.replace(tzinfo=None))

        service = request.service
        visit_id: int | None = request.visit
        if request.ticket is not None:
            from oss_desk.services.queue import QueueService

            ticket = QueueService(self.s, self.actor).ticket(request.ticket)
            visit_id = ticket.visit_id
            service = service or ticket.service
        if service is not None:
            from oss_desk.services.queue import QueueService

            service = QueueService(self.s, self.actor).service(service).code
        elif not kind.on_the_record:
            raise InvalidInput(
                f"a {kind.label.lower()} needs the service it is about", cli_hint="--service"
            )

        send_by = None
        if kind is Kind.REFERRAL:
            send_by = parse_choice(SendBy, request.send_by, "way to send the reference")
            send_by = send_by or SendBy.SLIP
        texted = send_by is SendBy.TEXT  # a ring-back's number is rung, never texted
        details = Details(
            name=fu.clean_text(request.name, "the name", NAME_LIMIT),
            phone=normalise_number(request.phone, texted=texted) if request.phone else None,
            email=normalise_email(request.email) if request.email else None,
            topic=fu.clean_text(request.topic, "the topic", TOPIC_LIMIT),
        )
        values: dict[str, Any] = {}
        route: str | None = None
        if kind is Kind.RINGBACK:
            if details.phone is None:
                raise InvalidInput(
                    "a ring-back needs the resident's phone number", cli_hint="--phone"
                )
            due = clock.due_day(start, settings.ringback_working_days)
        elif kind is Kind.REFERRAL:
            office = self._back_office(request.back_office)
            assert send_by is not None
            if send_by is SendBy.EMAIL and details.email is None:
                raise InvalidInput(
                    "to send the reference by email, give the address", cli_hint="--email"
                )
            if send_by is SendBy.TEXT and details.phone is None:
                raise InvalidInput(
                    "to send the reference by text, give the number", cli_hint="--phone"
                )
            if send_by is not SendBy.SLIP:
                from oss_desk.services.appointments import AppointmentService

                route = AppointmentService(self.s, self.actor).route(send_by)
            due = clock.due_day(start, office.sla_working_days)
            values.update(back_office=office.id, sla_days=office.sla_working_days, send_by=send_by)
        else:
            if request.due is not None:
                raise InvalidInput(
                    "a comment, compliment or complaint is due by the standard: no due date",
                    cli_hint="leave out --due",
                )
            category = self._category(request.category)
            via = parse_choice(Via, request.via, "channel") or Via.IN_PERSON
            fu.check_stage(kind, request.stage)
            due = clock.due_day(start, settings.respond_working_days)
            values.update(
                ack_due_day=clock.due_day(start, settings.acknowledge_working_days),
                category=category,
                via=via,
                stage=request.stage,
            )
        if request.due is not None:
            wanted = request.due if isinstance(request.due, date) else parse_date(request.due)
            due = clock.check_due(wanted, today)
        desk = self.s.directory.desks.get(self.actor.desk_id or "")
        printer = None
        if kind is Kind.REFERRAL and values["send_by"] is SendBy.SLIP:
            if request.print_to is not None:
                printer = parse_printer_url(request.print_to).url
            elif desk is not None:
                printer = desk.printer_url

        with self.s.store.write() as conn:
            ref = store.next_ref(conn, kind)
            new = Followup(
                id=0,
                ref=ref,
                kind=kind,
                site_id=site.id,
                status=Status.OPEN,
                received_at=received,
                received_day=wall.date(),
                start_day=start,
                due_day=due,
                created_by=self.actor.person,
                service=service,
                desk_id=self.actor.desk_id,
                visit_id=visit_id,
                **values,
            )
            followup = store.insert_followup(conn, new, details)
            job = None
            if printer is not None:
                slip = print_request(self.slip(followup, site), printer, desk.id if desk else None)
                job = queue_print(conn, self.s.store.path, slip, now)
            message = None
            if route is not None:
                message = store.queue_message(
                    conn,
                    followup_id=followup.id,
                    channel=values["send_by"].value,
                    via=route,
                    reference=message_reference(followup.id),
                    now=format_instant(now),
                )
            self._event(
                conn,
                followup,
                EventKind.FOLLOWUP_CREATED,
                now,
                {
                    "due": followup.due_day.isoformat(),
                    **({"ack_due": new.ack_due_day.isoformat()} if new.ack_due_day else {}),
                    **({"visit": visit_id} if visit_id else {}),
                    **({"back_office": new.back_office} if new.back_office else {}),
                    **({"category": new.category} if new.category else {}),
                    **({"print_job": job} if job else {}),
                    **({"message": message, "send_by": values["send_by"].value} if message else {}),
                },
            )
        note = None
        if message is not None:
            note = f"the reference will be sent by {values['send_by']} (the device worker sends it)"
        elif kind is Kind.REFERRAL and job is None:
            note = slip_not_printed(followup.ref, at_a_desk=desk is not None)
        return Created(followup, job, note, message)

    def _back_office(self, office_id: str | None) -> BackOfficeConfig:
        offices = self.s.settings.followups.back_offices
        known = ", ".join(b.id for b in offices) or "none configured"
        if not office_id:
            raise InvalidInput(
                f"a referral needs its back office: {known}", cli_hint="--back-office"
            )
        office = self.s.settings.followups.back_office(office_id.strip().lower())
        if office is None:
            raise NotFound(f"unknown back office {shown(office_id)!r} (back offices: {known})")
        return office

    def _category(self, category_id: str | None) -> str:
        categories = self.s.settings.followups.categories
        known = ", ".join(c.id for c in categories)
        if not category_id:
            raise InvalidInput(f"give the category: {known}", cli_hint="--category")
        category = self.s.settings.followups.category(category_id.strip().lower())
        if category is None:
            raise NotFound(f"unknown category {shown(category_id)!r} (categories: {known})")
        return category.id

    def slip(self, f: Followup, site: Site) -> ReferralSlipPrintout:
        """The referral's slip in the office's languages, Welsh first."""
        words = referral_words(self.s, f)
        return referral_slip(
            words.wording,
            council=words.council,
            site=words.site,
            service=words.label or ("Your enquiry",),
            reference=f.ref,
            made=words.made,
            expect_by=f.due_day,
        )

    # Reading -------------------------------------------------------------------------------------

    def get(self, ref: str | int) -> Followup:
        key = fu.parse_ref(ref) if isinstance(ref, str) else ref
        if isinstance(key, str) and key.startswith("OTR-"):
            self._require(Action.VIEW_FEEDBACK)
        found = store.get_followup(self.s.store.conn, key)
        if found is None:
            raise NotFound(f"no follow-up {shown(str(ref))!r}")
        self._require(self._action_to_see(found.kind))
        return found

    def show(self, ref: str | int, *, contact: bool = False, where: str = "cli") -> Shown:
        """A follow-up, its attempts and (``contact``) the resident's details: a read of
        personal data, recorded (who read which fields, never what they say)."""
        f = self.get(ref)
        shown_ = Shown(f, store.attempts_of(self.s.store.conn, f.id))
        if contact:
            shown_.details = self.details(f, where)
        return shown_

    def details(self, f: Followup, where: str = "cli") -> Details:
        self._require(self._action_to_see(f.kind))
        with self.s.store.write() as conn:
            found = store.details_of(conn, f.id)
            fields = found.fields()
            if fields:
                self._event(
                    conn,
                    f,
                    EventKind.PERSONAL_DATA_VIEWED,
                    self.s.clock.now(),
                    {"fields": fields, "where": where},
                )
        return found

    def work_list(
        self,
        kinds: Iterable[Kind | str] = (),
        *,
        owner: str | None = None,
        site_id: str | None = None,
        closed_today: bool = False,
        all_sites: bool = False,
    ) -> list[Followup]:
        """Open follow-ups (and with ``closed_today`` those closed today), overdue first, then
        by due day. ``owner``: a staff id, ``me`` or ``none`` (not taken yet)."""
        wanted = [parse_choice(Kind, k, "kind") if isinstance(k, str) else k for k in kinds]
        if wanted:
            for kind in wanted:
                self._require(self._action_to_see(kind))
        else:
            wanted = self.visible_kinds()
            if not wanted:
                self._require(Action.WORK_FOLLOWUPS)  # says who may not, and why
        site = None if all_sites else self.site_for(site_id)
        today = self.today(site) if site else self.today()
        who = None if owner is None else owner.strip()
        unowned = who is not None and who.lower() == "none"
        if who is not None and who.lower() == "me":
            who = self.actor.person
        items = store.list_followups(
            self.s.store.conn,
            site_id=site.id if site else None,
            kinds=wanted,
            owner=None if unowned else who,
            unowned=unowned,
            closed_since=today.isoformat() if closed_today else None,
        )
        if who is not None and not unowned and not items:
            self._known_person(who)
        return fu.work_order(items, today)

    def _known_person(self, person: str) -> None:
        """An owner asked for who is on no staff list and has nothing: a typo ("nobody" for
        "none"), not a person with nothing to do (an empty list would say all is done)."""
        staff = [p.id for p in self.s.settings.staff]
        if person not in staff and person != self.actor.person:
            raise NotFound(f"unknown person {shown(person)!r} (a staff id, me, or none: not taken)")

    def attempts(self, f: Followup) -> list[fu.Attempt]:
        return store.attempts_of(self.s.store.conn, f.id)

    # Working on one ------------------------------------------------------------------------------

    def take(self, ref: str | int) -> Followup:
        """Make it the actor's: anyone on the desk can take a ring-back or referral (from
        whoever had it)."""
        first = self.get(ref)
        self._require_to_work(first)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            f = self._reread(conn, first)
            fu.check_take(f, self.actor.person)
            if not store.set_owner(conn, f.id, self.actor.person):
                raise RuleViolation(f"{f.ref} changed at another desk a moment ago: look again")
            self._event(
                conn, f, EventKind.FOLLOWUP_TAKEN, now, {"from": f.owner} if f.owner else {}
            )
        return self._reread(self.s.store.conn, f)

    def attempt(self, ref: str | int, result: AttemptResult | str) -> Followup:
        """A ring-back tried: when, by whom, and what happened."""
        outcome: AttemptResult = parse_choice(AttemptResult, result, "result")
        first = self.get(ref)
        self._require(Action.WORK_FOLLOWUPS)
        now = self.s.clock.now()
        site = self.s.site_ever(first.site_id)
        with self.s.store.write() as conn:
            f = self._reread(conn, first)
            fu.check_attempt(f)
            added = store.add_attempt(
                conn,
                f.id,
                at=format_instant(now),
                day=local(now, site.timezone).date().isoformat(),
                actor=self.actor.person,
                desk_id=self.actor.desk_id,
                result=outcome,
            )
            if not added:
                raise RuleViolation(f"{f.ref} changed at another desk a moment ago: look again")
            self._event(
                conn,
                f,
                EventKind.FOLLOWUP_ATTEMPTED,
                now,
                {"result": outcome.value, "attempt": f.attempts + 1},
            )
        return self._reread(self.s.store.conn, f)

    def done(self, ref: str | int, *, unreachable: bool = False) -> Followup:
        """A ring-back that reached the resident (or ``unreachable``: could not), a referral
        the back office finished."""
        first = self.get(ref)
        self._require(Action.WORK_FOLLOWUPS)
        status = Status.UNREACHABLE if unreachable else Status.DONE
        return self._close(first, status, EventKind.FOLLOWUP_DONE, unreachable=unreachable)

    def unreached_early(self, ref: str | int) -> tuple[Followup, UnreachedEarly | None]:
        """``ref``, and the question to ask before closing it as not reached while its deadline
        has not passed (None: nothing to ask). One that cannot be closed so (no try yet, the
        last try reached them) is refused now, in the words closing it would be, before anyone
        is asked."""
        f = self.get(ref)
        self._require(Action.WORK_FOLLOWUPS)
        tries = store.attempts_of(self.s.store.conn, f.id)
        fu.check_done(f, unreachable=True, last_try=tries[-1].result if tries else None)
        return f, unreached_early(f, self.today(self.s.site_ever(f.site_id)))

    def acknowledge(self, ref: str | int) -> Followup:
        """A referral the back office confirmed it received; a record acknowledged to the
        resident. Twice is refused, and nothing changes."""
        if isinstance(ref, str) and str(fu.parse_ref(ref)).startswith("OTR-"):
            self._require(Action.ANSWER_FEEDBACK)
        first = self.get(ref)
        self._require_to_work(first)
        now = self.s.clock.now()
        site = self.s.site_ever(first.site_id)
        status = Status.RECEIVED if first.kind is Kind.REFERRAL else Status.ACKNOWLEDGED
        with self.s.store.write() as conn:
            f = self._reread(conn, first)
            fu.check_acknowledge(f, self.s.name_of)
            day = local(now, site.timezone).date()
            if not store.acknowledge(conn, f.id, self._change(status, now, day)):
                raise RuleViolation(f"{f.ref} changed at another desk a moment ago: look again")
            data: dict[str, Any] = {"status": status.value}
            if f.ack_due_day is not None:
                data["in_time"] = day <= f.ack_due_day
            self._event(conn, f, EventKind.FOLLOWUP_ACKNOWLEDGED, now, data)
        return self._reread(self.s.store.conn, f)

    def respond(
        self,
        ref: str | int,
        *,
        finding: Finding | str | None = None,
        action_taken: bool | str | None = None,
        action: str | None = None,
        officer: str | None = None,
    ) -> Followup:
        """The full answer to a comment, compliment or complaint (a complaint's outcome and
        whether action was taken as a result; the officer who answered when not the actor)."""
        self._require(Action.ANSWER_FEEDBACK)
        first = self.get(ref)
        found: Finding | None = parse_choice(Finding, finding, "outcome")
        taken = parse_yes_no(action_taken, "action taken")
        text = fu.clean_text(action, "the action taken", ACTION_LIMIT)
        if text is not None and taken is None:
            taken = True
        if text is not None and taken is False:
            raise InvalidInput("an action is described but action taken is 'no'")
        named = fu.clean_text(officer, "the officer", OFFICER_LIMIT)
        if named is not None:
            person = self.s.directory.staff.get(named)
            named = person.name if person is not None else person_name(named, "the officer")
        answer = fu.Answer(finding=found, action_taken=taken, action_text=text, officer=named)
        fu.check_respond(first, answer)
        return self._close(first, Status.DONE, EventKind.FOLLOWUP_RESPONDED, answer=answer)

    def _close(
        self,
        first: Followup,
        status: Status,
        event: EventKind,
        *,
        unreachable: bool = False,
        answer: fu.Answer | None = None,
    ) -> Followup:
        """Done or unreachable (``unreachable``), or answered (``answer``)."""
        now = self.s.clock.now()
        site = self.s.site_ever(first.site_id)
        day = local(now, site.timezone).date()
        with self.s.store.write() as conn:
            f = self._reread(conn, first)
            if answer is not None:
                fu.check_respond(f, answer)
            else:
                tries = store.attempts_of(conn, f.id) if unreachable else []
                last = tries[-1].result if tries else None
                fu.check_done(f, unreachable=unreachable, last_try=last)
            if not store.close(conn, f.id, self._change(status, now, day), answer):
                raise RuleViolation(f"{f.ref} changed at another desk a moment ago: look again")
            data: dict[str, Any] = {"status": status.value, "in_time": day <= f.due_day}
            if answer is not None:
                if answer.action_text is not None:
                    store.set_action_text(conn, f.id, answer.action_text)
                if answer.finding is not None:
                    data["finding"] = answer.finding.value
                if answer.action_taken is not None:
                    data["action_taken"] = answer.action_taken
                if answer.officer is not None:
                    data["officer_named"] = True
            self._event(conn, f, event, now, data)
        return self._reread(self.s.store.conn, f)

    def _change(self, status: Status, now: datetime, day: date) -> store.Change:
        """``status`` given by the actor at ``now`` (``day``: the site's)."""
        return store.Change(status, format_instant(now), day.isoformat(), self.actor.person)

    def _reread(self, conn: sqlite3.Connection, f: Followup) -> Followup:
        found = store.get_followup(conn, f.id)
        if found is None:  # pragma: no cover - rows are never deleted
            raise NotFound(f"no follow-up {f.ref}")
        return found

    def _event(
        self,
        conn: sqlite3.Connection,
        f: Followup,
        kind: EventKind,
        now: datetime,
        data: dict[str, Any],
    ) -> None:
        site = self.s.site_ever(f.site_id)
        record_event(
            conn,
            site,
            now,
            kind,
            self.actor,
            service_code=f.service,
            data={"followup": f.id, "ref": f.ref, "followup_kind": f.kind.value, **data},
        )
