"""The reports as JSON values (``report daily|monthly --format json``): the contract scripts and
integrations read (the README's report figures).

The keys are the field names of :mod:`oss_desk.domain.reports`, with the ``figures`` and
``appointments`` parts flattened into the top level, in the order of :data:`DAILY_KEYS` and
:data:`MONTHLY_KEYS`. Nested values keep their fields' order; enums are their values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from oss_desk.domain.followup_figures import DueCount, FollowupFigures
from oss_desk.domain.reports import (
    DailyReport,
    MonthlyReport,
    PeriodReport,
    QuarterlyReport,
    RangeReport,
    Report,
)
from oss_desk.domain.standards import Rule, Standard

FLATTENED = ("figures", "appointments")
"""Parts of a report whose keys stand in the top level of its JSON."""

_VISITS = (
    "visits",
    "walk_ins",
    "appointment_visits",
    "served",
    "quick_visits",
    "no_shows",
)
_WAITS_AND_OUTCOMES = (
    "seen",
    "seen_within_target",
    "walked_out_after_target",
    "left_before_target",
    "closed_unseen",
    "measured",
    "within_15_min_pct",
    "issued_in_error",
    "not_yet_seen",
    "wait_median_minutes",
    "wait_p90_minutes",
    "appointments_seen_on_time",
    "appointments_punctual",
    "appointment_punctuality_pct",
    "appointments_checked_in_late",
    "finished",
    "finished_first_contact",
    "first_contact_resolution_pct",
    "outcomes",
    "services_delivered",
    "appointments_arranged",
)
_WHERE = (
    "by_hour",
    "by_service",
    "by_site",
    "desks",
    "advisers",
    "adjustments",
    "satisfaction",
    "flags",
)
_HEAD = ("site", "sites", "sites_left", "target_minutes")

_RECORDS = ("recorded", "records_begin")

DAILY_KEYS = (
    "date",
    *_RECORDS,
    "closed",
    *_HEAD,
    *_VISITS,
    "still_waiting",
    *_WAITS_AND_OUTCOMES,
    *_WHERE,
    "busiest_hour",
    "followups",
    "standards",
    "previous_weeks",
    "event_log_head",
)
"""The daily report's keys, in order."""

_APPOINTMENTS = (
    "appointments_booked",
    "appointments_kept",
    "appointments_no_show",
    "appointments_kept_pct",
    "appointments_cancelled",
    "council_cancellations",
    "council_moves",
    "council_notice_pct",
)

MONTHLY_KEYS = (
    "month",
    "to_date",
    *_RECORDS,
    *_HEAD,
    *_VISITS,
    *_WAITS_AND_OUTCOMES,
    "by_day",
    "closed_days",
    "busiest_day",
    *_WHERE,
    *_APPOINTMENTS,
    "followups",
    "standards",
    "calls",
    "trend",
)
"""The monthly report's keys, in order."""

RANGE_KEYS = (
    "period",
    "key",
    "label",
    "first_day",
    "last_day",
    "to_date",
    *_RECORDS,
    *_HEAD,
    *_VISITS,
    *_WAITS_AND_OUTCOMES,
    *_WHERE,
    *_APPOINTMENTS,
    "followups",
    "standards",
    "calls",
    "months",
    "current",
    "previous",
    "year_before",
)
"""A quarter's, a year's or any period's keys, in order."""


_BASELINE = ("baseline", "baseline_recorded", "baseline_from", "baseline_to")


def plain(value: object) -> Any:
    """A typed value as plain JSON-ready data: dataclasses as objects in field order, enums as
    their values, tuples as lists; the follow-up figures in their own documented shape."""
    if isinstance(value, FollowupFigures | DueCount):
        return value.as_json()
    if isinstance(value, Standard) and value.rule is not Rule.DOWN:
        # a year before's figure only where the standard is rated against it
        found = {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        return {k: v for k, v in found.items() if k not in _BASELINE}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [plain(inner) for inner in value]
    return value


def report_json(report: PeriodReport, keys: tuple[str, ...]) -> dict[str, Any]:
    """The report's JSON object: ``keys`` first, in order, then any key they do not name."""
    flat: dict[str, Any] = {}
    for f in fields(report):
        value = plain(getattr(report, f.name))
        if f.name in FLATTENED:
            flat.update(value)
        else:
            flat[f.name] = value
    return {key: flat.pop(key) for key in keys} | flat


def daily_json(report: DailyReport) -> dict[str, Any]:
    return report_json(report, DAILY_KEYS)


def monthly_json(report: MonthlyReport) -> dict[str, Any]:
    """A day before the records begin is ``null`` in ``by_day`` (no records, never 0)."""
    found = report_json(report, MONTHLY_KEYS)
    found["by_day"] = report.days_recorded()
    return found


def range_json(report: RangeReport) -> dict[str, Any]:
    return report_json(report, RANGE_KEYS)


def as_json(report: Report) -> dict[str, Any]:
    if isinstance(report, DailyReport):
        return daily_json(report)
    if isinstance(report, MonthlyReport):
        return monthly_json(report)
    return range_json(report)


def dumps(report: Report) -> str:
    """One JSON value on one line, non-ASCII as it is."""
    return json.dumps(as_json(report), ensure_ascii=False)


def quarterly_json(report: QuarterlyReport) -> dict[str, Any]:
    """The quarterly return's JSON (``report quarterly --json``): the quarter, then under
    ``on_the_record`` the quarter's figures, its ``months`` and the ``actions`` taken."""
    record = report.on_the_record.as_json()["on_the_record"]
    return {
        "quarter": report.quarter,
        "first_day": report.first_day,
        "last_day": report.last_day,
        "site": report.site,
        "sites": list(report.sites),
        "on_the_record": {
            **record,
            "months": [
                {"month": m.month, "on_the_record": m.figures.as_json()["on_the_record"]}
                for m in report.months
            ],
            "actions": [plain(a) for a in report.actions],
        },
    }
