"""Typed reports from their JSON figures (the inverse of :mod:`oss_desk.render.json`), so that the
renderers' tests can start from plain dicts (:mod:`tests.report_fixtures`) they change freely."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from oss_desk.domain.reports import DailyReport, MonthlyReport, RangeReport
from oss_desk.render.json import FLATTENED


def typed(kind: Any, value: Any) -> Any:
    """``value`` (plain JSON data) as ``kind``: dataclasses by field (the flattened parts of a
    report read from the same object), enums by value, tuples and mappings item by item."""
    origin = get_origin(kind)
    args = get_args(kind)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return typed(inner, value)
    if origin is tuple:
        return tuple(typed(args[0], v) for v in value)
    if origin in (dict, Mapping):
        return {k: typed(args[1], v) for k, v in value.items()}
    if isinstance(kind, type) and is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(
            **{
                f.name: typed(hints[f.name], value if f.name in FLATTENED else value[f.name])
                for f in fields(kind)
                if f.name in FLATTENED
                or f.name in value
                or (f.default is MISSING and f.default_factory is MISSING)
            }
        )
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


def daily_report(figures: Mapping[str, Any]) -> DailyReport:
    report: DailyReport = typed(DailyReport, figures)
    return report


def monthly_report(figures: Mapping[str, Any]) -> MonthlyReport:
    report: MonthlyReport = typed(MonthlyReport, figures)
    return report


def range_report(figures: Mapping[str, Any]) -> RangeReport:
    report: RangeReport = typed(RangeReport, figures)
    return report
