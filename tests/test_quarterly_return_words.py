"""The ninth new-user trial's quarterly return: its heading names the quarter as the scorecard
above it does, to date while the quarter goes on (P1: it said "(2026-10-01 to 2026-12-31)" under
a scorecard "to Friday 4 December 2026 (to date)"), and the actions taken name each category as
the rest of the report does (P2: "complaint (staff, justified)" beside "About a member of
staff"). One office, real SQLite, the real command."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from .conftest import Cli
from .followups_site import make_office, ok, run_json

QUARTER = ("--user", "tl", "report", "quarterly", "--quarter", "2026-Q4")
TODAY = "2026-12-04T11:00:00Z"  # a Friday, the quarter still going on


def _complaint(cli: Cli, category: str, action: str) -> str:
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", category),
        now="2026-11-02T10:00:00Z",
    )
    ref = str(made["ref"])
    run_json(cli, "--user", "tl", "followup", "respond", ref, "--outcome", "justified",
             "--action-taken", "yes", "--action", action, now="2026-11-03T10:00:00Z")  # fmt: skip
    return ref


def test_the_return_s_heading_says_to_date_as_the_scorecard_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    _complaint(cli, "staff", "Coaching given")
    text = ok(cli(*QUARTER, now=TODAY)).out.splitlines()
    span = "Thursday 1 October 2026 to Friday 4 December 2026 (to date)"
    assert span in text[1]  # the scorecard's
    (heading,) = [line for line in text if line.startswith("Quarterly return")]
    assert heading == (
        f"Quarterly return, On The Record: Civic Centre, Q3 2026/27 (October to December 2026):"
        f" {span}"
    )
    page = html.unescape(ok(cli(*QUARTER, "--format", "html", now=TODAY)).out)
    assert f"Civic Centre, Q3 2026/27 (October to December 2026): {span}" in page
    # Once the quarter is over, its name alone (the months it runs): no days to add.
    after = ok(cli(*QUARTER, now="2027-01-05T11:00:00Z")).out.splitlines()
    (heading,) = [line for line in after if line.startswith("Quarterly return")]
    assert heading == (
        "Quarterly return, On The Record: Civic Centre, Q3 2026/27 (October to December 2026)"
    )


def test_actions_taken_name_the_category_by_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    staff = _complaint(cli, "staff", "Coaching given")
    text = ok(cli(*QUARTER, now=TODAY)).out
    assert (
        f"{staff}  complaint (About a member of staff, justified), answered 2026-11-03:"
        " Coaching given"
    ) in text
    assert "(staff," not in text
    page = html.unescape(ok(cli(*QUARTER, "--format", "html", now=TODAY)).out)
    assert ">About a member of staff</td>" in page
    assert ">staff</td>" not in page
    # The data keeps the id: a script reads it.
    (action,) = run_json(cli, *QUARTER, now=TODAY)["on_the_record"]["actions"]
    assert action["category"] == "staff"
