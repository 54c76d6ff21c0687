"""S on Reports (F6) at an office of several sites prints the report on screen (a review: the
screen showed every site's day, "library, town-hall", visits 3, and the paper one site's, the
desk's own, visits 1). The leader's S still prints its own site's today. The real desk app
(Pilot), a real two-site database, the worker's delivery to a capture printer, and the
printer's bytes decoded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.summary_paper import summary_site
from oss_desk.render.rows import visit_rows
from oss_desk.services.report_outputs import print_daily_summary
from oss_desk.services.reports import ReportService
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.worker.printing import PrintDelivery

from ..conftest import Cli
from ..escpos_decoder import decode, text_lines
from ..test_worker_rounds import OFFICE
from .conftest import AppFactory, acting, pressed_to, rows, until
from .test_reports_charts import figures_text

MONDAY = "2026-11-23T09:00:00Z"
TEN = datetime(2026, 11, 23, 10, tzinfo=UTC)
SUMMARIES = "SELECT id FROM print_jobs WHERE kind = 'daily_summary'"


def _figure(lines: list[str], label: str) -> str:
    """The value on the first line that starts with ``label`` (the first word after it)."""
    line = next(t.strip() for t in lines if t.strip().startswith(label))
    return line[len(label) :].split()[0]


def _printed(db: Path, paper: Path) -> list[str]:
    """The worker prints what is queued; the lines of the newest slip on paper."""
    with acting(db, person="worker", desk=None, clock=TEN) as worker:
        assert PrintDelivery(worker, owner="w").deliver_due().printed == 1
    slips = paper.read_bytes().split(b"\x1dV")  # each slip ends with its cut
    return text_lines(decode(slips[-2] + b"\x1dV" + slips[-1]))


def greeting_paper_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Cli]:
    """The office of two sites, made by ``init``, its Civic Centre's Greeting desk printing to
    a capture file: that file and the office's command line."""
    paper = tmp_path / "paper.bin"
    toml = tmp_path / "office.toml"
    toml.write_text(
        OFFICE.replace(
            'kind = "meet-and-greet"\n', f'kind = "meet-and-greet"\nprinter = "capture://{paper}"\n'
        ),
        encoding="utf-8",
    )
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    assert cli("init", "--config", str(toml), now=MONDAY).code == 0
    return paper, cli


async def test_s_on_reports_prints_every_sites_day_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    paper, cli = greeting_paper_office(tmp_path, monkeypatch)
    for desk in ("greet-1", "lib-1", "lib-1"):  # one visit at the Civic Centre, two at the Library
        issued = cli(
            "--user", "tl", "ticket", "issue", "--service", "C", "--desk", desk, "--no-print",
            now=MONDAY,
        )  # fmt: skip
        assert issued.code == 0, issued.err
    app = make_app(cli.db, "greet-1", clock=FixedClock(TEN))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = await pressed_to(pilot, ReportsScreen, "f6")
        await until(lambda: screen.shown == ("day", "2026-11-23") and screen.data is not None)
        assert screen.data is not None and screen.data.figures.by_site == {"hq": 1, "library": 2}
        heading = str(screen.query_one("#report-heading").render())
        assert heading.endswith("hq, library"), heading
        on_screen = figures_text(screen).splitlines()
        await pressed_to(pilot, ChoiceDialog, "s")
        await pilot.press("enter")  # the only desk with a printer: greet-1
        await until(lambda: len(rows(cli.db, SUMMARIES)) == 1)
        on_paper = _printed(cli.db, paper)
        assert "All offices, 2026-11-23" in " ".join(on_paper), on_paper
        for row in visit_rows(screen.data):
            assert _figure(on_paper, row.label) == _figure(on_screen, row.label), row.label
        assert _figure(on_paper, "Visits (arrivals)") == "3"
        # The leader's S: today's at its own site (the Civic Centre), as its key says.
        await pressed_to(pilot, LeaderScreen, "f4")
        await pressed_to(pilot, ChoiceDialog, "s")
        await pilot.press("enter")
        await until(lambda: len(rows(cli.db, SUMMARIES)) == 2)
        on_paper = _printed(cli.db, paper)
        assert "Civic Centre, 2026-11-23" in " ".join(on_paper), on_paper
        assert _figure(on_paper, "Visits (arrivals)") == "1"


async def test_a_summary_goes_to_its_own_sites_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    """Both sites with a receipt printer: the leader's S at the Civic Centre lists only the
    Civic Centre's; the Library's printer is refused a Civic Centre summary (the report
    command too), and a Library summary prints at the Library."""
    paper, library_paper = tmp_path / "paper.bin", tmp_path / "library.bin"
    toml = tmp_path / "office.toml"
    toml.write_text(
        OFFICE.replace(
            'kind = "meet-and-greet"\n', f'kind = "meet-and-greet"\nprinter = "capture://{paper}"\n'
        ).replace(
            'site = "library"\n', f'site = "library"\nprinter = "capture://{library_paper}"\n'
        ),
        encoding="utf-8",
    )
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    assert cli("init", "--config", str(toml), now=MONDAY).code == 0
    app = make_app(cli.db, "greet-1", clock=FixedClock(TEN))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        dialog = await pressed_to(pilot, ChoiceDialog, "s")
        assert [key for key, _ in dialog.choices] == ["greet-1"]
        assert "the desks at Civic Centre with one are listed" in dialog.meaning
        await pilot.press("escape")
    wrong = cli(
        "--user", "tl", "report", "daily", "--site", "hq", "--print-to", "lib-1", now=MONDAY
    )
    assert wrong.code != 0 and "Library desk is at another site" in wrong.err, wrong.err
    by_url = f"capture://{library_paper}"
    wrong = cli("--user", "tl", "report", "daily", "--site", "hq", "--print-to", by_url, now=MONDAY)
    assert wrong.code != 0 and "Library desk is at another site" in wrong.err, wrong.err
    assert rows(cli.db, SUMMARIES) == []
    right = cli(
        "--user", "tl", "report", "daily", "--site", "library", "--print-to", "lib-1", now=MONDAY
    )  # fmt: skip
    assert right.code == 0, right.err
    assert len(rows(cli.db, SUMMARIES)) == 1


def test_a_site_with_no_receipt_printer_has_its_summary_printed_where_it_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Library has no receipt printer: its summary, asked for at the Civic Centre's
    Greeting desk, prints there (the paper of the site printing it)."""
    _paper, cli = greeting_paper_office(tmp_path, monkeypatch)
    with acting(cli.db, person="tl", desk="greet-1", clock=TEN) as session:
        library = ReportService(session).daily(None, "library")
        assert summary_site(session.directory.desks.values(), "library", "hq") == "hq"
        print_daily_summary(session, library, "greet-1")
    assert len(rows(cli.db, SUMMARIES)) == 1
