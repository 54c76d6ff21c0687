"""The council's follow-up standards (ring-backs, referrals, complaints) and their definitions:
what each report rates and prints under the figure, as :mod:`oss_desk.domain.standards` does for
the visit standards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.domain.standards import Measure, Rule, Standard

if TYPE_CHECKING:
    from oss_desk.domain.followup_figures import FollowupFigures


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
UNEQUAL_SERVICE = Measure("unequal_service", None, Rule.MONITORED)
"""Complaints about unequal or impolite service: monitored separately, the target under 2% (a
ceiling, as :data:`JUSTIFIED_ABOUT_STAFF`)."""

FOLLOWUP_MEASURES = (
    RINGBACKS_IN_TIME,
    REFERRALS_IN_SLA,
    COMPLAINTS_ACKNOWLEDGED,
    COMPLAINTS_ANSWERED,
    JUSTIFIED_ABOUT_STAFF,
    UNEQUAL_SERVICE,
)
"""The follow-up standards, in the order every report lists them (:func:`followup_standards`)."""
FOLLOWUP_KEYS = frozenset(m.key for m in FOLLOWUP_MEASURES)


def _days(n: int) -> str:
    return f"{n} working day" + ("" if n == 1 else "s")


_DECIDED = (
    " Every follow-up received in the period counts once, its deadline as it stands on the day of"
    " the report: met (done by its day), missed (done late, or still open after it); those still"
    " open and not yet due are left out."
)
_CEILING = (
    " Monitored separately, not rated: the council keeps it under 2%, and with few complaints one"
    " complaint is a large share, so read it with its count (in the follow-ups' figures)."
)


def followup_definitions(
    *, ringback_days: int, acknowledge_days: int, respond_days: int
) -> dict[str, str]:
    """What each follow-up standard's figure counts, in words, by key: printed under it on every
    report (and in the reports screen's help), as the visit standards' are."""
    return {
        RINGBACKS_IN_TIME.key: (
            "Of the ring-backs (call-back requests) received, the share returned within"
            f" {_days(ringback_days)}: closed by the deadline as done, or as could not be reached"
            " after the tries (the council rang back in time)." + _DECIDED
        ),
        REFERRALS_IN_SLA.key: (
            "Of the referrals to a back office received, the share done within that back"
            " office's service level (its working days)." + _DECIDED
        ),
        COMPLAINTS_ACKNOWLEDGED.key: (
            f"Of the complaints received, the share acknowledged within {_days(acknowledge_days)}."
            + _DECIDED
        ),
        COMPLAINTS_ANSWERED.key: (
            "Of the complaints received, the share answered in full within"
            f" {_days(respond_days)}." + _DECIDED
        ),
        JUSTIFIED_ABOUT_STAFF.key: (
            "Of the complaints received in the period that have an outcome, the share found"
            " justified (not partly) in a category about a member of staff." + _CEILING
        ),
        UNEQUAL_SERVICE.key: (
            "Of the complaints received in the period, the share in a category about unequal or"
            " impolite service, whatever their outcome." + _CEILING
        ),
    }


def followup_standards(
    figures: FollowupFigures,
    *,
    ringback_days: int,
    acknowledge_days: int,
    respond_days: int,
    amber_points: float,
) -> tuple[Standard, ...]:
    """The follow-up standards of a month (or a longer period), each with its definition."""
    said = followup_definitions(
        ringback_days=ringback_days, acknowledge_days=acknowledge_days, respond_days=respond_days
    )
    rows: tuple[tuple[Measure, str, float | None], ...] = (
        (
            RINGBACKS_IN_TIME,
            f"Ring-backs returned in {_days(ringback_days)}",
            figures.ringback_return.pct,
        ),
        (REFERRALS_IN_SLA, "Referrals done within SLA", figures.referral_sla.pct),
        (
            COMPLAINTS_ACKNOWLEDGED,
            f"Complaints acknowledged in {_days(acknowledge_days)}",
            figures.complaints_acknowledged.pct,
        ),
        (
            COMPLAINTS_ANSWERED,
            f"Complaints answered in {_days(respond_days)}",
            figures.complaints_answered.pct,
        ),
        (
            JUSTIFIED_ABOUT_STAFF,
            "Justified complaints about staff (under 2%)",
            figures.staff_justified_pct,
        ),
        (
            UNEQUAL_SERVICE,
            "Complaints about unequal or impolite service (under 2%)",
            figures.unequal_service_pct,
        ),
    )
    return tuple(
        measure.rate(label, value, amber_points, said[measure.key])
        for measure, label, value in rows
    )
