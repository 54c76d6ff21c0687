"""The daily and monthly reports as one self-contained HTML page (pure string building).

The page makes no request of its own: the CSS is inline, there is no script, no web font and no
image by URL, and a Content-Security-Policy meta says so to the browser. It prints on A4 with a
page break between sections and reads without colour: every RAG status is a word and a symbol,
every chart has a ``<title>``, a ``<desc>`` and a data table under it.

The charts are hand-written inline SVG (bars and lines): a charting library would add a
dependency and, usually, a script or external assets, for four kinds of chart that fit in a few
dozen lines. Every value taken from the data or the configuration is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from oss_desk.domain.needs import describe_need
from oss_desk.domain.stats import rag_status
from oss_desk.domain.text import event_log_head_lines

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

OUTCOME_LABELS = {
    "resolved": "Resolved",
    "signposted": "Signposted",
    "referred": "Referred to a back office",
    "appointment": "Needs an appointment",
    "callback": "Callback arranged",
}

RAG_TEXT = {
    "green": ("\u2713", "Green: met"),
    "amber": ("!", "Amber: near (just below the target)"),
    "red": ("\u2717", "Red: missed"),
    "none": ("\u2013", "Not rated"),
}


# Formatting ------------------------------------------------------------------------------------


def e(value: object) -> str:
    """Escaped text for an element or an attribute."""
    return escape("" if value is None else str(value), quote=True)


def _pct(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1f}%"  # type: ignore[arg-type]


def _minutes(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1f} min"  # type: ignore[arg-type]


def _count(value: object) -> str:
    return "n/a" if value is None else str(value)


def _long_date(day: str) -> str:
    try:
        when = date.fromisoformat(day)
    except (TypeError, ValueError):
        return str(day)
    return f"{when:%A} {when.day} {when:%B %Y}"


def _long_month(month: str) -> str:
    try:
        when = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        return str(month)
    return f"{when:%B %Y}"


def _short_month(month: str) -> str:
    try:
        return f"{date.fromisoformat(f'{month}-01'):%b %y}"
    except (TypeError, ValueError):
        return str(month)


def _need_label(key: str) -> str:
    return "Interpreter (any language)" if key == "interpreter" else describe_need(key)


# Standards -------------------------------------------------------------------------------------


def _target_text(rule: str, target: object) -> str:
    if rule == "monitored":
        return "monitored"
    return f"{'over' if rule == 'over' else 'at least'} {target}%"


def badge(status: str, label: str | None = None) -> str:
    symbol, text = RAG_TEXT.get(status, RAG_TEXT["none"])
    shown = label or text
    return (
        f'<span class="rag rag-{e(status)}"><span class="rag-symbol" aria-hidden="true">'
        f"{symbol}</span> {e(shown)}</span>"
    )


def _daily_standards(data: Mapping[str, Any], amber_points: float) -> list[dict[str, Any]]:
    minutes = data.get("target_minutes", 15)
    rows = [
        ("within_15_min", f"Seen within {minutes} minutes", "within_15_min_pct", "over"),
        ("first_contact", "Resolved at first contact", "first_contact_resolution_pct", "at_least"),
    ]
    return [
        {
            "key": key,
            "label": label,
            "value": data.get(field),
            "target": 80,
            "rule": rule,
            "status": rag_status(data.get(field), 80, rule, amber_points),
        }
        for key, label, field, rule in rows
    ]


def _standards_table(standards: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for s in standards:
        rule = str(s.get("rule", "at_least"))
        status = str(s.get("status") or "none")
        if status == "none" and rule == "monitored" and s.get("value") is not None:
            shown = badge("none", "Monitored (no target)")
        elif status == "none" and s.get("value") is None:
            shown = badge("none", "No data")
        else:
            shown = badge(status)
        rows.append(
            f'<tr data-standard="{e(s.get("key"))}" data-status="{e(status)}">'
            f"<th scope=row>{e(s.get('label', s.get('key')))}</th>"
            f'<td class="num">{_pct(s.get("value"))}</td>'
            f"<td>{e(_target_text(rule, s.get('target')))}</td><td>{shown}</td></tr>"
        )
    return _table(
        "Service standards",
        ["Standard", "Result", "Target", "Status"],
        rows,
        cls="standards",
    )


# Tables ----------------------------------------------------------------------------------------


def _table(caption: str, head: Sequence[str], rows: Iterable[str], cls: str = "data") -> str:
    heads = "".join(f"<th scope=col>{e(h)}</th>" for h in head)
    body = "\n".join(rows)
    return (
        f'<table class="{e(cls)}"><caption>{e(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def _row(label: str, *cells: str) -> str:
    return (
        f"<tr><th scope=row>{e(label)}</th>"
        + "".join(f'<td class="num">{e(c)}</td>' for c in cells)
        + "</tr>"
    )


def _figures(items: Sequence[tuple[str, str]]) -> str:
    """Headline figures as a definition list (large numbers, small labels)."""
    cells = "".join(
        f'<div class="figure"><dt>{e(label)}</dt><dd>{e(value)}</dd></div>'
        for label, value in items
    )
    return f'<dl class="figures">{cells}</dl>'


# Charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    """What the bar stands for (an hour, a service code, a day): ``data-key`` in the SVG."""
    tick: str
    """The label under the bar."""
    label: str
    """The full label, for the tooltip and the data table."""
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]
    style: int = 0
    """0, 1, 2: a different line dash and marker shape each, so colour is not needed."""


def _scale(peak: float, fixed_top: float | None = None) -> tuple[float, float]:
    """``(top, step)`` of the value axis: a round top with four or five gridlines."""
    if fixed_top is not None:
        return fixed_top, fixed_top / 5
    if peak <= 0:
        return 4.0, 1.0
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return math.ceil(peak / step) * step, step


def _num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _frame(
    chart_id: str, title: str, desc: str, width: int, height: int, content: str, cls: str
) -> str:
    return (
        f'<svg class="chart {cls}" id="{e(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc">'
        f'<title id="{e(chart_id)}-title">{e(title)}</title>'
        f'<desc id="{e(chart_id)}-desc">{e(desc)}</desc>{content}</svg>'
    )


def _axis(left: int, top: int, right: int, base: int, scale_top: float, step: float) -> str:
    plot_h = base - top
    parts = []
    tick = 0.0
    while tick <= scale_top + 1e-9:
        y = base - plot_h * tick / scale_top
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_num(tick)}</text>"
        )
        tick += step
    parts.append(f'<line class="axis" x1="{left}" x2="{right}" y1="{base}" y2="{base}"/>')
    return f'<g aria-hidden="true">{"".join(parts)}</g>'


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    unit: str,
    width: int = 680,
    height: int = 240,
) -> str:
    """A bar chart: each bar a ``rect.bar`` with ``data-key`` and ``data-value``; the value over
    the bar when there is room, the tick under it."""
    left, top, right, bottom = 44, 16, 8, 30
    base = height - bottom
    plot_w, plot_h = width - left - right, base - top
    scale_top, step = _scale(max((b.value for b in bars), default=0))
    parts = [_axis(left, top, width - right, base, scale_top, step)]
    slot = plot_w / max(1, len(bars))
    bar_w = max(2.0, slot * 0.72)
    every = 1 if slot >= 16 else 2
    for i, b in enumerate(bars):
        h = plot_h * b.value / scale_top if scale_top else 0.0
        x = left + i * slot + (slot - bar_w) / 2
        cx = left + (i + 0.5) * slot
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" data-key="{e(b.key)}" data-value="{_num(b.value)}">'
            f"<title>{e(b.label)}: {_num(b.value)} {e(unit)}</title></rect>"
        )
        if slot >= 18 and b.value:
            parts.append(
                f'<text class="value" x="{cx:.1f}" y="{base - h - 4:.1f}" '
                f'text-anchor="middle" aria-hidden="true">{_num(b.value)}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{cx:.1f}" y="{base + 16}" text-anchor="middle" '
                f'aria-hidden="true">{e(b.tick)}</text>'
            )
    return _frame(chart_id, title, desc, width, height, "".join(parts), "bars")


_DASHES = ("", "7 4", "2 3")


def _marker(style: int, x: float, y: float) -> str:
    if style == 1:
        return f'<rect class="marker" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7"/>'
    if style == 2:
        return (
            f'<polygon class="marker" points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} '
            f'{x - 4.5:.1f},{y + 3.5:.1f}"/>'
        )
    return f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    ticks: Sequence[str],
    series: Sequence[Series],
    *,
    fixed_top: float | None = None,
    target: float | None = None,
    width: int = 680,
    height: int = 250,
) -> str:
    """Lines over ``ticks`` (a gap where a value is missing), a dashed target line, a legend."""
    left, top, right, bottom = 44, 34, 12 if target is None else 78, 30
    base = height - bottom
    plot_w, plot_h = width - left - right, base - top
    peak = max((v for s in series for v in s.values if v is not None), default=0)
    scale_top, step = _scale(float(peak), fixed_top)
    parts = [_axis(left, top, width - right, base, scale_top, step)]
    slot = plot_w / max(1, len(ticks))
    for i, tick in enumerate(ticks):
        parts.append(
            f'<text class="tick" x="{left + (i + 0.5) * slot:.1f}" y="{base + 16}" '
            f'text-anchor="middle" aria-hidden="true">{e(tick)}</text>'
        )
    if target is not None:
        y = base - plot_h * target / scale_top
        parts.append(
            f'<g class="target"><line x1="{left}" x2="{width - right}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text x="{width - right + 6}" y="{y + 4:.1f}">'
            f"Target {_num(target)}%</text></g>"
        )
    legend_x = left
    for s in series:
        style = s.style % 3
        dash = f' stroke-dasharray="{_DASHES[style]}"' if _DASHES[style] else ""
        points = [
            None if v is None else (left + (i + 0.5) * slot, base - plot_h * v / scale_top)
            for i, v in enumerate(s.values)
        ]
        runs: list[list[tuple[float, float]]] = [[]]
        for point in points:
            if point is None:
                runs.append([])
            else:
                runs[-1].append(point)
        lines = "".join(
            f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}"{dash}/>'
            for run in runs
            if len(run) > 1
        )
        markers = "".join(_marker(style, x, y) for x, y in (p for p in points if p))
        parts.append(
            f'<g class="series series-{style}" data-series="{e(s.name)}">{lines}{markers}</g>'
            f'<g class="legend series-{style}" aria-hidden="true">'
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="12" y2="12"{dash}/>'
            f"{_marker(style, legend_x + 12, 12)}"
            f'<text x="{legend_x + 30}" y="16">{e(s.name)}</text></g>'
        )
        legend_x += 40 + 7 * len(s.name)
    return _frame(chart_id, title, desc, width, height, "".join(parts), "lines")


def _figure(chart: str, caption: str, table: str = "") -> str:
    return (
        f'<figure class="chart-block"><figcaption>{e(caption)}</figcaption>{chart}{table}</figure>'
    )


def _bars_block(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    unit: str,
    first_column: str,
    table: str | None = None,
) -> str:
    total = sum(b.value for b in bars)
    peak = max(bars, key=lambda b: b.value, default=None)
    if peak is None or not peak.value:
        desc = f"No {unit} recorded."
    else:
        desc = (
            f"{_num(total)} {unit} in all; the most, {_num(peak.value)}, "
            f"at {peak.label}. The table below gives every value."
        )
    if table is None:
        rows = [_row(b.label, _num(b.value)) for b in bars]
        table = _table(f"{title}: the figures", [first_column, unit.capitalize()], rows)
    return _figure(bar_chart(chart_id, title, desc, bars, unit=unit), title, table)


def _hour_bars(by_hour: Mapping[str, int]) -> list[Bar]:
    return [Bar(h, h, f"{h}:00 to {h}:59", v) for h, v in by_hour.items()]


def _service_bars(by_service: Mapping[str, int], names: Mapping[str, str]) -> list[Bar]:
    return [
        Bar(code, code, f"{code} {names.get(code, code)}", count)
        for code, count in by_service.items()
    ]


# The page --------------------------------------------------------------------------------------

STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #505a5f; --line: #b1b4b6;
  --bar: #1d70b8; --green: #00703c; --amber: #8a4b00; --red: #b10e1e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; margin: 0 auto; max-width: 60rem;
  padding: 1.5rem; line-height: 1.4; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 1rem; }
.council { margin: 0; font-weight: 600; color: var(--muted); }
h1 { margin: .2rem 0; font-size: 1.8rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.sub { margin: 0 0 .8rem; font-size: 1.1rem; }
section { margin-bottom: 2rem; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr));
  gap: .6rem; margin: 0 0 1rem; }
.figure { border: 1px solid var(--line); border-left: 4px solid var(--ink); padding: .4rem .6rem; }
.figure dt { font-size: .85rem; color: var(--muted); }
.figure dd { margin: 0; font-size: 1.5rem; font-weight: 700; }
table { border-collapse: collapse; margin: .5rem 0 1rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0 0 1.5rem; }
figcaption { font-weight: 600; margin: .2rem 0; }
figure table.data { font-size: .85rem; }
svg.chart { max-width: 100%; height: auto; display: block; font-size: 11px; }
svg .grid { stroke: #dfe1e2; stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1.5; }
svg .tick { fill: var(--muted); }
svg .value { fill: var(--ink); font-size: 10px; }
svg .bar { fill: var(--bar); }
svg .series polyline, svg .legend line { fill: none; stroke-width: 2.5; }
svg .series-0 polyline, svg .series-0 line { stroke: #1d70b8; }
svg .series-1 polyline, svg .series-1 line { stroke: #d4351c; }
svg .series-2 polyline, svg .series-2 line { stroke: #00703c; }
svg .series-0 .marker { fill: #1d70b8; }
svg .series-1 .marker { fill: #d4351c; }
svg .series-2 .marker { fill: #00703c; }
svg .legend text { fill: var(--ink); }
svg .target line { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .target text { fill: var(--ink); font-weight: 600; }
.rag { display: inline-block; border: 2px solid currentColor; border-radius: 3px;
  padding: 0 .4rem; font-weight: 700; }
.rag-green { color: var(--green); }
.rag-amber { color: var(--amber); }
.rag-red { color: var(--red); }
.rag-none { color: var(--muted); }
td .day { color: var(--muted); font-size: .75rem; margin-right: .3rem; }
.note { color: var(--muted); font-size: .9rem; }
footer { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: .5rem;
  color: var(--muted); font-size: .85rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section + section { break-before: page; }
  figure, table, dl.figures { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _page(*, title: str, council: str, heading: str, sub: str, sections: Sequence[str]) -> str:
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="oss-desk">
<title>{e(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<p class="council">{e(council)}</p>
<h1>{e(heading)}</h1>
<p class="sub">{e(sub)}</p>
</header>
<main>
{body}
</main>
<footer>Produced by oss-desk from the office's event log. Residents' personal details are never
part of these figures.</footer>
</body>
</html>
"""


