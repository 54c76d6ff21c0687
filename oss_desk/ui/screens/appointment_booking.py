"""Book, move or rebook an appointment: the booking form, which makes the booking itself (a
refusal, such as a slot taken a moment ago, shows inside the form and nothing typed is lost)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

from oss_desk.domain.appointments import Appointment, AppointmentStatus
from oss_desk.domain.channels import BookingChannels
from oss_desk.domain.models import Ticket
from oss_desk.domain.slots import Slot
from oss_desk.errors import RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import Session
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.appointments import BookingDialog, BookingForm
from oss_desk.ui.screens.appointment_view import describe_slot, when_text
from oss_desk.ui.screens.base import DeskScreen

R = TypeVar("R")


WHO_ASKED = (
    ("r", "r  The resident asked", "resident"),
    ("c", "c  The council (we cannot see them)", "council"),
)
"""Who asked for a cancellation or a move: the council's notice standard binds only the council
(``domain.appointments.notice_breach``)."""


async def who_asked(screen: DeskScreen, title: str, back: str) -> str | None:
    """Ask who asked for a change: ``resident`` or ``council``; None after Esc (``back``: what
    Esc does)."""
    key = await screen.app.push_screen_wait(
        ChoiceDialog(
            title,
            [(k, label) for k, label, _ in WHO_ASKED],
            f"r or c · Esc: {back}",
            meaning="Who asked for the change: r, the resident; c, the council (we cannot see "
            "them). Only the council's changes count against its notice standard (with under a "
            "working day's notice, a cancellation needs a reason).",
        )
    )
    return next((party for k, _, party in WHO_ASKED if k == key), None)


def bookable(screen: DeskScreen) -> list[tuple[str, str]]:
    """The services that take appointments: (code, name)."""
    return [(c, s.name) for c, s in screen.desk.names.services.items() if s.appointment_minutes]


class Booking:
    """What the booking form asks of the database, as the screen's person at its desk."""

    def __init__(self, screen: DeskScreen) -> None:
        self.screen = screen
        self.desk = screen.desk
        self.actor = screen.acting_as()
        self.desk_id = screen.current_desk()
        self.dialog = partial(
            BookingDialog,
            services=bookable(screen),
            find_slots=self.slots,
            describe=self.describe,
        )
        """The booking form on the services that take appointments, their free slots and the
        words for one (the caller gives the title, the day, what Ctrl+S does and the rest)."""

    async def call(self, fn: Callable[[Session], R]) -> R | str:
        """Run on the database thread; a refusal comes back as its message (shown inline)."""
        result = await self.desk.act(fn, quiet=True)
        return result.value if isinstance(result, Ok) else result.message

    async def slots(self, service: str, day: date, adviser: str | None = None) -> list[Slot] | str:
        actor = self.actor

        def find(session: Session) -> list[Slot]:
            svc = AppointmentService(session, actor)
            found = svc.slots(service, day, 1, adviser=adviser)
            closed = None if found else svc.closed_said(day)
            if closed:  # said, not just "no free slots"
                raise RuleViolation(f"{closed}; try another date")
            return found

        return await self.call(find)

    async def first_day(self, service: str) -> date:
        """Where the form opens: the first day with a free slot (today when there is none)."""
        actor, today = self.actor, self.desk.names.today()

        def first(session: Session) -> date:
            return AppointmentService(session, actor).first_free_day(service, today) or today

        found = await self.call(first)
        return found if isinstance(found, date) else today

    async def channels(self) -> BookingChannels | None:
        """What can confirm a booking made here (None: could not be read; the booking says)."""
        actor, desk_id = self.actor, self.desk_id

        def read(session: Session) -> BookingChannels:
            return AppointmentService(session, actor).channels(desk_id)

        found = await self.call(read)
        return found if isinstance(found, BookingChannels) else None

    def describe(self, slot: Slot) -> str:
        return describe_slot(self.desk.names, slot)

    async def book(self, form: BookingForm, visit: int | None = None) -> Appointment | str:
        """Book from the form (``visit``: the visit at this desk that arranged it)."""
        actor, desk_id = self.actor, self.desk_id

        def book(session: Session) -> Appointment:
            return AppointmentService(session, actor).book(
                form.service,
                form.slot.start,
                channel=form.chosen_channel(),
                name=form.name or None,
                email=form.email or None,
                phone=form.phone or None,
                adviser=form.slot.adviser,
                needs=form.needs or None,
                desk_id=desk_id,
                arranged_in_visit=visit,
                feedback_text=form.feedback_text,
            )

        return await self.call(book)

    async def move(
        self, appt: Appointment, form: BookingForm, *, rebook: bool, by: str = "resident"
    ) -> Appointment | str:
        """Move ``appt`` to the chosen slot, as ``by`` asked (``rebook``: a new booking for
        someone who came without the documents; one already seen was asked about first)."""
        actor, desk_id = self.actor, self.desk_id

        def change(session: Session) -> Appointment:
            svc = AppointmentService(session, actor)
            if rebook:
                slot, asked = form.slot, appt.status is AppointmentStatus.ATTENDED
                return svc.rebook(
                    appt.id,
                    slot.start,
                    adviser=slot.adviser,
                    desk_id=desk_id,
                    seen_incomplete=asked,
                )
            return svc.move(appt.id, form.slot.start, adviser=form.slot.adviser, by=by)

        return await self.call(change)


