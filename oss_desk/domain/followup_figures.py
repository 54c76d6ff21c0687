"""The follow-up figures: deadlines met, missed and pending, per kind, back office, category
and outcome (the monthly report and the quarterly return), and what is due today or overdue
(the team leader's screen and the daily summary). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from oss_desk.domain.followups import Due, Finding, Followup, Kind, Monitor, Status, Via
from oss_desk.domain.stats import pct


@dataclass
class Tally:
    """Deadlines met, missed (late or overdue) and still pending, and the share met."""

    met: int = 0
    missed: int = 0
    pending: int = 0

    def add(self, state: Due) -> None:
        if state is Due.MET:
            self.met += 1
        elif state.missed:
            self.missed += 1
        else:
            self.pending += 1

    @property
    def pct(self) -> float | None:
        """Of the deadlines decided (met or missed), the share met; None when none."""
        return pct(self.met, self.met + self.missed)

    def as_json(self) -> dict[str, Any]:
        return {"met": self.met, "missed": self.missed, "pending": self.pending, "pct": self.pct}


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    name: str
    monitor: Monitor | None = None


@dataclass(frozen=True, slots=True)
class BackOfficeInfo:
    name: str
    sla_working_days: int


@dataclass
class FollowupFigures:
    """The follow-up figures of a period (a month or a quarter): every follow-up received in
    it, with its deadlines as they stand on the report's day."""

    first_day: date
    last_day: date
    ringbacks: int = 0
    ringbacks_done: int = 0
    ringbacks_unreachable: int = 0
    ringbacks_open: int = 0
    ringback_return: Tally = field(default_factory=Tally)
    referrals: int = 0
    referrals_done: int = 0
    referrals_open: int = 0
    referral_sla: Tally = field(default_factory=Tally)
    by_back_office: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    complaints_acknowledged: Tally = field(default_factory=Tally)
    complaints_answered: Tally = field(default_factory=Tally)
    records_acknowledged: Tally = field(default_factory=Tally)
    records_answered: Tally = field(default_factory=Tally)
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_via: dict[str, int] = field(default_factory=dict)
    by_stage: dict[str, int] = field(default_factory=dict)
    complaints_decided: int = 0
    staff_justified: int = 0
    unequal_service: int = 0
    action_taken: int = 0

    @property
    def staff_justified_pct(self) -> float | None:
        return pct(self.staff_justified, self.complaints_decided)

    @property
    def unequal_service_pct(self) -> float | None:
        """Of the complaints received, the share about unequal or impolite service."""
        return pct(self.unequal_service, self.records.get(Kind.COMPLAINT.value, 0))

    def as_json(self) -> dict[str, Any]:
        return {
            "ringbacks": {
                "received": self.ringbacks,
                "done": self.ringbacks_done,
                "unreachable": self.ringbacks_unreachable,
                "open": self.ringbacks_open,
                "returned_in_time": self.ringback_return.as_json(),
                "within_1_working_day_pct": self.ringback_return.pct,
            },
            "referrals": {
                "received": self.referrals,
                "done": self.referrals_done,
                "open": self.referrals_open,
                "within_sla": self.referral_sla.as_json(),
                "within_sla_pct": self.referral_sla.pct,
                "by_back_office": self.by_back_office,
            },
            "on_the_record": {
                "comments": self.records.get(Kind.COMMENT.value, 0),
                "compliments": self.records.get(Kind.COMPLIMENT.value, 0),
                "complaints": self.records.get(Kind.COMPLAINT.value, 0),
                "complaints_acknowledged": self.complaints_acknowledged.as_json(),
                "complaints_acknowledged_within_5_pct": self.complaints_acknowledged.pct,
                "complaints_answered": self.complaints_answered.as_json(),
                "complaints_answered_within_15_pct": self.complaints_answered.pct,
                "all_acknowledged": self.records_acknowledged.as_json(),
                "all_answered": self.records_answered.as_json(),
                "by_category": self.by_category,
                "by_outcome": self.by_outcome,
                "by_channel": self.by_via,
                "by_stage": self.by_stage,
                "complaints_decided": self.complaints_decided,
                "justified_about_staff": self.staff_justified,
                "justified_about_staff_pct": self.staff_justified_pct,
                "unequal_or_impolite": self.unequal_service,
                "unequal_or_impolite_pct": self.unequal_service_pct,
                "action_taken": self.action_taken,
            },
        }


