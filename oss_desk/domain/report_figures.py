"""From raw tallies (:mod:`oss_desk.domain.tally`) to the reports' typed figures
(:mod:`oss_desk.domain.reports`): counts, shares, waits and service times, zero-filled over what
the office has (its opening hours, services, sites and desks). Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oss_desk.domain.models import Outcome
from oss_desk.domain.needs import INTERPRETER, SIMPLE_NEEDS
from oss_desk.domain.reports import (
    AdviserFigures,
    AppointmentFigures,
    Cancellations,
    CouncilCancellations,
    DayComparison,
    DeskFigures,
    TrendMonth,
    VisitFigures,
)
from oss_desk.domain.standards import within_target
from oss_desk.domain.stats import (
    NOTICE_BUCKETS,
    median,
    ms_to_minutes,
    notice_bucket,
    pct,
    wait_summary,
)
from oss_desk.domain.tally import AppointmentTally, MonthCounts, Served, VisitTally

KNOWN_NEEDS = (*SIMPLE_NEEDS, INTERPRETER)
"""The adjustments every report lists (interpreters of every language count as one)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """What the figures are laid out over: every key listed even when its count is zero."""

    hours: frozenset[int]
    """The local hours any covered office is open in, on any day of the period."""
    services: tuple[str, ...]
    sites: tuple[str, ...]
    desks: tuple[tuple[str, str], ...]
    """(site, desk id) of the adviser desks and rooms of the covered sites."""
    staff: Mapping[str, str]
    """Staff id to name."""


def _seen_within(tally: VisitTally, target_minutes: int) -> int:
    target_ms = target_minutes * 60_000
    return sum(1 for wait in tally.waits_ms if within_target(wait, target_ms))


def day_comparison(day: str, tally: VisitTally, target_minutes: int) -> DayComparison:
    """An earlier day's main figures (only those: no layout needed)."""
    wait_median, wait_p90 = wait_summary(tally.waits_ms)
    return DayComparison(
        date=day,
        visits=tally.arrivals.total,
        served=len(tally.served),
        no_shows=tally.no_shows,
        within_15_min_pct=pct(_seen_within(tally, target_minutes), len(tally.waits_ms)),
        first_contact_resolution_pct=pct(tally.finished_first_contact, tally.finished),
        wait_median_minutes=wait_median,
        wait_p90_minutes=wait_p90,
    )


def visit_figures(tally: VisitTally, layout: Layout, target_minutes: int) -> VisitFigures:
    arrivals = tally.arrivals
    by_channel = arrivals.by(4)
    seen = len(tally.waits_ms)
    within = _seen_within(tally, target_minutes)
    wait_median, wait_p90 = wait_summary(tally.waits_ms)
    return VisitFigures(
        visits=arrivals.total,
        walk_ins=by_channel.get("walk_in", 0),
        appointment_visits=by_channel.get("appointment", 0),
        served=len(tally.served),
        quick_visits=tally.quick_visits,
        no_shows=tally.no_shows,
        seen=seen,
        seen_within_target=within,
        within_15_min_pct=pct(within, seen),
        wait_median_minutes=wait_median,
        wait_p90_minutes=wait_p90,
        finished=tally.finished,
        finished_first_contact=tally.finished_first_contact,
        first_contact_resolution_pct=pct(tally.finished_first_contact, tally.finished),
        outcomes={o.value: tally.outcomes.get(o.value, 0) for o in Outcome},
        by_hour=_sorted(_filled((f"{h:02d}" for h in layout.hours), arrivals.by(2))),
        by_service=_sorted(_filled(layout.services, arrivals.by(3))),
        by_site=_filled(layout.sites, arrivals.by(1)),
        desks=_desks(tally.served, layout.desks),
        advisers=_advisers(tally.served, layout.staff),
        adjustments=_adjustments(tally.needs),
    )


def _filled(keys: Iterable[str], counts: Mapping[str, int]) -> dict[str, int]:
    """Every key (zero when it has no count), then the counts (keys not listed added last)."""
    out = dict.fromkeys(keys, 0)
    out.update(counts)
    return out


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def _desks(served: Iterable[Served], known: Iterable[tuple[str, str]]) -> dict[str, DeskFigures]:
    """Per desk (by id; ``site/desk`` where two sites have a desk of that id), by id."""
    times: dict[tuple[str, str], list[int]] = {pair: [] for pair in known}
    for s in served:
        times.setdefault((s.site_id, s.desk_id), []).append(s.service_ms)
    sites_of: Counter[str] = Counter(desk_id for _, desk_id in times)
    out: dict[str, DeskFigures] = {}
    for (site, desk_id), values in sorted(times.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        key = desk_id if sites_of[desk_id] == 1 else f"{site}/{desk_id}"
        out[key] = DeskFigures(
            served=len(values),
            service_median_minutes=ms_to_minutes(median(list(values))),
            service_total_minutes=ms_to_minutes(sum(values)) or 0.0,
        )
    return out


def _advisers(served: Iterable[Served], staff: Mapping[str, str]) -> dict[str, AdviserFigures]:
    """Per person who finished tickets, by staff id (named from the configuration)."""
    times: dict[str, list[int]] = {}
    for s in served:
        times.setdefault(s.person, []).append(s.service_ms)
    return {
        person: AdviserFigures(
            name=staff.get(person, person),
            served=len(times[person]),
            service_median_minutes=ms_to_minutes(median(list(times[person]))),
        )
        for person in sorted(times)
    }


def _adjustments(needs: Mapping[str, int]) -> dict[str, int]:
    out = dict.fromkeys(KNOWN_NEEDS, 0)
    for need, n in needs.items():
        key = INTERPRETER if need.startswith(INTERPRETER + ":") else need
        out[key] = out.get(key, 0) + n
    return out


def appointment_figures(tally: AppointmentTally, min_notice_days: int) -> AppointmentFigures:
    """Appointments of a period; council cancellations rated against ``min_notice_days``."""
    council = sum(tally.council_notice.values())
    with_notice = sum(n for days, n in tally.council_notice.items() if days >= min_notice_days)
    buckets = dict.fromkeys(NOTICE_BUCKETS, 0)
    for days, n in tally.council_notice.items():
        buckets[notice_bucket(days)] += n
    return AppointmentFigures(
        appointments_booked=tally.booked,
        appointments_kept=tally.kept,
        appointments_no_show=tally.no_show,
        appointments_kept_pct=pct(tally.kept, tally.kept + tally.no_show),
        appointments_cancelled=Cancellations(
            council=tally.cancelled.get("council", 0),
            resident=tally.cancelled.get("resident", 0),
        ),
        council_cancellations=CouncilCancellations(
            total=council,
            with_notice=with_notice,
            breaches=tally.breaches,
            with_notice_pct=pct(with_notice, council),
            notice_days=buckets,
        ),
    )


def trend_month(month: str, counts: MonthCounts) -> TrendMonth:
    return TrendMonth(
        month=month,
        visits=counts.visits,
        within_15_min_pct=pct(counts.seen_within, counts.seen),
        first_contact_resolution_pct=pct(counts.finished_first_contact, counts.finished),
        appointments_booked=counts.booked,
        appointments_kept=counts.kept,
        appointments_no_show=counts.no_show,
    )