def _section(section_id: str, heading: str, *parts: str) -> str:
    inner = "\n".join(p for p in parts if p)
    return f'<section id="{e(section_id)}">\n<h2>{e(heading)}</h2>\n{inner}\n</section>'


def _outcomes_table(outcomes: Mapping[str, int]) -> str:
    total = sum(outcomes.values())
    rows = [
        _row(
            OUTCOME_LABELS.get(key, key),
            str(count),
            _pct(round(100 * count / total, 1)) if total else "n/a",
        )
        for key, count in outcomes.items()
    ]
    return _table("Outcomes of finished visits", ["Outcome", "Visits", "Share"], rows)


def _sites_line(data: Mapping[str, Any], site_name: str) -> str:
    sites = data.get("sites") or []
    if data.get("site") is None and len(sites) > 1:
        return f"{site_name} ({', '.join(str(s) for s in sites)})"
    return site_name


def _by_site_table(by_site: Mapping[str, int]) -> str:
    if len(by_site) < 2:
        return ""
    return _table(
        "Visits by office", ["Office", "Visits"], [_row(k, str(v)) for k, v in by_site.items()]
    )


def daily_html(
    data: Mapping[str, Any],
    *,
    council: str,
    site_name: str,
    service_names: Mapping[str, str],
    desk_names: Mapping[str, str] | None = None,
    amber_points: float = 10,
) -> str:
    """The daily report (``ReportService.daily``'s dict) as one self-contained HTML page."""
    day = str(data.get("date", ""))
    minutes = data.get("target_minutes", 15)
    place = _sites_line(data, site_name)
    standards = data.get("standards") or _daily_standards(data, amber_points)
    busiest = data.get("busiest_hour")
    headline = _figures(
        [
            ("Visits (arrivals)", _count(data.get("visits"))),
            ("Walk-ins", _count(data.get("walk_ins"))),
            ("Appointment visits", _count(data.get("appointment_visits"))),
            ("Served at a desk", _count(data.get("served"))),
            ("Dealt with at meet-and-greet", _count(data.get("quick_visits"))),
            ("No-shows", _count(data.get("no_shows"))),
            ("Still waiting", _count(data.get("still_waiting"))),
            ("Median wait", _minutes(data.get("wait_median_minutes"))),
            ("90th percentile wait", _minutes(data.get("wait_p90_minutes"))),
            ("Busiest hour", f"{busiest}:00" if busiest else "n/a"),
        ]
    )
    seen = (
        f'<p class="note">{e(_count(data.get("seen_within_target")))} of '
        f"{e(_count(data.get('seen')))} visitors first seen within {e(minutes)} minutes; "
        f"{e(_count(data.get('finished_first_contact')))} of {e(_count(data.get('finished')))} "
        "finished visits resolved or signposted at first contact.</p>"
    )
    by_hour = data.get("by_hour") or {}
    by_service = data.get("by_service") or {}
    arrivals = _section(
        "arrivals",
        "Arrivals",
        _bars_block(
            "chart-by-hour",
            "Arrivals by hour",
            _hour_bars(by_hour),
            unit="arrivals",
            first_column="Hour",
        ),
        _bars_block(
            "chart-by-service",
            "Arrivals by service",
            _service_bars(by_service, service_names),
            unit="arrivals",
            first_column="Service",
        ),
        _by_site_table(data.get("by_site") or {}),
    )
    work = _work_section(data, desk_names or {})
    previous = _previous_weeks(data)
    return _page(
        title=f"Daily footfall report: {place}, {_long_date(day)}",
        council=council,
        heading="Daily footfall report",
        sub=f"{place} \u00b7 {_long_date(day)}",
        sections=[
            _section("summary", "Summary", headline, _standards_table(standards), seen),
            arrivals,
            work,
            previous,
            _event_log_head(data),
        ],
    )


