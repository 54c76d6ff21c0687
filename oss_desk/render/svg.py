"""Charts as inline SVG for the HTML report: bars and lines, hand-written.

A charting library would add a dependency and, usually, a script or external assets, for two
kinds of chart that fit in a few dozen lines. Every chart reads without colour: a ``<title>``
and a ``<desc>`` for screen readers, each line its own dash and marker shape, and a data table
under it in the page. Every value taken from the data or the configuration is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from oss_desk.domain.calendar import hour_said


def polylines(points: Sequence[tuple[float, float] | None], attributes: str = "") -> str:
    """One ``<polyline>`` per run of points between gaps (None); a lone point draws no line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return "".join(
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}"{attributes}/>'
        for run in runs
        if len(run) > 1
    )


def e(value: object) -> str:
    """Escaped text for an element or an attribute."""
    return escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    """What the bar stands for (an hour, a service code, a day): ``data-key`` in the SVG."""
    tick: str
    """The label under the bar."""
    label: str
    """The full label, for the tooltip and the data table."""
    value: float


def hour_bars(by_hour: Mapping[str, int]) -> list[Bar]:
    """A bar an hour of the day (``by_hour``'s keys: ``"09"``; the day the clocks go back,
    ``"01 BST"`` and ``"01 GMT"``), labelled "09:00 to 09:59" (:func:`hour_said`)."""
    return [Bar(h, h, hour_said(h, to=True), v) for h, v in by_hour.items()]


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


def num(x: float) -> str:
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
            f"{num(tick)}</text>"
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
            f'height="{h:.1f}" data-key="{e(b.key)}" data-value="{num(b.value)}">'
            f"<title>{e(b.label)}: {num(b.value)} {e(unit)}</title></rect>"
        )
        if slot >= 18 and b.value:
            parts.append(
                f'<text class="value" x="{cx:.1f}" y="{base - h - 4:.1f}" '
                f'text-anchor="middle" aria-hidden="true">{num(b.value)}</text>'
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
            f"Target {num(target)}%</text></g>"
        )
    legend_x = left
    for s in series:
        style = s.style % 3
        dash = f' stroke-dasharray="{_DASHES[style]}"' if _DASHES[style] else ""
        points = [
            None if v is None else (left + (i + 0.5) * slot, base - plot_h * v / scale_top)
            for i, v in enumerate(s.values)
        ]
        lines = polylines(points, dash)
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
