"""What residents read, in the office's languages: Welsh first where the office is bilingual.

Every fixed text a resident sees (tickets, slips, the board, the waiting-room screen, the phone
page, texts and reminders) has a key. ``ENGLISH`` below is the English wording; the Welsh lives
in ``oss_desk/data/texts/cy.toml``; a council corrects either with its own file
(``texts.welsh_file``, ``texts.english_file``), key by key. The services load the files and
give a :class:`Wording` to whatever lays the text out. Pure: no I/O here.

An office is bilingual (``cy+en``) when its ``language`` says so, or by default when it is in
Wales (Welsh Language Standards: Welsh first, not treated less favourably). A key missing from
the Welsh catalogue is said in English only, never twice.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Any

from oss_desk.domain.waits import ahead_key
from oss_desk.domain.welsh import shaped, spec_problem

ENGLISH: dict[str, str] = {
    # Tickets
    "ticket.issued": "Issued {time}",
    "ticket.nobody_ahead": "Nobody ahead of you",
    "ticket.one_ahead": "1 person ahead of you",
    "ticket.many_ahead": "{n} people ahead of you",
    "ticket.soon": "You will be called soon",
    "ticket.wait": "Wait about {minutes} minutes",
    "ticket.watch": "Please watch the board for your number.",
    "ticket.collected": "A member of staff will come to you.",
    "ticket.privacy": "This ticket carries no personal details.",
    "ticket.phone": "Scan to see your place on your phone",
    # Appointment slips
    "slip.title": "Your appointment",
    "slip.at": "at {time}",
    "slip.bring": "Please bring:",
    "slip.reference": "Booking reference",
    "date": "{weekday} {day} {month} {year}",
    "weekdays": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    "months": (
        "January,February,March,April,May,June,July,August,September,October,November,December"
    ),
    # The display board and the waiting-room screen
    "board.take_ticket": "Please take a ticket",
    "board.closed": "Office closed",
    "board.opens": "Opens at {time}",
    "screen.now": "Now calling",
    "screen.previous": "Previous calls",
    "screen.waiting": "Waiting",
    "screen.nobody": "Nobody is waiting",
    "screen.offline": "Reconnecting...",
    "speech.call": "Ticket {code}, {desk}",
    # The phone page
    "phone.title": "Your place in the queue",
    "phone.ticket": "Ticket {code}",
    "phone.called": "Please go to {desk} now",
    "phone.done": "This ticket is no longer waiting",
    "phone.expired": "This link is for another day or has ended",
    "phone.updated": "Updated {time}",
    # The counter's feedback page
    "feedback.title": "How was your visit today?",
    "feedback.rate": "Tap a number: 1 is very poor, 5 is very good.",
    "feedback.comment": (
        "Anything else to tell us? (Optional. Please do not write your name or contact details.)"
    ),
    "feedback.no_thanks": "No thanks",
    "feedback.thanks": "Thank you for telling us.",
    "feedback.waiting": "Thank you for visiting us today.",
    "feedback.already": "This visit has been rated already. Thank you.",
    "feedback.expired": "This page has ended.",
    "feedback.thank_you": "Thank you",
    "feedback.none": "There is no visit to rate at this desk just now.",
    "feedback.too_late": "This visit can no longer be rated here.",
    "feedback.not_found_title": "Not found",
    "feedback.not_found": "This feedback page is not set up.",
    "feedback.not_accepted_title": "Not accepted",
    "feedback.not_accepted": "This form is accepted from this page only.",
    "feedback.try_again_title": "Please try again",
    "feedback.try_again": (
        "Your answer was not recorded. Choose a rating from 1 to 5, or that you would rather "
        "not say."
    ),
    "feedback.fault_title": "Please try again",
    "feedback.fault": "Your answer could not be recorded just now. Please try again in a moment.",
    # The rating buttons (the counter's feedback page and the follow-up text's answer page)
    "rating.5": "Very good",
    "rating.4": "Good",
    "rating.3": "OK",
    "rating.2": "Poor",
    "rating.1": "Very poor",
    "rating.declined": "I would rather not say",
    # Appointment messages (emails and texts)
    "message.confirmation": "Your appointment is booked",
    "message.reminder": "Reminder of your appointment",
    "message.change": "Your appointment has changed",
    "message.cancellation": "Your appointment is cancelled",
    "message.subject": "{heading}: {day} at {time}",
    "message.cancelled": "Your {label} appointment on {day} at {time} is cancelled.",
    "message.rebook": "If you still need help, please contact us to book another time.",
    "message.cancelled_council": (
        "We are sorry: we have had to cancel your {label} appointment on {day} at {time}."
    ),
    "message.change_line": (
        "To change or cancel, contact the council and quote your booking reference."
    ),
    "message.what": "What:   {label} appointment",
    "message.when": "When:   {day} at {time}",
    "message.was": "Was:    {day} at {time}",
    "message.where": "Where:  {place}",
    "message.reference": "Booking reference: {ref}",
    "message.scan": "Show this code at the desk when you arrive.",
    "message.summary": "{council}: {label} appointment",
    "sms.booked": "{label}, {day} at {time}, {place}.",
    "sms.cancelled": "{label}, {day} at {time} is cancelled.",
    "sms.cancelled_council": "Sorry, we have had to cancel {label}, {day} at {time}.",
    "sms.was": "Was {day} at {time}.",
    "sms.bring": "Bring: {items}.",
    "sms.bring_see": "See your email or slip for what to bring.",
    "sms.reference": "Ref {ref}.",
    # A referral to a back office: its slip, email and text
    "referral.title": "Your referral",
    "referral.any": "general",
    "referral.passed": "Passed to the team on {day}",
    "referral.at": "at {office}",
    "referral.expect": "Expect an answer by",
    "referral.quote": "Please quote",
    "referral.closing": "You do not need to do anything else: the team will be in touch.",
    "referral.privacy": "This slip carries no personal details.",
    "referral.subject": "{heading}: please quote {ref}",
    "referral.sent": "We passed your {label} enquiry to the team on {day}.",
    "referral.answer_by": "Expect an answer by {day}.",
    "referral.reference": "Please quote your reference: {ref}",
    "referral.text": (
        "{heading}: {label}, passed to the team on {day}. Expect an answer by {expect}. "
        "Please quote {ref}."
    ),
    # Texts to residents' phones
    "text.code_held": "{code} (your ticket {held})",
    "text.code_given": "{code} (you were given {held})",
    "text.nearly": "{code}: it is nearly your turn. Please come back to the waiting area.",
    "text.called": "{code}: please go to {desk} now.",
    "text.closed": (
        "{code}: sorry, the office has closed for today and your ticket has ended. "
        "Please come back another day."
    ),
    # The follow-up text asking how a visit went, and the page its link opens
    "text.feedback": "How did we do at {office} today? Please tell us, from 1 to 5:",
    "text.feedback_yesterday": (
        "How did we do at {office} yesterday? Please tell us, from 1 to 5:"
    ),
    "text.feedback_on": "How did we do at {office} on {day}? Please tell us, from 1 to 5:",
    "answer.title": "How was your visit?",
    "answer.comment": "Anything to add? (optional; please do not write your name)",
    "answer.thanks": "Thank you for telling us.",
    "answer.already": "This visit has been rated already.",
    "answer.expired": "This link has expired or is not valid.",
}
"""The English wording (the key set every catalogue is checked against)."""


def rating_word(rating: int) -> str:
    """What a rating of 1 to 5 means, in English ("Very poor" to "Very good"): the residents'
    rating buttons and the desk's rating keys say the same."""
    return ENGLISH[f"rating.{rating}"]


