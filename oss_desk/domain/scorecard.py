"""The council's scorecard: every standard a report rates, its label, and the definition printed
under its figure on every report (text, HTML, paper, JSON).

The figures come from a tally (:mod:`oss_desk.domain.tally`) through
:mod:`oss_desk.domain.report_figures`; this module says which standards there are, in which
order, and what each figure means, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oss_desk.domain.followup_standards import (
    COMPLAINTS_ACKNOWLEDGED,
    COMPLAINTS_ANSWERED,
    JUSTIFIED_ABOUT_STAFF,
    REFERRALS_IN_SLA,
    RINGBACKS_IN_TIME,
    UNEQUAL_SERVICE,
)
from oss_desk.domain.standards import (
    APPOINTMENTS_KEPT,
    COUNCIL_NOTICE,
    FIRST_CONTACT,
    PUNCTUALITY,
    REPEAT_CONTACT,
    SATISFIED,
    SEEN_WITHIN_TARGET,
    Measure,
    Standard,
    call_measure,
)

DEFAULT_CALL_TARGETS = ((20, 80), (45, 90))
"""Telephone calls answered within 20 seconds: 80%; within 45 seconds: 90%."""


@dataclass(frozen=True, slots=True)
class ReportRules:
    """The settings the figures are counted and rated with (from the configuration)."""

    target_minutes: int = 15
    """``queue.target_minutes``."""
    punctual_minutes: int = 5
    """``reports.punctual_minutes``."""
    amber_points: float = 10
    """``reports.amber_points``."""
    notice_days: int = 1
    """``appointments.min_notice_working_days``."""
    call_targets: tuple[tuple[int, int], ...] = DEFAULT_CALL_TARGETS
    """``calls.answer_within``: (seconds, target %), shortest first."""
    organisations: Mapping[str, str] | None = None
    """``signposting.organisations``: id -> name (listed even when nobody was sent there)."""

    @property
    def target_ms(self) -> int:
        return self.target_minutes * 60_000

    @property
    def punctual_ms(self) -> int:
        return self.punctual_minutes * 60_000

    @property
    def call_limits(self) -> tuple[int, ...]:
        return tuple(seconds for seconds, _ in self.call_targets)

    # The standards, their labels and definitions ---------------------------------------------

    def measures(self, *, appointments: bool, calls: bool) -> tuple[tuple[Measure, str], ...]:
        """The standards a report rates, in order, with their labels: a day has the visit
        standards; a month or longer adds the appointment and telephone standards."""
        notice = "day's" if self.notice_days == 1 else "days'"
        found: list[tuple[Measure, str]] = [
            (SEEN_WITHIN_TARGET, f"Seen within {self.target_minutes} minutes of arriving"),
            (FIRST_CONTACT, "Resolved at the first point of contact"),
            (
                PUNCTUALITY,
                f"Appointments seen within {self.punctual_minutes} minutes of the booked time",
            ),
            (SATISFIED, "Customers satisfied (4 or 5 out of 5)"),
        ]
        if appointments:
            found += [
                (APPOINTMENTS_KEPT, "Appointments kept (checked in)"),
                (
                    COUNCIL_NOTICE,
                    f"Council cancellations and moves with {self.notice_days} working {notice}"
                    " notice",
                ),
            ]
        if calls:
            found += [
                (call_measure(seconds, goal), f"Telephone calls answered within {seconds} seconds")
                for seconds, goal in self.call_targets
            ]
        return tuple(found)

    def definition(self, key: str) -> str:
        """What the figure of standard ``key`` counts, in words."""
        t, p, n = self.target_minutes, self.punctual_minutes, self.notice_days
        if key.startswith("calls_within_"):
            seconds = key.removeprefix("calls_within_").removesuffix("s")
            return (
                f"Of all calls offered (answered or abandoned), the share answered after no more"
                f" than {seconds} seconds in the queue (exactly {seconds} counts)."
            )
        return {
            SEEN_WITHIN_TARGET.key: (
                f"Of the visitors counted, the share seen within {t} minutes of their clock"
                f" starting (exactly {t}:00 counts). The clock starts when meet-and-greet records"
                " the visitor; for an appointment, at the later of check-in and the booked time."
                " Counted: every visitor seen; every visitor who left unseen, or was not there"
                f" when called, after waiting longer than {t} minutes (a miss); every visitor"
                " still waiting when the office closed (a miss). Walk-outs who left sooner are"
                " on their own line and counted neither way; tickets issued in error are no"
                " visitors."
            ),
            FIRST_CONTACT.key: (
                "Of the visits finished with an outcome, the share resolved or signposted (dealt"
                " with at the first point of contact). No-shows, walk-outs and visits still open"
                " are not counted."
            ),
            PUNCTUALITY.key: (
                "Of the appointment holders seen who had checked in by their booked time, the"
                f" share called no later than {p} minutes after it. Late check-ins are counted"
                " on their own line."
            ),
            SATISFIED.key: (
                "Of the residents who rated their visit from 1 to 5 (asked at the desk after"
                " it, or on the counter's feedback page), the share who gave 4 or 5. Those who"
                " declined to say are not counted."
            ),
            APPOINTMENTS_KEPT.key: (
                "Of the appointments checked in or marked no-show in the period, the share"
                " checked in."
            ),
            COUNCIL_NOTICE.key: (
                "Of the appointments the council cancelled or moved to another time, the share"
                f" with at least {n} working {_notice(n)} (bank holidays"
                " of the office's nation and local closures are not working days)."
            ),
        }.get(key, "")

    def rate(
        self, values: Mapping[str, float | None], *, appointments: bool, calls: bool
    ) -> tuple[Standard, ...]:
        """Each standard rated on its figure in ``values`` (by key; missing: no figure)."""
        return tuple(
            measure.rate(
                label, values.get(measure.key), self.amber_points, self.definition(measure.key)
            )
            for measure, label in self.measures(appointments=appointments, calls=calls)
        )


def _notice(days: int) -> str:
    return "day's notice" if days == 1 else "days' notice"


FIGURE_DEFINITIONS = {
    "seen": "Called to a desk and came, or dealt with at meet-and-greet.",
    "walked_out_after_target": (
        "Left unseen (cancelled as left, or not there when called) after waiting longer than"
        " the target: misses."
    ),
    "left_before_target": (
        "Left unseen within the target: on their own line, counted neither way."
    ),
    "closed_unseen": (
        "Still waiting (or called and not come) when the office closed: closed as"
        " 'office closed' on the day they arrived, and misses."
    ),
    "wait": (
        "From the clock's start to first contact, over the visitors seen; the 90th percentile"
        " is the nearest-rank value."
    ),
    "repeat_contact": (
        "Came back about the same matter: ticked at meet-and-greet, plus appointments ended"
        " without the documents."
    ),
    "assisted_digital": "Helped to use the council's website.",
    "avoidable": "Could have been done online (avoidable contact).",
    "urgent": "Urgent or vulnerable: moved ahead of the other walk-ins at meet-and-greet.",
    "signposted_to": (
        "Signposted visits: the visits finished signposted (the outcome), then where the"
        " resident was sent (destination not recorded: finished signposted without saying"
        " where). A visit finished otherwise (a service of it referred, say) is not among"
        " them, even when another of its services was signposted."
    ),
    "no_shows": (
        "Called, not there (no-shows): tickets called to a desk whose resident did not come"
        " (not the appointments missed, counted under Appointments)."
    ),
    "appointments": (
        "Bookings made: every appointment booked on a day of the period, whenever it falls and"
        " however it was made (by telephone, at meet-and-greet, or by an adviser during a"
        " visit). Of them, booked during a visit: those an adviser booked while the resident"
        " was at the desk, whatever the visit's outcome. Needs an appointment (an outcome):"
        " the visits finished that way, booked there or not. Checked in and missed: the"
        " appointments of the period's days, checked in when the resident came, or marked as"
        " a no-show."
    ),
    "service_time": (
        "Service time: from the call to the finish of each ticket finished at the desk (or by"
        " the adviser); the median is the middle one."
    ),
    "calls_abandoned": "Abandoned calls, of all calls offered.",
    "calls_wait": (
        "Average wait: the mean queue time of the answered calls. Average talk: the mean talk"
        " time of the answered calls that have one."
    ),
}
"""The other figures' definitions (printed under them on every report)."""


def short_label(key: str, target_minutes: int, label: str = "") -> str:
    """A standard's name where room is short (the desk's reports screen, the printed summary),
    by its key; ``label`` (its full name) for a standard without a short one."""
    return {
        SEEN_WITHIN_TARGET.key: f"Seen within {target_minutes} min",
        FIRST_CONTACT.key: "First contact",
        PUNCTUALITY.key: "Appointments on time",
        SATISFIED.key: "Satisfied (4 or 5 of 5)",
        APPOINTMENTS_KEPT.key: "Appointments kept",
        COUNCIL_NOTICE.key: "Council notice",
        REPEAT_CONTACT.key: "Repeat contact",
        RINGBACKS_IN_TIME.key: "Ring-backs returned in time",
        REFERRALS_IN_SLA.key: "Referrals within SLA",
        COMPLAINTS_ACKNOWLEDGED.key: "Complaints acknowledged in time",
        COMPLAINTS_ANSWERED.key: "Complaints answered in time",
        JUSTIFIED_ABOUT_STAFF.key: "Justified about staff (under 2%)",
        UNEQUAL_SERVICE.key: "Unequal or impolite (under 2%)",
    }.get(key, label)
