"""From raw tallies (:mod:`oss_desk.domain.tally`) to the reports' typed figures
(:mod:`oss_desk.domain.reports`): counts, shares, waits and service times, zero-filled over what
the office has (its opening hours, services, sites and desks). Pure: no I/O.

Every share is taken over the raw counts of the whole period and every percentile over its raw
values, never averaged from shorter periods.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from oss_desk.domain.calendar import REPEAT
from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.models import Outcome
from oss_desk.domain.needs import INTERPRETER, SIMPLE_NEEDS
from oss_desk.domain.periods import Period
from oss_desk.domain.reports import (
    AdviserFigures,
    AppointmentFigures,
    Cancellations,
    CouncilCancellations,
    CouncilFlags,
    CouncilMoves,
    CouncilNotice,
    DayComparison,
    DeskFigures,
    FlagCount,
    PeriodSummary,
    Rated,
    Satisfaction,
    TrendMonth,
    VisitFigures,
)
from oss_desk.domain.scorecard import ReportRules
from oss_desk.domain.standards import (
    APPOINTMENTS_KEPT,
    COUNCIL_NOTICE,
    FIRST_CONTACT,
    PUNCTUALITY,
    RATINGS,
    REPEAT_CONTACT,
    REPEAT_CONTACT_DEFINITION,
    REPEAT_CONTACT_LABEL,
    SATISFIED,
    SEEN_WITHIN_TARGET,
    Standard,
    count_missed_walk_outs,
    count_punctual,
    count_within,
    is_satisfied,
    year_on_year,
)
from oss_desk.domain.stats import (
    NOTICE_BUCKETS,
    median,
    ms_to_minutes,
    notice_bucket,
    pct,
    wait_summary,
)
from oss_desk.domain.tally import (
    SIGNPOSTED_NOT_RECORDED,
    AppointmentTally,
    DayTally,
    DeskKey,
    VisitTally,
)

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
    repeated: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    """A one-day period's local hour that came round twice (the clocks went back), with its
    zones the first and the second time ({1: ("BST", "GMT")}): its arrivals are shown apart."""


# The 15-minute figure, punctuality, satisfaction --------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitCounts:
    """Who the 15-minute figure counts, and how many were within the target."""

    seen: int
    seen_within: int
    walked_out_after: int
    left_before: int
    closed: int

    @property
    def measured(self) -> int:
        return self.seen + self.walked_out_after + self.closed

    @property
    def within_pct(self) -> float | None:
        return pct(self.seen_within, self.measured)

    @classmethod
    def of(cls, tally: VisitTally, target_ms: int) -> WaitCounts:
        after = count_missed_walk_outs(tally.walk_outs_ms, target_ms)
        return cls(
            seen=len(tally.waits_ms),
            seen_within=count_within(tally.waits_ms, target_ms),
            walked_out_after=after,
            left_before=len(tally.walk_outs_ms) - after,
            closed=len(tally.closed_ms),
        )


def running_within(
    report: Standard | None, figures: VisitFigures, unseen_past_target: int, amber_points: float
) -> Standard | None:
    """The "seen within the target" figure while the day runs (the team leader's running
    figures; ``report``: the daily report's, rated). A visitor still waiting unseen past the
    target can only miss (seen later, leaving, or still there at closing), so counts as a miss
    already (``unseen_past_target``: :func:`oss_desk.domain.wait_clock.unseen_past_target`).
    Never higher than the best the day can still reach; at close of day nobody is waiting and
    it is the daily report's figure."""
    if report is None:
        return None
    value = pct(figures.seen_within_target, figures.measured + unseen_past_target)
    return SEEN_WITHIN_TARGET.rate(report.label, value, amber_points, report.definition)


def _punctual(tally: VisitTally, punctual_ms: int) -> int:
    return count_punctual(tally.appointment_waits_ms, punctual_ms)


def satisfaction(tally: VisitTally, services: Iterable[str] = ()) -> Satisfaction:
    """Residents' ratings: satisfied (4 or 5) of the answers, by rating and by service."""
    by_rating = {str(r): 0 for r in RATINGS}
    declined = 0
    per_service: dict[str, list[int]] = {}
    for (rating, service), n in tally.ratings.items():
        if rating == "declined":
            declined += n
            continue
        by_rating[rating] = by_rating.get(rating, 0) + n
        counts = per_service.setdefault(service, [0, 0])
        counts[0] += n
        counts[1] += n if is_satisfied(int(rating)) else 0
    answers = sum(by_rating.values())
    satisfied = sum(n for r, n in by_rating.items() if is_satisfied(int(r)))
    order = [s for s in services if s in per_service] + sorted(
        s for s in per_service if s not in set(services)
    )
    return Satisfaction(
        answers=answers,
        satisfied=satisfied,
        satisfied_pct=pct(satisfied, answers),
        declined=declined,
        by_rating=by_rating,
        by_service={
            s: Rated(
                answers=per_service[s][0],
                satisfied=per_service[s][1],
                satisfied_pct=pct(per_service[s][1], per_service[s][0]),
            )
            for s in order
        },
    )


def _flag(flags: Mapping[tuple[str, str], int], name: str, services: Iterable[str]) -> FlagCount:
    by_service = {s: 0 for s in services}
    for (flag, service), n in flags.items():
        if flag == name:
            by_service[service] = by_service.get(service, 0) + n
    return FlagCount(total=sum(by_service.values()), by_service=by_service)


def repeat_contacts(tally: VisitTally) -> int:
    """The visits that came back about the same matter (the ``repeat_contact`` flag's total):
    ticked at meet-and-greet, plus appointments ended without the documents."""
    return sum(n for (flag, _), n in tally.flags.items() if flag in ("repeat", "without_documents"))


def council_flags(
    tally: VisitTally, services: Iterable[str], organisations: Iterable[str] = ()
) -> CouncilFlags:
    """The council's flags of a period, each in all and by service (zero-filled)."""
    codes = tuple(services)
    ticked = _flag(tally.flags, "repeat", codes)
    without = _flag(tally.flags, "without_documents", codes)
    repeat = {s: ticked.by_service.get(s, 0) + without.by_service.get(s, 0) for s in codes}
    for s in (*ticked.by_service, *without.by_service):
        repeat[s] = ticked.by_service.get(s, 0) + without.by_service.get(s, 0)
    # The configured organisations, any others recorded (since taken out of the configuration),
    # then the visits finished signposted without a destination: together, the outcome.
    configured = list(organisations)
    places = [
        *configured,
        *sorted(
            {flag.split(":", 1)[1] for flag, _ in tally.flags if flag.startswith("signposted:")}
            - {*configured, SIGNPOSTED_NOT_RECORDED}
        ),
        SIGNPOSTED_NOT_RECORDED,
    ]
    return CouncilFlags(
        urgent=_flag(tally.flags, "urgent", codes),
        repeat_contact=FlagCount(total=sum(repeat.values()), by_service=repeat),
        repeat_ticked=ticked,
        without_documents=without,
        assisted_digital=_flag(tally.flags, "assisted_digital", codes),
        avoidable=_flag(tally.flags, "avoidable", codes),
        signposted_to={org: _flag(tally.flags, f"signposted:{org}", codes) for org in places},
    )


# The visit figures -------------------------------------------------------------------------------


def day_comparison(day: str, tally: VisitTally, rules: ReportRules) -> DayComparison:
    """An earlier day's main figures (only those: no layout needed)."""
    wait_median, wait_p90 = wait_summary(tally.waits_ms)
    waits = WaitCounts.of(tally, rules.target_ms)
    return DayComparison(
        date=day,
        visits=tally.arrivals.total,
        served=sum(len(times) for times in tally.served.values()),
        no_shows=tally.no_shows,
        within_15_min_pct=waits.within_pct,
        first_contact_resolution_pct=pct(tally.finished_first_contact, tally.finished),
        wait_median_minutes=wait_median,
        wait_p90_minutes=wait_p90,
    )


def visit_figures(tally: VisitTally, layout: Layout, rules: ReportRules) -> VisitFigures:
    arrivals = tally.arrivals
    by_channel = arrivals.by(4)
    waits = WaitCounts.of(tally, rules.target_ms)
    wait_median, wait_p90 = wait_summary(tally.waits_ms)
    on_time = len(tally.appointment_waits_ms)
    in_time = _punctual(tally, rules.punctual_ms)
    return VisitFigures(
        visits=arrivals.total,
        walk_ins=by_channel.get("walk_in", 0),
        appointment_visits=by_channel.get("appointment", 0),
        served=sum(len(times) for times in tally.served.values()),
        quick_visits=tally.quick_visits,
        no_shows=tally.no_shows,
        seen=waits.seen,
        seen_within_target=waits.seen_within,
        walked_out_after_target=waits.walked_out_after,
        left_before_target=waits.left_before,
        closed_unseen=waits.closed,
        measured=waits.measured,
        within_15_min_pct=waits.within_pct,
        issued_in_error=tally.issued_in_error,
        not_yet_seen=tally.not_yet,
        wait_median_minutes=wait_median,
        wait_p90_minutes=wait_p90,
        appointments_seen_on_time=on_time,
        appointments_punctual=in_time,
        appointment_punctuality_pct=pct(in_time, on_time),
        appointments_checked_in_late=tally.late_check_ins,
        finished=tally.finished,
        finished_first_contact=tally.finished_first_contact,
        first_contact_resolution_pct=pct(tally.finished_first_contact, tally.finished),
        outcomes={o.value: tally.outcomes.get(o.value, 0) for o in Outcome},
        services_delivered=tally.finished + tally.added_services_delivered,
        appointments_arranged=tally.appointments_arranged,
        by_hour=_by_hour(arrivals.by_hour(), layout),
        by_service=_sorted(_filled(layout.services, arrivals.by(3))),
        by_site=_filled(layout.sites, arrivals.by(1)),
        desks=_desks(tally.served, layout.desks),
        advisers=_advisers(tally.served, layout.staff),
        adjustments=_adjustments(tally.needs),
        flags=council_flags(tally, sorted(layout.services), rules.organisations or {}),
        satisfaction=satisfaction(tally, sorted(layout.services)),
    )


def _by_hour(counts: Mapping[int, int], layout: Layout) -> dict[str, int]:
    """Arrivals by local hour ("09"), every opening hour listed; an hour that came round twice
    that day (:attr:`Layout.repeated`) shown as two, with their zones ("01 BST", "01 GMT"),
    and over longer periods as one."""
    out: dict[str, int] = {}
    for hour in sorted(set(layout.hours) | {h % REPEAT for h, n in counts.items() if n}):
        first, second = counts.get(hour, 0), counts.get(hour + REPEAT, 0)
        zones = layout.repeated.get(hour)
        if zones is not None and (first or second):
            out[f"{hour:02d} {zones[0]}"], out[f"{hour:02d} {zones[1]}"] = first, second
        else:
            out[f"{hour:02d}"] = first + second
    return out


def _filled(keys: Iterable[str], counts: Mapping[str, int]) -> dict[str, int]:
    """Every key (zero when it has no count), then the counts (keys not listed added last)."""
    out = dict.fromkeys(keys, 0)
    out.update(counts)
    return out


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def _desks(
    served: Mapping[DeskKey, list[int]], known: Iterable[tuple[str, str]]
) -> dict[str, DeskFigures]:
    """Per desk (by id; ``site/desk`` where two sites have a desk of that id), by id."""
    times: dict[tuple[str, str], list[int]] = {pair: [] for pair in known}
    for (site, desk, _person), values in served.items():
        times.setdefault((site, desk), []).extend(values)
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


def _advisers(
    served: Mapping[DeskKey, list[int]], staff: Mapping[str, str]
) -> dict[str, AdviserFigures]:
    """Per person who finished tickets, by staff id (named from the configuration)."""
    times: dict[str, list[int]] = {}
    for (_site, _desk, person), values in served.items():
        times.setdefault(person, []).extend(values)
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


# Appointments ------------------------------------------------------------------------------------


N = TypeVar("N", bound=CouncilNotice)


def _notice(kind: type[N], counts: Mapping[int, int], breaches: int, min_notice_days: int) -> N:
    total = sum(counts.values())
    with_notice = sum(n for days, n in counts.items() if days >= min_notice_days)
    buckets = dict.fromkeys(NOTICE_BUCKETS, 0)
    for days, n in counts.items():
        buckets[notice_bucket(days)] += n
    return kind(
        total=total,
        with_notice=with_notice,
        breaches=breaches,
        with_notice_pct=pct(with_notice, total),
        notice_days=buckets,
    )


def appointment_figures(tally: AppointmentTally, min_notice_days: int) -> AppointmentFigures:
    """Appointments of a period; council cancellations and moves rated against
    ``min_notice_days``."""
    cancelled = _notice(CouncilCancellations, tally.council_notice, tally.breaches, min_notice_days)
    moved = _notice(CouncilMoves, tally.council_moves, tally.move_breaches, min_notice_days)
    return AppointmentFigures(
        appointments_booked=tally.booked,
        appointments_kept=tally.kept,
        appointments_no_show=tally.no_show,
        appointments_kept_pct=pct(tally.kept, tally.kept + tally.no_show),
        appointments_cancelled=Cancellations(
            council=tally.cancelled.get("council", 0),
            resident=tally.cancelled.get("resident", 0),
        ),
        council_cancellations=cancelled,
        council_moves=moved,
        council_notice_pct=pct(
            cancelled.with_notice + moved.with_notice, cancelled.total + moved.total
        ),
    )


# Standards, trends and summaries -----------------------------------------------------------------


def standard_values(
    tally: DayTally, rules: ReportRules, calls: CallFigures | None = None
) -> dict[str, float | None]:
    """Every standard's figure over a tally (and the period's calls), by standard key."""
    visits = tally.visits
    appointments = appointment_figures(tally.appointments, rules.notice_days)
    values: dict[str, float | None] = {
        SEEN_WITHIN_TARGET.key: WaitCounts.of(visits, rules.target_ms).within_pct,
        FIRST_CONTACT.key: pct(visits.finished_first_contact, visits.finished),
        PUNCTUALITY.key: pct(
            _punctual(visits, rules.punctual_ms), len(visits.appointment_waits_ms)
        ),
        SATISFIED.key: satisfaction(visits).satisfied_pct,
        APPOINTMENTS_KEPT.key: appointments.appointments_kept_pct,
        COUNCIL_NOTICE.key: appointments.council_notice_pct,
        REPEAT_CONTACT.key: pct(repeat_contacts(visits), visits.arrivals.total),
    }
    for seconds, _goal in rules.call_targets:
        values[f"calls_within_{seconds}s"] = (
            None if calls is None else calls.answered_within_pct.get(str(seconds))
        )
    return values


def trend_month(
    month: str, tally: DayTally, rules: ReportRules, calls: CallFigures | None = None
) -> TrendMonth:
    visits = tally.visits
    values = standard_values(tally, rules, calls)
    return TrendMonth(
        month=month,
        visits=visits.arrivals.total,
        within_15_min_pct=values[SEEN_WITHIN_TARGET.key],
        first_contact_resolution_pct=values[FIRST_CONTACT.key],
        appointments_booked=tally.appointments.booked,
        appointments_kept=tally.appointments.kept,
        appointments_no_show=tally.appointments.no_show,
        standards=values,
    )


def period_summary(
    label: str,
    first_day: str,
    last_day: str,
    tally: DayTally,
    rules: ReportRules,
    calls: CallFigures | None = None,
) -> PeriodSummary:
    """A period's headline figures (for the period before, beside the report's own)."""
    visits = tally.visits
    waits = WaitCounts.of(visits, rules.target_ms)
    wait_median, wait_p90 = wait_summary(visits.waits_ms)
    values = standard_values(tally, rules, calls)
    rated = satisfaction(visits)
    return PeriodSummary(
        first_day=first_day,
        last_day=last_day,
        label=label,
        visits=visits.arrivals.total,
        measured=waits.measured,
        seen_within_target=waits.seen_within,
        within_15_min_pct=waits.within_pct,
        walked_out_after_target=waits.walked_out_after,
        left_before_target=waits.left_before,
        closed_unseen=waits.closed,
        finished=visits.finished,
        first_contact_resolution_pct=values[FIRST_CONTACT.key],
        wait_median_minutes=wait_median,
        wait_p90_minutes=wait_p90,
        appointment_punctuality_pct=values[PUNCTUALITY.key],
        answers=rated.answers,
        satisfied_pct=rated.satisfied_pct,
        appointments_kept_pct=values[APPOINTMENTS_KEPT.key],
        standards=values,
    )


def repeat_contact_standard(now: PeriodSummary, year_before: PeriodSummary) -> Standard:
    """Repeat contact, rated against the same period a year before (down year on year); not
    rated when there are no records a year before."""
    key = REPEAT_CONTACT.key
    return year_on_year(
        REPEAT_CONTACT,
        REPEAT_CONTACT_LABEL,
        now.standards.get(key),
        year_before.standards.get(key),
        REPEAT_CONTACT_DEFINITION,
        recorded=year_before.recorded,
        baseline_from=year_before.records_from,
        baseline_to=year_before.part_to,
    )


def period_summary_with(
    period: Period,
    tally: DayTally,
    rules: ReportRules,
    calls: CallFigures | None,
    followups: Mapping[str, float | None],
) -> PeriodSummary:
    """The headline figures of ``period`` from its ``tally`` (and its follow-up standards'
    figures, ``followups``)."""
    summary = period_summary(
        period.label, period.first.isoformat(), period.last.isoformat(), tally, rules, calls
    )
    return replace(summary, standards={**summary.standards, **followups})
