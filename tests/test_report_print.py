"""The daily summary on the receipt printer: decoded from the printer's bytes, then delivered by
the worker to a capture:// printer from a real database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.printouts import from_payload, to_payload
from oss_desk.domain.reports import ReportNames
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.hardware.models import printer_model
from oss_desk.hardware.templates import render
from oss_desk.render.receipt import daily_summary
from oss_desk.render.rows import NO_SHOWS
from oss_desk.services.report_outputs import print_daily_summary
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, Cli, make_db, site_toml
from .escpos_decoder import Cut, Unknown, Warning, decode, lines, text_lines
from .report_fixtures import SERVICES, daily_fixture, scripted_day
from .report_values import daily_report


def summary(large_print: bool = False, **changes: object):  # type: ignore[no-untyped-def]
    return daily_summary(
        daily_report({**daily_fixture(), **changes}),
        ReportNames(council="Test Council", site_name="Civic Centre", service_names=SERVICES),
        large_print=large_print,
    )


def on_paper(data: bytes, columns: int) -> list[str]:
    """The text on paper, after checking the slip is clean: no unknown command, nothing wider
    than the paper, exactly one cut, at the end."""
    events = decode(data)
    assert [e for e in events if isinstance(e, Unknown | Warning)] == []
    cuts = [i for i, e in enumerate(events) if isinstance(e, Cut)]
    assert cuts == [len(events) - 1]
    for line in lines(events):
        assert len(line.text) * line.width <= columns, line
    return text_lines(events)


@pytest.mark.parametrize("profile", ["TM-T88V", "TM-T20II", "RP-F10-58mm"])
@pytest.mark.parametrize("large_print", [False, True])
def test_daily_summary_on_paper(profile: str, large_print: bool) -> None:
    columns = printer_model(profile).columns
    text = on_paper(render(summary(large_print), profile), columns)
    joined = "\n".join(text)
    width = columns // (2 if large_print else 1)
    assert "Test Council" in text
    assert "Civic Centre, 2026-11-23" in joined.replace("\n", " ")

    def figure(label: str, value: str) -> None:
        """On one line, or (on narrow paper) the value on the line under its label (the label
        itself wrapped at spaces or hyphens when it is wider than the paper)."""
        if len(label) + 1 + len(value) <= width:
            assert f"{label:<{width - len(value) - 1}} {value}" in text, (label, value)
        else:
            assert any(
                "".join(text[at:end]).replace(" ", "") == label.replace(" ", "")
                and text[end] == value
                for at in range(len(text))
                for end in range(at + 1, min(at + 4, len(text)))
            ), (label, value, text)

    figure("Visits (arrivals)", "113")
    figure("Served at a desk", "92")
    figure(NO_SHOWS, "4")
    figure("Dealt with at meet-and-greet", "14")
    figure("Seen within 15 min", "84.0% met")
    figure("First contact", "74.5% near")  # the standard in words (amber): paper has no colour
    figure("Median wait", "7.5 min")
    figure("Busiest hour", "11:00")
    figure("C Council Tax", "48")
    figure("Referred to a back office", "15")
    figure("desk-1", "27 served, 9.0 min")
    assert "By service" in text and "Outcomes" in text and "Desks" in text
    assert any(t.startswith("11:00   27 #") for t in text)
    # Figures only: no adviser is named.
    assert "Smith" not in joined and "Jones" not in joined


def test_large_print_is_double_size() -> None:
    events = decode(render(summary(large_print=True)))
    sized = [line for line in lines(events) if line.text]
    assert all(line.width >= 2 for line in sized)
    assert sum(line.width == 1 for line in lines(decode(render(summary())))) > 20


def test_summary_payload_round_trip() -> None:
    printout = summary()
    assert printout.sections  # by service, outcomes, desks
    assert from_payload("daily_summary", to_payload(printout)) == printout
    import json

    assert from_payload("daily_summary", json.loads(json.dumps(to_payload(printout)))) == printout


def test_a_day_without_figures_prints() -> None:
    standards = [{**s, "value": None, "status": "none"} for s in daily_fixture()["standards"]]
    printout = summary(
        within_15_min_pct=None,
        first_contact_resolution_pct=None,
        standards=standards,
        wait_median_minutes=None,
        busiest_hour=None,
        by_hour={"09": 0, "10": 0},
        desks={},
    )
    text = on_paper(render(printout), 42)
    assert any(t.startswith("Seen within 15 min") and t.endswith("n/a") for t in text)
    assert "Desks" not in text
    assert "09:00    0" in text


# Queued through the outbox, printed by the worker ----------------------------------------------


def office(tmp_path: Path, paper: Path) -> Path:
    toml = site_toml().replace(
        'kind = "meet-and-greet"\n', f'kind = "meet-and-greet"\nprinter = "capture://{paper}"\n'
    )
    return make_db(tmp_path, toml)


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_summary_queued_for_a_desk_printer_and_printed_by_the_worker(tmp_path: Path) -> None:
    paper = tmp_path / "paper.bin"
    db = office(tmp_path, paper)
    clock = FixedClock(MONDAY_0930)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        data = {**daily_fixture(), "site": "hq"}
        job = print_daily_summary(session, daily_report(data), "greet-1")
        assert rows(db, "SELECT id, kind, status, desk_id FROM print_jobs") == [
            (job, "daily_summary", "pending", "greet-1")
        ]
        assert rows(db, "SELECT kind, actor, site_id FROM events WHERE kind LIKE 'report%'") == [
            ("report_printed", "tl", "hq")
        ]
        assert PrintDelivery(session).deliver_due().printed == 1
    finally:
        session.close()
    text = on_paper(paper.read_bytes(), 42)
    assert "Civic Centre, 2026-11-23" in text
    assert any(t.startswith("Visits") and t.endswith(" 113") for t in text)
    assert rows(db, "SELECT status FROM print_jobs") == [("done",)]


def test_bad_summary_printers_are_refused(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        with pytest.raises(NotFound, match=r"neither a desk .* nor a printer URL"):
            print_daily_summary(session, daily_report(daily_fixture()), "desk-99")
        with pytest.raises(RuleViolation, match="desk desk-1 has no printer"):
            print_daily_summary(session, daily_report(daily_fixture()), "desk-1")
        with pytest.raises(InvalidInput):
            print_daily_summary(session, daily_report(daily_fixture()), "gopher://printer")
    finally:
        session.close()
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]


# Through the command line: queued, then printed by `oss-desk worker --once` -------------------

NOW = "2026-11-23T16:30:00Z"


def test_report_daily_print_to_a_desk_then_the_worker_prints_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = tmp_path / "paper.bin"
    db = office(tmp_path, paper)
    _, by_service, served = scripted_day(db)
    cli = Cli(db, monkeypatch)
    result = cli("report", "daily", "--print-to", "greet-1", now=NOW)
    assert result.code == 0, result.err
    assert result.out == "Daily summary for 2026-11-23 queued as print job 1.\n"
    assert not paper.exists()  # the worker prints, not the report command

    worker = cli("worker", "--once", "--json", now=NOW)
    assert worker.code == 0, worker.err
    assert worker.json()["printed"] == 1
    text = on_paper(paper.read_bytes(), 42)
    figures = cli("report", "daily", "--format", "json", now=NOW).json()
    visits = str(figures["visits"])
    assert f"{'Visits (arrivals)':<{41 - len(visits)}} {visits}" in text
    assert any(t.startswith("Served at a desk") and t.endswith(f" {served}") for t in text)
    assert any(t.startswith("C Council Tax") and t.endswith(f" {by_service['C']}") for t in text)
    assert any(t.startswith("Desk 1 ") and t.endswith(f"{served} served, 4.0 min") for t in text)
    assert b"greeter" not in paper.read_bytes() and b"adviser" not in paper.read_bytes()
    queued = cli("report", "daily", "--print-to", "greet-1", "--json", now=NOW)
    assert queued.json() == {"date": "2026-11-23", "print_job": 2}
    alone = cli("report", "daily", "--large-print", now=NOW)
    assert alone.code == 2 and "--large-print goes with --print-to" in alone.err


def test_report_daily_print_to_a_url_in_large_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    page = tmp_path / "daily.html"
    slip = tmp_path / "slip.bin"
    result = cli(
        "report",
        "daily",
        "--print-to",
        f"capture://{slip}?profile=TM-T20II",
        "--large-print",
        "--format",
        "html",
        "--output",
        str(page),
        now=NOW,
    )
    assert result.code == 0, result.err
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert cli("worker", "--once", now=NOW).code == 0
    events = decode(slip.read_bytes())
    assert all(line.width >= 2 for line in lines(events) if line.text)
    on_paper(slip.read_bytes(), 48)


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("desk-99", 5, "'desk-99' is neither a desk"),
        ("desk-1", 6, "desk desk-1 has no printer"),
        ("gopher://x", 2, "printer URL"),
        ("tcp://", 2, "give the printer's host"),
    ],
)
def test_report_daily_bad_printer_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, code: int, message: str
) -> None:
    db = make_db(tmp_path, site_toml())
    result = Cli(db, monkeypatch)("report", "daily", "--print-to", target, now=NOW)
    assert result.code == code and result.out == ""
    assert result.err.count("\n") == 1 and message in result.err, result.err
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]


def test_the_standards_on_paper_follow_their_rating() -> None:
    """The figures' own rating decides ``met`` (the target may not be 80% everywhere)."""
    data = daily_fixture()
    data["standards"][1].update(status="green", target=70)

    def paper() -> list[str]:
        printout = daily_summary(
            daily_report(data), ReportNames(council="C", site_name="S", service_names=SERVICES)
        )
        return on_paper(render(printout), 42)

    text = paper()
    assert any(t.startswith("First contact") and t.endswith("74.5% met") for t in text)
    assert "resolved at first contact at least 70%." in " ".join(text)
    data["standards"][1]["status"] = "red"
    assert any(t.startswith("First contact") and t.endswith("74.5% MISSED") for t in paper())
