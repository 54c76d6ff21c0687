"""The report figures as text for a team leader, and as CSV rows for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from oss_desk.domain.needs import describe_need
from oss_desk.domain.stats import RAG_WORDS
from oss_desk.domain.text import event_log_head_lines, printable


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _min(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} min"


def _target(standard: Mapping[str, Any]) -> str:
    if standard["rule"] == "monitored":
        return "monitored"
    word = "over" if standard["rule"] == "over" else "at least"
    return f"target {word} {standard['target']}%"


def _standards(figures: Mapping[str, Any]) -> list[str]:
    lines = ["  Standards"]
    width = max((len(s["label"]) for s in figures["standards"]), default=0) + 2
    for s in figures["standards"]:
        status = RAG_WORDS.get(s["status"], "")
        note = _target(s) + (f": {status}" if status else "")
        lines.append(f"    {s['label']:<{width}}{_pct(s['value']):>7}   ({note})")
    return lines


def _row(label: str, value: object, note: str = "") -> str:
    return f"  {label:<32}{value!s:>9}" + (f"   ({note})" if note else "")


def _bars(title: str, counts: Mapping[str, int], label: Any = None) -> list[str]:
    lines = ["", f"  {title}"]
    peak = max(counts.values(), default=0)
    for key, count in counts.items():
        bar = "#" * (round(30 * count / peak) if peak else 0)
        lines.append(f"    {label(key) if label else key}  {count:4d}  {bar}")
    return lines


def _visit_lines(figures: Mapping[str, Any], service_names: Mapping[str, str]) -> list[str]:
    target = figures["target_minutes"]
    lines = [
        _row("Visits (arrivals)", figures["visits"]),
        _row("  walk-ins", figures["walk_ins"]),
        _row("  by appointment (checked in)", figures["appointment_visits"]),
        _row("Served at a desk", figures["served"]),
        _row("Dealt with at meet-and-greet", figures["quick_visits"]),
        _row("No-shows", figures["no_shows"]),
    ]
    if "still_waiting" in figures:
        lines.append(_row("Still waiting", figures["still_waiting"]))
    lines += [
        _row(
            f"Seen within {target} minutes",
            _pct(figures["within_15_min_pct"]),
            f"{figures['seen_within_target']} of {figures['seen']} seen",
        ),
        _row("Median wait to first contact", _min(figures["wait_median_minutes"])),
        _row("90% first contacted within", _min(figures["wait_p90_minutes"])),
        _row(
            "Resolved at first contact",
            _pct(figures["first_contact_resolution_pct"]),
            f"{figures['finished_first_contact']} of {figures['finished']} finished",
        ),
    ]
    lines += _bars("Arrivals by hour", figures["by_hour"], lambda h: f"{h}:00")
    lines += ["", "  Arrivals by service"]
    for code, count in figures["by_service"].items():
        lines.append(f"    {code}  {service_names.get(code, code):28s} {count:4d}")
    if len(figures["by_site"]) > 1:
        lines += ["", "  Arrivals by office"]
        for site, count in figures["by_site"].items():
            lines.append(f"    {site:31s} {count:4d}")
    lines += ["", "  Outcomes"]
    for outcome, count in figures["outcomes"].items():
        lines.append(f"    {outcome:12s} {count:4d}")
    lines += ["", "  Desks                       served   median    total"]
    for desk, d in figures["desks"].items():
        lines.append(
            f"    {desk:24s} {d['served']:6d} {_min(d['service_median_minutes']):>9}"
            f" {_min(d['service_total_minutes']):>10}"
        )
    if figures["advisers"]:
        lines += ["", "  Advisers                    served   median"]
        for a in figures["advisers"].values():
            lines.append(
                f"    {a['name'][:24]:24s} {a['served']:6d} {_min(a['service_median_minutes']):>9}"
            )
    lines += ["", "  Adjustments recorded at arrival"]
    for need, count in figures["adjustments"].items():
        lines.append(
            f"    {describe_need(need) if need != 'interpreter' else 'Interpreter':42s} {count:4d}"
        )
    return lines


def daily_text(figures: Mapping[str, Any], service_names: Mapping[str, str], site_name: str) -> str:
    day = date.fromisoformat(figures["date"])
    lines = [f"Daily footfall summary: {site_name}, {day:%A} {day.day} {day:%B %Y}", ""]
    lines += _standards(figures)
    lines.append("")
    lines += _visit_lines(figures, service_names)
    busiest = figures["busiest_hour"]
    lines += ["", f"  Busiest hour: {busiest}:00" if busiest else "  Busiest hour: none"]
    if figures["previous_weeks"]:
        lines += [
            "",
            f"  The same day in previous weeks ({day:%A}s)",
            "    date        visits served no-shows  within  first contact  median wait",
        ]
        for w in [
            {**{k: figures[k] for k in figures["previous_weeks"][0]}, "date": figures["date"]},
            *figures["previous_weeks"],
        ]:
            lines.append(
                f"    {w['date']}  {w['visits']:6d} {w['served']:6d} {w['no_shows']:8d}"
                f" {_pct(w['within_15_min_pct']):>7} {_pct(w['first_contact_resolution_pct']):>14}"
                f" {_min(w['wait_median_minutes']):>12}"
            )
    if "event_log_head" in figures:
        head = event_log_head_lines(figures["event_log_head"], 100)
        lines += ["", *(f"  {line}" for line in head)]
    return "\n".join(lines)


def monthly_text(
    figures: Mapping[str, Any], service_names: Mapping[str, str], site_name: str
) -> str:
    first = date.fromisoformat(figures["month"] + "-01")
    lines = [f"Monthly dashboard: {site_name}, {first:%B %Y}", ""]
    lines += _standards(figures)
    lines.append("")
    lines += _visit_lines(figures, service_names)
    lines += _bars("Arrivals by day", figures["by_day"], lambda d: f"{date.fromisoformat(d):%a %d}")
    cancelled = figures["appointments_cancelled"]
    council = figures["council_cancellations"]
    lines += [
        "",
        "  Appointments",
        _row("Booked", figures["appointments_booked"]),
        _row("Kept (checked in)", figures["appointments_kept"]),
        _row("No-shows", figures["appointments_no_show"]),
        _row("Kept, of kept and no-shows", _pct(figures["appointments_kept_pct"])),
        _row("Cancelled by the resident", cancelled["resident"]),
        _row("Cancelled by the council", cancelled["council"]),
        _row(
            "  with enough notice",
            _pct(council["with_notice_pct"]),
            f"{council['with_notice']} of {council['total']}; breaches {council['breaches']}",
        ),
        "    notice given (working days): "
        + ", ".join(f"{k}: {v}" for k, v in council["notice_days"].items()),
    ]
    calls = figures["calls"]
    if calls:
        lines += [
            "",
            "  Telephone calls",
            _row("Calls", calls.get("total")),
            _row("Answered", calls.get("answered"), _pct(calls.get("answered_pct"))),
            _row("Abandoned", calls.get("abandoned")),
            _row("Average wait (seconds)", calls.get("average_wait_seconds")),
        ]
    lines += [
        "",
        "  The last 12 months",
        "    month    visits  within  first contact  booked  kept  no-shows",
    ]
    for m in figures["trend"]:
        lines.append(
            f"    {m['month']}  {m['visits']:6d} {_pct(m['within_15_min_pct']):>7}"
            f" {_pct(m['first_contact_resolution_pct']):>14} {m['appointments_booked']:7d}"
            f" {m['appointments_kept']:5d} {m['appointments_no_show']:9d}"
        )
    return "\n".join(lines)


# CSV -------------------------------------------------------------------------------------------

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
    they are."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return printable(value)