def _event_log_head(data: Mapping[str, Any]) -> str:
    """The day's event log head: a copy of it outside the database anchors the record."""
    if "event_log_head" not in data:
        return ""
    text = " ".join(event_log_head_lines(data["event_log_head"], width=200))
    return f'<p class="note" id="event-log-head">{e(text)}</p>'


def _work_section(data: Mapping[str, Any], desk_names: Mapping[str, str]) -> str:
    """Outcomes, desks, advisers and adjustments (the daily and the monthly page)."""
    return _section(
        "work",
        "Outcomes, desks and adjustments",
        _outcomes_table(data.get("outcomes") or {}),
        _desks_table(data.get("desks") or {}, desk_names),
        _advisers_table(data.get("advisers") or {}),
        _adjustments_table(data.get("adjustments") or {}),
    )


def _desks_table(desks: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> str:
    if not desks:
        return ""
    rows = [
        _row(
            names.get(desk, desk),
            _count(d.get("served")),
            _minutes(d.get("service_median_minutes")),
            _minutes(d.get("service_total_minutes")),
        )
        for desk, d in desks.items()
    ]
    return _table("Desks", ["Desk", "Served", "Median service time", "Total service time"], rows)


def _advisers_table(advisers: Mapping[str, Mapping[str, Any]]) -> str:
    if not advisers:
        return ""
    rows = [
        _row(
            str(a.get("name") or staff),
            _count(a.get("served")),
            _minutes(a.get("service_median_minutes")),
        )
        for staff, a in advisers.items()
    ]
    return _table("Advisers", ["Adviser", "Served", "Median service time"], rows)


def _adjustments_table(adjustments: Mapping[str, int]) -> str:
    if not adjustments:
        return ""
    rows = [_row(_need_label(k), str(v)) for k, v in adjustments.items()]
    return _table("Reasonable adjustments recorded at arrival", ["Adjustment", "Visits"], rows)


_WEEK_FIELDS = (
    ("visits", "Visits", _count),
    ("served", "Served", _count),
    ("no_shows", "No-shows", _count),
    ("within_15_min_pct", "Within target", _pct),
    ("first_contact_resolution_pct", "First contact", _pct),
    ("wait_median_minutes", "Median wait", _minutes),
    ("wait_p90_minutes", "90th pct wait", _minutes),
)


def _previous_weeks(data: Mapping[str, Any]) -> str:
    weeks = data.get("previous_weeks") or []
    if not weeks:
        return ""
    rows = [
        _row(label, *(fmt(row.get(key)) for key, _, fmt in _WEEK_FIELDS))
        for label, row in [
            (f"{_long_date(str(data.get('date')))} (this day)", data),
            *((_long_date(str(w.get("date"))), w) for w in weeks),
        ]
    ]
    return _section(
        "previous-weeks",
        "Compared with the same day in previous weeks",
        _table(
            "The same weekday, newest first",
            ["Day", *(label for _, label, _ in _WEEK_FIELDS)],
            rows,
        ),
    )


def monthly_html(
    data: Mapping[str, Any],
    *,
    council: str,
    site_name: str,
    service_names: Mapping[str, str],
    desk_names: Mapping[str, str] | None = None,
    amber_points: float = 10,
) -> str:
    """The monthly report (``ReportService.monthly``'s dict) as one self-contained HTML page."""
    month = str(data.get("month", ""))
    place = _sites_line(data, site_name)
    standards = data.get("standards") or _daily_standards(data, amber_points)
    headline = _figures(
        [
            ("Visits (arrivals)", _count(data.get("visits"))),
            ("Walk-ins", _count(data.get("walk_ins"))),
            ("Appointment visits", _count(data.get("appointment_visits"))),
            ("Served at a desk", _count(data.get("served"))),
            ("Dealt with at meet-and-greet", _count(data.get("quick_visits"))),
            ("No-shows", _count(data.get("no_shows"))),
            ("Median wait", _minutes(data.get("wait_median_minutes"))),
            ("90th percentile wait", _minutes(data.get("wait_p90_minutes"))),
        ]
    )
    by_day = data.get("by_day") or {}
    day_bars = [
        Bar(day, str(int(day[-2:])) if day[-2:].isdigit() else day, _long_date(day), count)
        for day, count in by_day.items()
    ]
    visits = _section(
        "visits",
        "Visits",
        _bars_block(
            "chart-by-day",
            "Visits by day",
            day_bars,
            unit="visits",
            first_column="Day",
            table=_calendar(by_day),
        ),
        _bars_block(
            "chart-by-hour",
            "Arrivals by hour",
            _hour_bars(data.get("by_hour") or {}),
            unit="arrivals",
            first_column="Hour",
        ),
        _bars_block(
            "chart-by-service",
            "Arrivals by service",
            _service_bars(data.get("by_service") or {}, service_names),
            unit="arrivals",
            first_column="Service",
        ),
        _by_site_table(data.get("by_site") or {}),
    )
    work = _work_section(data, desk_names or {})
    return _page(
        title=f"Monthly report: {place}, {_long_month(month)}",
        council=council,
        heading="Monthly performance report",
        sub=f"{place} \u00b7 {_long_month(month)}",
        sections=[
            _section("summary", "Summary", headline, _standards_table(standards)),
            visits,
            work,
            _appointments(data),
            _trend(data.get("trend") or []),
            _calls(data.get("calls")),
        ],
    )


def _calendar(by_day: Mapping[str, int]) -> str:
    """The month's visits as a calendar: a row a week, Monday first."""
    weeks: list[list[str]] = []
    for day, count in by_day.items():
        try:
            when = date.fromisoformat(day)
        except ValueError:
            continue
        if not weeks or when.weekday() == 0:
            weeks.append([""] * 7)
        weeks[-1][when.weekday()] = (
            f'<td class="num" data-day="{e(day)}"><span class="day">{when.day}</span> '
            f"{e(count)}</td>"
        )
    rows = ["<tr>" + "".join(cell or "<td></td>" for cell in week) + "</tr>" for week in weeks]
    head = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return _table("Visits by day: the figures (day of the month, then visits)", head, rows)


def _appointments(data: Mapping[str, Any]) -> str:
    cancelled = data.get("appointments_cancelled") or {}
    figures = _figures(
        [
            ("Booked", _count(data.get("appointments_booked"))),
            ("Kept", _count(data.get("appointments_kept"))),
            ("No-shows", _count(data.get("appointments_no_show"))),
            ("Kept (of kept and no-shows)", _pct(data.get("appointments_kept_pct"))),
            ("Cancelled by the council", _count(cancelled.get("council", 0))),
            ("Cancelled by the resident", _count(cancelled.get("resident", 0))),
        ]
    )
    cc = data.get("council_cancellations") or {}
    notice = cc.get("notice_days") or {}
    notice_rows = [
        _row(f"{days} working day{'' if days == '1' else 's'}", str(count))
        for days, count in notice.items()
    ]
    if not cc.get("total"):
        return _section(
            "appointments",
            "Appointments",
            figures,
            '<p class="note">The council cancelled no appointments this month.</p>',
        )
    summary = (
        f'<p class="note">The council cancelled {e(_count(cc.get("total", 0)))} appointments: '
        f"{e(_count(cc.get('with_notice', 0)))} with the notice required "
        f"({e(_pct(cc.get('with_notice_pct')))}), {e(_count(cc.get('breaches', 0)))} "
        "without.</p>"
    )
    table = (
        _table("Notice given when the council cancelled", ["Notice", "Appointments"], notice_rows)
        if notice_rows
        else ""
    )
    return _section("appointments", "Appointments", figures, summary, table)


def _trend(trend: Sequence[Mapping[str, Any]]) -> str:
    if not trend:
        return ""
    ticks = [_short_month(str(t.get("month"))) for t in trend]
    visits = line_chart(
        "chart-trend-visits",
        "Visits per month, last 12 months",
        "Monthly visits from "
        f"{_long_month(str(trend[0].get('month')))} to {_long_month(str(trend[-1].get('month')))}"
        ". The table below gives every value.",
        ticks,
        [Series("Visits", [t.get("visits") for t in trend], 0)],
    )
    standards = line_chart(
        "chart-trend-standards",
        "Service standards, last 12 months",
        "Share seen within target and share resolved at first contact each month, against the "
        "80% target. Months without data leave a gap. The table below gives every value.",
        ticks,
        [
            Series("Seen within target", [t.get("within_15_min_pct") for t in trend], 0),
            Series("First contact", [t.get("first_contact_resolution_pct") for t in trend], 1),
        ],
        fixed_top=100,
        target=80,
    )
    rows = [
        _row(
            _long_month(str(t.get("month"))),
            _count(t.get("visits")),
            _pct(t.get("within_15_min_pct")),
            _pct(t.get("first_contact_resolution_pct")),
            _count(t.get("appointments_booked")),
            _count(t.get("appointments_kept")),
            _count(t.get("appointments_no_show")),
        )
        for t in trend
    ]
    table = _table(
        "Last 12 months: the figures",
        ["Month", "Visits", "Within target", "First contact", "Booked", "Kept", "No-shows"],
        rows,
    )
    return _section(
        "trend",
        "The last 12 months",
        _figure(visits, "Visits per month"),
        _figure(standards, "Service standards per month"),
        table,
    )


def _calls(calls: Mapping[str, Any] | None) -> str:
    if not calls:
        return ""
    wait = calls.get("average_wait_seconds")
    figures = _figures(
        [
            ("Calls", _count(calls.get("total"))),
            ("Answered", _count(calls.get("answered"))),
            ("Abandoned", _count(calls.get("abandoned"))),
            ("Answered share", _pct(calls.get("answered_pct"))),
            ("Average wait", "n/a" if wait is None else f"{float(wait):.0f} s"),
        ]
    )
    return _section(
        "calls",
        "Telephone calls",
        figures,
        _bars_block(
            "chart-calls-by-hour",
            "Calls by hour",
            _hour_bars(calls.get("by_hour") or {}),
            unit="calls",
            first_column="Hour",
        ),
    )
