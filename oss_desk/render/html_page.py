"""The HTML report's page and its building blocks: the page shell with its inline style and
Content-Security-Policy, sections, tables, headline figures, status badges and chart blocks.

The page makes no request of its own: the CSS is inline, there is no script, no web font and no
image by URL, and a Content-Security-Policy meta says so to the browser. It prints on A4 with a
page break between sections and reads without colour: every status is a word and a symbol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from oss_desk.domain.standards import Rule, Standard, Status
from oss_desk.render.formats import percent, target
from oss_desk.render.svg import Bar, bar_chart, e, num

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

RAG_TEXT = {
    Status.GREEN: ("\u2713", "Green: met"),
    Status.AMBER: ("!", "Amber: near (just below the target)"),
    Status.RED: ("\u2717", "Red: missed"),
    Status.NONE: ("\u2013", "Not rated"),
}


def badge(status: Status, label: str | None = None) -> str:
    symbol, text = RAG_TEXT[status]
    return (
        f'<span class="rag rag-{e(status.value)}"><span class="rag-symbol" aria-hidden="true">'
        f"{symbol}</span> {e(label or text)}</span>"
    )


def rating(s: Standard) -> str:
    """The standard's status badge as the report rated it: "No data" where it has no figure,
    "Monitored (no target)" where it is watched, not rated."""
    if s.status is Status.NONE and s.value is None:
        return badge(Status.NONE, "No data")
    if s.status is Status.NONE and s.rule is Rule.MONITORED:
        return badge(Status.NONE, "Monitored (no target)")
    return badge(s.status)


def standards_table(standards: Sequence[Standard]) -> str:
    rows = []
    for s in standards:
        rows.append(
            f'<tr data-standard="{e(s.key)}" data-status="{e(s.status.value)}">'
            f"<th scope=row>{e(s.label)}</th>"
            f'<td class="num">{percent(s.value)}</td>'
            f"<td>{e(target(s))}</td><td>{rating(s)}</td></tr>"
        )
        if s.definition:
            rows.append(f'<tr class="definition"><td colspan="4">{e(s.definition)}</td></tr>')
    return table(
        "Service standards", ["Standard", "Result", "Target", "Status"], rows, cls="standards"
    )


def table(caption: str, head: Sequence[str], rows: Iterable[str], cls: str = "data") -> str:
    heads = "".join(f"<th scope=col>{e(h)}</th>" for h in head)
    body = "\n".join(rows)
    return (
        f'<table class="{e(cls)}"><caption>{e(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def row(label: str, *cells: str) -> str:
    return (
        f"<tr><th scope=row>{e(label)}</th>"
        + "".join(f'<td class="num">{e(c)}</td>' for c in cells)
        + "</tr>"
    )


def figures(items: Sequence[tuple[str, str]]) -> str:
    """Headline figures as a definition list (large numbers, small labels)."""
    cells = "".join(
        f'<div class="figure"><dt>{e(label)}</dt><dd>{e(value)}</dd></div>'
        for label, value in items
    )
    return f'<dl class="figures">{cells}</dl>'


def figure(chart: str, caption: str, data_table: str = "") -> str:
    return (
        f'<figure class="chart-block"><figcaption>{e(caption)}</figcaption>'
        f"{chart}{data_table}</figure>"
    )


def bars_block(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    unit: str,
    first_column: str,
    data_table: str | None = None,
) -> str:
    """A bar chart with its caption and the table of its figures."""
    total = sum(b.value for b in bars)
    peak = max(bars, key=lambda b: b.value, default=None)
    if peak is None or not peak.value:
        desc = f"No {unit} recorded."
    else:
        desc = (
            f"{num(total)} {unit} in all; the most, {num(peak.value)}, "
            f"at {peak.label}. The table below gives every value."
        )
    if data_table is None:
        rows = [row(b.label, num(b.value)) for b in bars]
        data_table = table(f"{title}: the figures", [first_column, unit.capitalize()], rows)
    return figure(bar_chart(chart_id, title, desc, bars, unit=unit), title, data_table)


def section(section_id: str, heading: str, *parts: str) -> str:
    inner = "\n".join(p for p in parts if p)
    return f'<section id="{e(section_id)}">\n<h2>{e(heading)}</h2>\n{inner}\n</section>'


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
tr.definition td { color: var(--muted); font-size: .8rem; border-bottom: 1px solid var(--line);
  padding-top: 0; }
svg.spark polyline { fill: none; stroke: var(--bar); stroke-width: 1.5; }
svg.spark circle { fill: var(--bar); }
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


def page(*, title: str, council: str, heading: str, sub: str, sections: Sequence[str]) -> str:
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
