"""The HTML reports: escaped, self-contained, and what a real browser shows and prints.

The browser tests open the page in headless Debian chromium (``/usr/bin/chromium``) through
Playwright, with every request recorded: nothing may leave the machine. They fail, never skip,
when chromium is missing: CI installs it.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oss_desk.domain.reports import ReportNames
from oss_desk.render.html import daily_html, monthly_html
from oss_desk.render.html_page import CSP

from .conftest import Cli, make_db, site_toml
from .report_fixtures import ARRIVALS, SERVICES, daily_fixture, monthly_fixture, scripted_day
from .report_values import daily_report, monthly_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = '<script>alert("x")</script> & O\'Brien'


def render_daily(data: dict[str, Any] | None = None, **names: Any) -> str:
    return daily_html(
        daily_report(data or daily_fixture()),
        ReportNames(
            council=names.get("council", "Test Council"),
            site_name=names.get("site_name", "Civic Centre"),
            service_names=names.get("service_names", SERVICES),
        ),
    )


def render_monthly(data: dict[str, Any] | None = None, **names: Any) -> str:
    return monthly_html(
        monthly_report(data or monthly_fixture()),
        ReportNames(
            council=names.get("council", "Test Council"),
            site_name=names.get("site_name", "Civic Centre"),
            service_names=names.get("service_names", SERVICES),
        ),
    )


# The page as text ------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_daily, render_monthly])
def test_names_from_the_configuration_are_escaped(render: Any) -> None:
    page = render(
        council=HOSTILE,
        site_name=HOSTILE,
        service_names={code: HOSTILE for code in SERVICES},
    )
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#x27;Brien" in page


def test_staff_names_are_escaped() -> None:
    data = daily_fixture()
    data["advisers"]["asmith"]["name"] = "<b>A</b> Smith"
    page = render_daily(data)
    assert "<b>A</b>" not in page and "&lt;b&gt;A&lt;/b&gt; Smith" in page


@pytest.mark.parametrize("render", [render_daily, render_monthly])
def test_the_page_asks_for_nothing_outside_itself(render: Any) -> None:
    page = render()
    assert (
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'.replace("'", "&#x27;")
        in page
    )
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|@font-face", page)
    # The only URL is the SVG namespace (a name, never fetched).
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_daily_page_content() -> None:
    page = render_daily()
    assert "<title>Daily footfall report: Civic Centre, Monday 23 November 2026</title>" in page
    # RAG status in words, not colour only: 84.0 is over 80; 74.5 is within 10 points of 80.
    assert re.search(r'data-standard="within_15_min" data-status="green".*?Green: met', page)
    assert re.search(r'data-standard="first_contact" data-status="amber".*?Amber: near', page)
    assert page.count('<svg class="chart') == 2
    assert page.count('class="bar"') == len(daily_fixture()["by_hour"]) + len(SERVICES)
    assert "C Council Tax" in page  # service names from the configuration
    assert "Interpreter (Polish)" in page and "BSL interpreter" in page
    assert "Monday 26 October 2026" in page  # four weeks back
    for section in ("summary", "arrivals", "work", "previous-weeks"):
        assert f'<section id="{section}">' in page


def test_monthly_page_content() -> None:
    data = monthly_fixture()
    page = render_monthly(data)
    assert "Monthly performance report" in page and "October 2026" in page
    assert page.count('<svg class="chart bars"') == 4  # by day, by hour, by service, calls
    assert page.count('<svg class="chart lines"') == 2  # the 12-month trends
    assert page.count('class="bar"') == 31 + 8 + 4 + 4
    statuses = re.findall(r'data-standard="(\w+)" data-status="(\w+)"', page)
    assert statuses == [
        ("within_15_min", "amber"),
        ("first_contact", "amber"),
        ("appointments_kept", "none"),
        ("council_notice", "red"),
    ]
    assert "Monitored (no target)" in page and "Red: missed" in page
    # A month without data breaks the line rather than drawing it through zero.
    trend = page[page.index('id="chart-trend-standards"') :]
    series = trend[trend.index('data-series="Seen within target"') :]
    series = series[: series.index("</g>")]
    assert series.count("<polyline") == 2 and series.count("<circle") == 11
    assert "0 working days" in page and "1 working day<" in page
    for section in ("summary", "visits", "work", "appointments", "trend", "calls"):
        assert f'<section id="{section}">' in page
    assert "A Smith" in page and "desk-3" in page  # desks and advisers, as in the other formats


def test_monthly_without_calls_or_trend() -> None:
    data = monthly_fixture()
    data["calls"] = None
    data["trend"] = []
    data["council_cancellations"] = {
        "total": 0,
        "with_notice": 0,
        "breaches": 0,
        "with_notice_pct": None,
        "notice_days": {"0": 0, "1": 0, "2": 0, "3-4": 0, "5+": 0},
    }
    page = render_monthly(data)
    assert 'id="trend"' not in page
    assert "No calls were imported for this period." in page  # said, not left out
    assert page.count('<svg class="chart') == 3
    assert "The council cancelled no appointments this month." in page
    assert "0 working days" not in page


def test_an_empty_day_renders() -> None:
    data = daily_fixture()
    for key in ("by_hour", "by_service"):
        data[key] = dict.fromkeys(data[key], 0)
    data.update(within_15_min_pct=None, first_contact_resolution_pct=None, previous_weeks=[])
    for standard in data["standards"]:
        standard.update(value=None, status="none")
    page = render_daily(data)
    assert page.count('height="0.0"') == len(data["by_hour"]) + len(data["by_service"])
    assert page.count("No data") == 2
    assert 'id="previous-weeks"' not in page


def test_the_page_shows_the_standards_as_the_report_rated_them() -> None:
    """The page never rates a figure itself: the report's rating (its target, its amber margin)
    is what it shows, in words as well as colour."""
    data = daily_fixture()
    data["standards"][0].update(status="red", target=90)
    data["standards"][1].update(status="green", target=70)
    page = render_daily(data)
    statuses = re.findall(r'data-standard="(\w+)" data-status="(\w+)"', page)
    assert statuses == [("within_15_min", "red"), ("first_contact", "green")]
    assert "Red: missed" in page and "Green: met" in page
    assert "over 90%" in page and "at least 70%" in page


# In a real browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) "
            "to run the browser tests",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Visit:
    """A page opened from a file, with every request it made and every console message."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page = browser.new_page(viewport={"width": 1024, "height": 768})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.route("**/*", self._route)
        self.page.goto(self.url)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()  # recorded by the "request" handler; never sent

    def close(self) -> None:
        self.page.close()


def open_page(browser: Any, tmp_path: Path, html: str, name: str) -> Visit:
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return Visit(browser, path)


def test_the_request_recorder_sees_external_requests(browser: Any, tmp_path: Path) -> None:
    """The check below is not blind: a page that does fetch something is caught."""
    leaky = '<!DOCTYPE html><p>hi</p><img src="http://example.invalid/pixel.png">'
    visit = open_page(browser, tmp_path, leaky, "leaky")
    try:
        assert "http://example.invalid/pixel.png" in visit.requests
    finally:
        visit.close()


def bars(visit: Visit, chart_id: str) -> list[tuple[str, float, float]]:
    """``(key, value, drawn height in px)`` of each bar of one chart."""
    return [
        (key, float(value), float(height))
        for key, value, height in visit.page.eval_on_selector_all(
            f"#{chart_id} rect.bar",
            "rects => rects.map(r => [r.dataset.key, r.dataset.value, r.getBBox().height])",
        )
    ]


def check_proportional(drawn: list[tuple[str, float, float]], expected: dict[str, int]) -> None:
    assert [(key, value) for key, value, _ in drawn] == [(k, float(v)) for k, v in expected.items()]
    _, peak_value, peak_height = max(drawn, key=lambda bar: bar[1])
    assert peak_height > 50  # a chart, not a sliver
    for key, value, height in drawn:
        assert height == pytest.approx(peak_height * value / peak_value, abs=0.2), key


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_in_browser(browser: Any, tmp_path: Path, html: str, name: str) -> Visit:
    visit = open_page(browser, tmp_path, html, name)
    page = visit.page
    assert visit.requests == [visit.url], "the page asked for something besides itself"
    assert not [m for m in visit.console if "Content Security Policy" in m]
    # Charts: each an accessible image with a title, a description and a table of figures.
    charts = page.eval_on_selector_all(
        "svg.chart",
        """svgs => svgs.map(s => {
            const [t, d] = s.getAttribute('aria-labelledby').split(' ');
            const fig = s.closest('figure');
            return [s.getAttribute('role'), document.getElementById(t)?.textContent,
                    document.getElementById(d)?.textContent,
                    fig.querySelectorAll('table').length,
                    s.getBoundingClientRect().width];
        })""",
    )
    assert charts
    for role, title, desc, tables, width in charts:
        assert role == "img" and title and desc and width > 300
        assert tables == 1 or "per month" in title or "12 months" in title
    # A screenshot: a real picture of the page.
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    width, height = png_size(data)
    assert width == 1024 and height > 1500 and len(data) > 30_000
    return visit


def check_print(visit: Visit, tmp_path: Path, min_pages: int) -> None:
    page = visit.page
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all(
        "main > section", "ss => ss.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    pdf = page.pdf(format="A4", path=str(tmp_path / "report.pdf"))
    assert pdf.startswith(b"%PDF-")
    pages = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    assert pages and max(pages) >= min_pages


def test_daily_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    data = daily_fixture()
    visit = check_in_browser(browser, tmp_path, render_daily(data), "daily")
    try:
        assert visit.page.locator("svg.chart").count() == 2
        check_proportional(bars(visit, "chart-by-hour"), data["by_hour"])
        check_proportional(bars(visit, "chart-by-service"), data["by_service"])
        badges = visit.page.locator(".rag").all_inner_texts()
        assert [b.strip() for b in badges] == [
            "\u2713 Green: met",
            "! Amber: near (just below the target)",
        ]
        check_print(visit, tmp_path, min_pages=len(visit.page.locator("main > section").all()))
    finally:
        visit.close()


def test_monthly_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    data = monthly_fixture()
    visit = check_in_browser(browser, tmp_path, render_monthly(data), "monthly")
    try:
        assert visit.page.locator("svg.chart").count() == 6
        check_proportional(bars(visit, "chart-by-day"), data["by_day"])
        check_proportional(bars(visit, "chart-by-service"), data["by_service"])
        # The trend lines: one point a month, higher on the page for a higher value.
        points = visit.page.eval_on_selector_all(
            "#chart-trend-visits .series circle", "cs => cs.map(c => c.cy.baseVal.value)"
        )
        visits = [t["visits"] for t in data["trend"]]
        assert len(points) == 12
        order = sorted(range(12), key=lambda i: visits[i])
        assert sorted(range(12), key=lambda i: -points[i]) == order
        check_print(visit, tmp_path, min_pages=5)
    finally:
        visit.close()


# From a real database, through the command line -------------------------------------------------

NOW = "2026-11-23T16:30:00Z"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, dict[str, Any]]:
    db = make_db(tmp_path, site_toml())
    by_hour, by_service, served = scripted_day(db)
    return Cli(db, monkeypatch), {"by_hour": by_hour, "by_service": by_service, "served": served}


def test_report_from_a_real_database_in_chromium(
    browser: Any, tmp_path: Path, office: tuple[Cli, dict[str, Any]]
) -> None:
    cli, tally = office
    page_file = tmp_path / "out" / "daily.html"
    page_file.parent.mkdir()
    result = cli("report", "daily", "--format", "html", "--output", str(page_file), now=NOW)
    assert result.code == 0, result.err
    assert result.out == "" and result.err == ""
    figures = cli("report", "daily", "--format", "json", now=NOW).json()
    # The figures are the test's own tally (zero-filled over the opening hours).
    assert {h: n for h, n in figures["by_hour"].items() if n} == tally["by_hour"]
    assert {c: n for c, n in figures["by_service"].items() if n} == tally["by_service"]
    assert figures["served"] == tally["served"]
    visit = check_in_browser(browser, tmp_path, page_file.read_text(encoding="utf-8"), "real")
    try:
        check_proportional(bars(visit, "chart-by-hour"), figures["by_hour"])
        check_proportional(bars(visit, "chart-by-service"), figures["by_service"])
        assert "Civic Centre \u00b7 Monday 23 November 2026" in visit.page.inner_text("header")
        assert "Council Tax" in visit.page.inner_text("#arrivals")
        check_print(visit, tmp_path, min_pages=3)
    finally:
        visit.close()


def test_monthly_html_on_standard_output(office: tuple[Cli, dict[str, Any]]) -> None:
    cli, tally = office
    result = cli("report", "monthly", "--month", "2026-11", "--format", "html", now=NOW)
    assert result.code == 0, result.err
    page = result.out
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "November 2026" in page
    total = sum(tally["by_hour"].values())
    assert f'data-key="2026-11-23" data-value="{total}"' in page
    # The days to date with records (the month goes on: to Monday 23rd, the day the records
    # begin: the days before have no bar, and the table says "no records"), opening hours,
    # services.
    assert page.count('class="bar"') == 1 + 8 + 4
    assert 'data-day="2026-11-22"><span class="day">22</span> no records</td>' in page


def test_output_file_for_every_format(tmp_path: Path, office: tuple[Cli, dict[str, Any]]) -> None:
    cli, _ = office
    for fmt in ("text", "json", "csv", "html"):
        target = tmp_path / f"daily.{fmt}"
        result = cli("report", "daily", "--format", fmt, "--output", str(target), now=NOW)
        assert result.code == 0 and result.out == "", result.err
        shown = cli("report", "daily", "--format", fmt, now=NOW).out
        assert target.read_text(encoding="utf-8") == shown


def test_unwritable_output_is_a_one_line_error(
    tmp_path: Path, office: tuple[Cli, dict[str, Any]]
) -> None:
    cli, _ = office
    result = cli(
        "report", "daily", "--format", "html", "--output", str(tmp_path / "no" / "x.html"), now=NOW
    )
    assert result.code != 0 and result.out == ""
    assert result.err.count("\n") == 1 and "cannot write" in result.err
    assert "Traceback" not in result.err


def test_two_offices_in_one_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = make_db(tmp_path, site_toml(), name="main.sqlite")
    north = tmp_path / "north"
    north.mkdir()
    other = make_db(north, site_toml().replace('id = "hq"', 'id = "north"'), name="north.sqlite")
    for db in (main, other):
        scripted_day(db)
    cli = Cli(main, monkeypatch)
    args = ("report", "daily", "--include", str(other))
    result = cli(*args, "--format", "html", now=NOW)
    assert result.code == 0, result.err
    page = result.out
    visits = cli(*args, "--format", "json", now=NOW).json()["visits"]
    assert visits == 2 * sum(len(s) for s in ARRIVALS.values())
    assert "All offices (hq, north) \u00b7 Monday 23 November 2026" in page
    assert "<caption>Visits by office</caption>" in page
    assert f"<dt>Visits (arrivals)</dt><dd>{visits}</dd>" in page
