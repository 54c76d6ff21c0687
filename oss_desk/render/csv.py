"""The reports as CSV rows for a spreadsheet: the JSON figures, one value a row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from oss_desk.domain.reports import Report
from oss_desk.domain.text import printable
from oss_desk.render.json import as_json

_ENTRY_KEYS = ("date", "month", "key")


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    def join(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(join(str(key)), inner)
    elif _is_table(value):
        for index, entry in enumerate(value):
            name_key = next((k for k in _ENTRY_KEYS if k in entry), None)
            name = str(entry[name_key]) if name_key else str(index)
            rest = {k: v for k, v in entry.items() if k != name_key}
            yield from _flatten(join(name), rest)
    elif isinstance(value, list):
        yield prefix, ";".join(str(v) for v in value)
    else:
        yield prefix, value


def figures_csv(figures: Mapping[str, Any]) -> str:
    """Rows of (section, key, value): scalars under ``summary``; each dict or list of entries
    its own section, nested keys joined with dots (section ``desks``, key ``desk-1.served``).
    A text cell a spreadsheet would run as a formula is quoted (:func:`csv_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "value"])
    for key, value in figures.items():
        if isinstance(value, dict) or _is_table(value):
            for inner, cell in _flatten("", value):
                writer.writerow([csv_cell(key), csv_cell(inner), csv_cell(cell)])
        else:
            for _, cell in _flatten("", value):
                writer.writerow(["summary", csv_cell(key), csv_cell(cell)])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as written to CSV: None empty; text starting with = + - @ (or a tab or carriage
    return) prefixed with an apostrophe, so that a spreadsheet shows it instead of running it
    as a formula (OWASP's CSV injection advice); control characters shown escaped. Numbers as
    they are; true and false as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as the JSON says it, not Python's True
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return printable(value)


def report_csv(report: Report) -> str:
    """The report's JSON figures as CSV rows."""
    return figures_csv(as_json(report))
