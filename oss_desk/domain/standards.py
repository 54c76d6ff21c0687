"""The council's service standards: what each report rates, against which target, by which rule.

Two rules behind the figures are written here once and asked by everything else:

- **The wait rule**: a visitor is seen within the target (``queue.target_minutes``, 15 by
  default) when the first contact (the first call to a desk, or the resolution at
  meet-and-greet) comes no later than the target after arrival: exactly 15:00 counts as within.
  The live queue's "over the target" is the same rule from the other side.
- **First contact**: which outcomes count as resolved at the first point of contact is
  :attr:`oss_desk.domain.models.Outcome.first_contact` (:data:`FIRST_CONTACT_OUTCOMES`).

The SQL that applies them over the event log is in :mod:`oss_desk.storage.reports` (once, for
the reports and the daily rollup alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oss_desk.domain.followup_figures import FollowupFigures
from oss_desk.domain.models import Outcome
from oss_desk.domain.stats import STATUS_WORDS, rag_status

FIRST_CONTACT_OUTCOMES = tuple(o.value for o in Outcome if o.first_contact)
"""The outcomes that count as resolved at the first point of contact, in the outcomes' order."""


def is_first_contact(outcome: str | None) -> bool:
    """Whether a visit finished with ``outcome`` was resolved at the first point of contact."""
    return outcome in FIRST_CONTACT_OUTCOMES


def within_target(wait_ms: int, target_ms: int) -> bool:
    """The wait rule: arrival to first contact within the target (the target itself counts)."""
    return wait_ms <= target_ms


def over_target(wait_seconds: int, target_seconds: int) -> bool:
    """A visitor still waiting past the target (the live queue's warning)."""
    return not within_target(wait_seconds * 1000, target_seconds * 1000)


class Rule(StrEnum):
    """How a figure meets its target."""

    OVER = "over"
    """More than the target (the target itself is not met)."""
    AT_LEAST = "at_least"
    MONITORED = "monitored"
    """No target: the figure is watched, not rated."""


class Status(StrEnum):
    """A standard's rating: met (green), near (amber: below the target by no more than
    ``reports.amber_points``), missed (red), or none (no figure, or only monitored)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"

    @property
    def word(self) -> str:
        """The one word for the status in every report, on the desk and on paper."""
        return STATUS_WORDS[self.value]


@dataclass(frozen=True, slots=True)
class Standard:
    """A standard as a report shows it: its figure, target, rule and rating."""

    key: str
    label: str
    value: float | None
    target: int | None
    rule: Rule
    status: Status


@dataclass(frozen=True, slots=True)
class Measure:
    """One of the council's standards: its key in the reports, its target and its rule."""

    key: str
    target: int | None
    rule: Rule

    def rate(self, label: str, value: float | None, amber_points: float) -> Standard:
        status = Status(rag_status(value, self.target, self.rule.value, amber_points))
        return Standard(self.key, label, value, self.target, self.rule, status)


SEEN_WITHIN_TARGET = Measure("within_15_min", 80, Rule.OVER)
"""Personal visitors dealt with within 15 minutes of arriving: more than 80%."""
FIRST_CONTACT = Measure("first_contact", 80, Rule.AT_LEAST)
"""Transactions resolved at the first point of contact: 80%."""
APPOINTMENTS_KEPT = Measure("appointments_kept", None, Rule.MONITORED)
"""Appointments kept (attended): monitored monthly."""
COUNCIL_NOTICE = Measure("council_notice", 100, Rule.AT_LEAST)
"""The council cancelling an appointment gives the required notice: always."""


def visit_standards(
    within_pct: float | None,
    first_contact_pct: float | None,
    *,
    target_minutes: int,
    amber_points: float,
) -> tuple[Standard, ...]:
    """The two standards every report rates (a day, a month, any period)."""
    return (
        SEEN_WITHIN_TARGET.rate(
            f"Seen within {target_minutes} minutes of arriving", within_pct, amber_points
        ),
        FIRST_CONTACT.rate(
            "Resolved at the first point of contact", first_contact_pct, amber_points
        ),
    )


def appointment_standards(
    kept_pct: float | None,
    with_notice_pct: float | None,
    *,
    notice_days: int,
    amber_points: float,
) -> tuple[Standard, ...]:
    """The appointment standards of a month (or a longer period)."""
    notice = "day's notice" if notice_days == 1 else "days' notice"
    return (
        APPOINTMENTS_KEPT.rate("Appointments kept (attended)", kept_pct, amber_points),
        COUNCIL_NOTICE.rate(
            f"Council cancellations with at least {notice_days} working {notice}",
            with_notice_pct,
            amber_points,
        ),
    )


RINGBACKS_IN_TIME = Measure("ringbacks_in_time", 100, Rule.AT_LEAST)
"""Call-back (ring-back) requests returned within 1 working day: all of them."""
REFERRALS_IN_SLA = Measure("referrals_in_sla", None, Rule.MONITORED)
"""Referrals done within their back office's service level: monitored."""
COMPLAINTS_ACKNOWLEDGED = Measure("complaints_acknowledged", 100, Rule.AT_LEAST)
"""Complaints acknowledged within 5 working days: all of them."""
COMPLAINTS_ANSWERED = Measure("complaints_answered", 100, Rule.AT_LEAST)
"""Complaints answered in full within 15 working days: all of them."""
JUSTIFIED_ABOUT_STAFF = Measure("justified_about_staff", None, Rule.MONITORED)
"""Justified complaints about a member of staff: monitored separately, the target under 2% (a
ceiling, shown in the label: the rules rate floors)."""


def followup_standards(
    figures: FollowupFigures,
    *,
    ringback_days: int,
    acknowledge_days: int,
    respond_days: int,
    amber_points: float,
) -> tuple[Standard, ...]:
    """The follow-up standards of a month (or a longer period)."""

    def days(n: int) -> str:
        return f"{n} working day" + ("" if n == 1 else "s")

    return (
        RINGBACKS_IN_TIME.rate(
            f"Ring-backs returned in {days(ringback_days)}",
            figures.ringback_return.pct,
            amber_points,
        ),
        REFERRALS_IN_SLA.rate("Referrals done within SLA", figures.referral_sla.pct, amber_points),
        COMPLAINTS_ACKNOWLEDGED.rate(
            f"Complaints acknowledged in {days(acknowledge_days)}",
            figures.complaints_acknowledged.pct,
            amber_points,
        ),
        COMPLAINTS_ANSWERED.rate(
            f"Complaints answered in {days(respond_days)}",
            figures.complaints_answered.pct,
            amber_points,
        ),
        JUSTIFIED_ABOUT_STAFF.rate(
            "Justified complaints about staff (under 2%)",
            figures.staff_justified_pct,
            amber_points,
        ),
    )