def period_figures(
    items: Iterable[Followup],
    *,
    first_day: date,
    last_day: date,
    today: date,
    categories: Mapping[str, CategoryInfo],
    back_offices: Mapping[str, BackOfficeInfo],
) -> FollowupFigures:
    """The figures of the follow-ups received from ``first_day`` to ``last_day`` (inclusive).

    Every deadline counts once, where it stands on ``today``: met (done by its day), missed
    (done late, or overdue and still open) or pending (open, not yet due). Percentages are of
    the deadlines met or missed. "Justified about staff" counts complaints found justified (not
    partly) in a category monitored as about a member of staff, of the complaints with an outcome.
    """
    out = FollowupFigures(first_day, last_day)
    for code, info in back_offices.items():
        out.by_back_office[code] = {
            "name": info.name,
            "sla_working_days": info.sla_working_days,
            "received": 0,
            **Tally().as_json(),
        }
    per_office: dict[str, Tally] = {code: Tally() for code in back_offices}
    outcomes = {f.value: 0 for f in Finding}

    def category_row(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "comment": 0,
            "compliment": 0,
            "complaint": 0,
            **dict.fromkeys(outcomes, 0),
        }

    out.by_category = {key: category_row(info.name) for key, info in categories.items()}
    out.by_via = {via.value: 0 for via in Via}
    out.by_stage = {"1": 0, "2": 0}
    for f in items:
        if not first_day <= f.received_day <= last_day:
            continue
        states = f.deadlines(today)
        if f.kind is Kind.RINGBACK:
            out.ringbacks += 1
            out.ringbacks_done += f.status is Status.DONE
            out.ringbacks_unreachable += f.status is Status.UNREACHABLE
            out.ringbacks_open += not f.status.closed
            out.ringback_return.add(states["return"])
        elif f.kind is Kind.REFERRAL:
            out.referrals += 1
            out.referrals_done += f.status is Status.DONE
            out.referrals_open += not f.status.closed
            out.referral_sla.add(states["sla"])
            office = f.back_office or "?"
            if office not in per_office:
                per_office[office] = Tally()
                out.by_back_office[office] = {
                    "name": office,
                    "sla_working_days": f.sla_days,
                    "received": 0,
                }
            per_office[office].add(states["sla"])
            out.by_back_office[office]["received"] += 1
        else:
            kind = f.kind.value
            out.records[kind] = out.records.get(kind, 0) + 1
            out.records_acknowledged.add(states["acknowledge"])
            out.records_answered.add(states["respond"])
            category = out.by_category.setdefault(
                f.category or "?", category_row(f.category or "?")
            )
            category[kind] += 1
            if f.via is not None:
                out.by_via[f.via.value] += 1
            if f.action_taken:
                out.action_taken += 1
            if f.kind is Kind.COMPLAINT:  # stages are the complaints procedure's alone
                stage = str(f.stage or 1)
                out.by_stage[stage] = out.by_stage.get(stage, 0) + 1
                out.complaints_acknowledged.add(states["acknowledge"])
                out.complaints_answered.add(states["respond"])
                kind_of = categories.get(f.category or "")
                monitor = kind_of.monitor if kind_of else None
                if monitor is Monitor.UNEQUAL:
                    out.unequal_service += 1
                if f.finding is not None:
                    out.complaints_decided += 1
                    outcomes[f.finding.value] += 1
                    category[f.finding.value] += 1
                    if f.finding is Finding.JUSTIFIED and monitor is Monitor.STAFF:
                        out.staff_justified += 1
    for code, tally in per_office.items():
        out.by_back_office[code].update(tally.as_json())
    out.by_outcome = outcomes
    return out


@dataclass(frozen=True, slots=True)
class DueCount:
    due_today: int = 0
    overdue: int = 0

    def as_json(self) -> dict[str, int]:
        return {"due_today": self.due_today, "overdue": self.overdue}


def _pairs(f: Followup) -> list[tuple[date, date | None]]:
    """(deadline, day it was met) of each deadline of ``f``."""
    if f.kind.on_the_record:
        assert f.ack_due_day is not None
        return [(f.ack_due_day, f.acknowledged_day), (f.due_day, f.closed_day)]
    return [(f.due_day, f.closed_day)]


def due_counts(items: Iterable[Followup], day: date) -> dict[str, DueCount]:
    """Per kind, at the end of ``day`` (for today: now): the follow-ups with a deadline on
    ``day`` still not met, and those with a deadline before it still not met (overdue; a
    follow-up counts once, as overdue when it is both)."""
    counts = {kind.value: [0, 0] for kind in Kind}
    for f in items:
        if f.received_day > day:
            continue
        late = today = False
        for due, done in _pairs(f):
            if done is not None and done <= day:
                continue
            if due < day:
                late = True
            elif due == day:
                today = True
        if late:
            counts[f.kind.value][1] += 1
        elif today:
            counts[f.kind.value][0] += 1
    return {kind: DueCount(a, b) for kind, (a, b) in counts.items()}