LANGUAGES = ("en", "cy+en")


class Untranslated(str):
    """A configured name with no Welsh form, said as it is in the Welsh half too: Welsh
    grammar (``{desk:soft}``) never changes it ("i Desk 2", not "i Ddesk 2")."""

    __slots__ = ()


class _Formatter(string.Formatter):
    """``str.format``, plus the Welsh specs of :mod:`oss_desk.domain.welsh` on names."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec and spec_problem(format_spec) is None:
            return shaped(str(value), format_spec, welsh=not isinstance(value, Untranslated))
        return super().format_field(value, format_spec)


_FORMAT = _Formatter()


def fill(text: str, values: Mapping[str, object]) -> str:
    """A template with its values (a Welsh name mutated where the template asks)."""
    return _FORMAT.vformat(text, (), values)


def languages_for(language: str | None, nation: str) -> tuple[str, ...]:
    """``("cy", "en")`` for a bilingual office (Welsh first), else ``("en",)``."""
    chosen = language or ("cy+en" if nation == "WLS" else "en")
    return ("cy", "en") if chosen == "cy+en" else ("en",)


@dataclass(frozen=True, slots=True)
class Wording:
    """The office's catalogues, in the order its languages are shown."""

    languages: tuple[str, ...] = ("en",)
    catalogs: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: {"en": ENGLISH})

    @property
    def bilingual(self) -> bool:
        return len(self.languages) > 1

    def template(self, language: str, key: str) -> str | None:
        text = self.catalogs.get(language, {}).get(key)
        if text is None and language == "en":
            return ENGLISH[key]
        return text

    def one(self, language: str, key: str, **values: object) -> str:
        """``key`` in ``language`` (English where the catalogue lacks it)."""
        text = self.template(language, key) or self.template("en", key) or ""
        return fill(text, values)

    def say(self, key: str, **values: object) -> tuple[str, ...]:
        """``key`` in each language, Welsh first; a language lacking it (or saying exactly
        what another does) is left out, so nothing is said twice."""
        said: list[str] = []
        for language in self.languages:
            text = self.template(language, key)
            if text is None:
                continue
            line = fill(text, values)
            if line not in said:
                said.append(line)
        return tuple(said) or (fill(ENGLISH[key], values),)

    def go_to(self, desks: Sequence[str]) -> list[str]:
        """ "Please go to Desk 1 now", in each language with the desk's name in it (``desks``:
        its public names, in the office's languages' order): what the phone page says of a
        called ticket, and a ticket printed after it was called. Nothing said twice."""
        said: list[str] = []
        for n, language in enumerate(self.languages):
            line = self.one(language, "phone.called", desk=desks[min(n, len(desks) - 1)])
            if line not in said:
                said.append(line)
        return said

    def names(self, english: str, welsh: str | None) -> tuple[str, ...]:
        """A configured name and its Welsh form (when the office is bilingual and has one)."""
        if self.bilingual and welsh and welsh != english:
            return (welsh, english) if self.languages[0] == "cy" else (english, welsh)
        return (Untranslated(english),) if self.bilingual else (english,)

    def configured(self, key: str, english: str, welsh: str | None) -> tuple[str, ...]:
        """A wording the council may set in its configuration (``english``, ``welsh``), whose
        default is oss-desk's own ``key``: while the default is in force (no Welsh set), it is
        said in every language, as oss-desk's own wording is; else as the council set it."""
        if english == ENGLISH[key] and not welsh:
            return self.say(key)
        return self.names(english, welsh)

    def date(self, language: str, day: Date) -> str:
        """``Monday 30 November 2026`` / ``Dydd Llun 30 Tachwedd 2026``."""
        weekdays = self.one(language, "weekdays").split(",")
        months = self.one(language, "months").split(",")
        return self.one(
            language,
            "date",
            weekday=weekdays[day.weekday()].strip(),
            day=day.day,
            month=months[day.month - 1].strip(),
            year=day.year,
        )

    def dates(self, day: Date) -> tuple[str, ...]:
        said: list[str] = []
        for language in self.languages:
            line = self.date(language, day)
            if line not in said:
                said.append(line)
        return tuple(said)

    def ahead(self, n: int) -> tuple[str, ...]:
        """The people ahead, as the paper ticket and the phone page say it (staff say the same
        count: :func:`oss_desk.domain.waits.ahead_said`)."""
        return self.say(ahead_key(n), n=n)

    def wait(self, ahead: int | None, minutes: int | None) -> list[str]:
        """The ticket's place and wait, each line in every language before the next line."""
        if ahead is None:
            return []
        lines = list(self.ahead(ahead))
        if minutes is None:
            return lines
        if minutes <= 1:
            return [*lines, *self.say("ticket.soon")]
        return [*lines, *self.say("ticket.wait", minutes=minutes)]


def check_catalog(catalog: Mapping[str, str], source: str) -> list[str]:
    """Problems with a catalogue a council wrote: unknown keys, placeholders that differ from
    the English (a typo there would fail at print time)."""
    problems = []
    for key, text in catalog.items():
        if key not in ENGLISH:
            problems.append(f"{source}: unknown text {key!r}")
            continue
        wanted = {name for _, name, _, _ in string.Formatter().parse(ENGLISH[key]) if name}
        try:
            parsed = [(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name]
        except ValueError:
            problems.append(f"{source}: {key}: unbalanced braces")
            continue
        found = {name for name, _ in parsed}
        problems += [
            f"{source}: {key}: {{{name}:{spec}}}: {problem}"
            for name, spec in parsed
            if spec and (problem := spec_problem(spec))
        ]
        if found - wanted:
            problems.append(
                f"{source}: {key}: unknown placeholder {{{sorted(found - wanted)[0]}}} "
                f"(it may use {', '.join('{' + w + '}' for w in sorted(wanted)) or 'none'})"
            )
    return problems
