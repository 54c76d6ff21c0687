"""Two sites with desks of the same name (a new-user trial at month end): the reports over both
sites listed "Desk 1" twice with nothing telling them apart (JSON and CSV keyed them by id).
A report over more than one site now names each desk with its site, "Desk 1 (Library)", in
text, HTML and on paper, by one rule (``desk_named``); a report of one site names its desks as
they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .test_report_print import on_paper
from .test_site_dropped import MONDAY, office, ok

EVENING = "2026-11-23T18:00:00Z"


def served_at_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The Library's desk is "Desk 1" too; one ticket served at each site's Desk 1."""
    cli, both, _ = office(tmp_path, monkeypatch)
    both.write_text(
        both.read_text(encoding="utf-8").replace('name = "Library desk"', 'name = "Desk 1"'),
        encoding="utf-8",
    )
    ok(cli, "init", "--config", str(both), now=MONDAY)
    for n, desk in enumerate(("desk-1", "lib-1")):
        at = f"2026-11-23T10:{n}0:00Z"
        ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", desk, now=at)
        ok(cli, "--user", "adv", "desks", "login", desk, now=at)
        ok(cli, "--user", "adv", "ticket", "call-next", "--desk", desk, now=at)
        ok(cli, "--user", "adv", "ticket", "finish", "C001", "--outcome", "resolved", now=at)
        ok(cli, "--user", "adv", "desks", "logout", desk, now=at)
    return cli


def test_desks_of_the_same_name_at_two_sites_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = served_at_both(tmp_path, monkeypatch)
    daily = ("report", "daily", "--date", "2026-11-23")
    text = ok(cli, *daily, now=EVENING)
    desks = text.split("  Desks  ", 1)[1].split("\n\n", 1)[0]
    assert "Desk 1 (Civic Centre)" in desks and "Desk 1 (Library)" in desks, desks
    page = ok(cli, *daily, "--format", "html", now=EVENING)
    assert "<th scope=row>Desk 1 (Civic Centre)</th>" in page
    assert "<th scope=row>Desk 1 (Library)</th>" in page
    monthly = ok(cli, "report", "monthly", "--month", "2026-11", now=EVENING)
    assert "Desk 1 (Library)" in monthly and "Desk 1 (Civic Centre)" in monthly

    paper = tmp_path / "summary.bin"
    ok(cli, *daily, "--print-to", f"capture://{paper}", now=EVENING)
    ok(cli, "worker", "--once", now=EVENING)
    printed = on_paper(paper.read_bytes(), 42)
    assert any(line.startswith("Desk 1 (Library)") for line in printed), printed
    assert any(line.startswith("Desk 1 (Civic Centre)") for line in printed), printed

    # One site's report: its desks by their own names.
    alone = ok(cli, *daily, "--site", "library", now=EVENING)
    desks = alone.split("  Desks  ", 1)[1].split("\n\n", 1)[0]
    assert "Desk 1" in desks and "(Library)" not in desks, desks