async def book(screen: DeskScreen, day: date, preferred: Slot | None) -> Appointment | None:
    """The form for a new booking (``preferred``: the free slot highlighted on the grid)."""
    booking = Booking(screen)
    channels = await booking.channels()
    return await screen.app.push_screen_wait(
        booking.dialog(
            "Book an appointment",
            channels=channels,
            day=day,
            submit=booking.book,
            preferred=preferred,
        )
    )


async def reschedule(
    screen: DeskScreen, appt: Appointment, day: date, *, rebook: bool
) -> Appointment | None:
    """The form to move a booking, or rebook someone who came without the documents. A move is
    made only once the desk says who asked for it (Esc there: back to the form, nothing moved)."""
    booking = Booking(screen)
    now = when_text(screen.desk.names, appt)

    async def submit(form: BookingForm) -> Appointment | str | None:
        if rebook:
            return await booking.move(appt, form, rebook=True)
        by = await who_asked(
            screen,
            f"Move {appt.ref} to {booking.describe(form.slot)}\n(now {now}): who asked for it?",
            "back to the slots (nothing moved)",
        )
        if by is None:
            return None
        return await booking.move(appt, form, rebook=False, by=by)

    title = (
        f"Rebook {appt.ref} (came without the documents)"
        if rebook
        else f"Move {appt.ref} (now {now})"
    )
    return await screen.app.push_screen_wait(
        booking.dialog(
            title,
            day=day,
            submit=submit,
            service=appt.service,
            with_contact=False,
            fixed_service=True,
            doing="rebook" if rebook else "move it there",
        )
    )


async def book_next_step(screen: DeskScreen, ticket: Ticket, service: str) -> Appointment | None:
    """The visit at this desk needs an appointment: the booking form for this resident (their
    needs filled in) and service, linked to the visit (counted as an appointment arranged)."""
    booking = Booking(screen)

    async def submit(form: BookingForm) -> Appointment | str:
        return await booking.book(form, visit=ticket.visit_id)

    names = screen.desk.names
    day = await booking.first_day(service)
    channels = await booking.channels()
    return await screen.app.push_screen_wait(
        booking.dialog(
            f"{ticket.code} needs an appointment: {names.service(service)}",
            channels=channels,
            day=day,
            submit=submit,
            service=service,
            fixed_service=True,
            needs=",".join(ticket.needs),
        )
    )
