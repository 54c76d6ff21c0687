"""The quarterly, annual and any-period reports carry the follow-up standards the monthly
dashboard has (ring-backs returned in 1 working day, referrals within SLA, complaints
acknowledged and answered in time, justified complaints about staff), for the period, month by
month and beside the period before, in text, JSON, CSV and HTML alike; each month's figure is
the monthly dashboard's for that month.

Worked by hand (England, working days Monday to Friday, no bank holiday; report on Monday 30
November 2026 at 17:00):
  October: a ring-back Fri 30 Oct 16:00 (due Mon 2 Nov), returned Mon 2 Nov 09:10: met.
  November: a ring-back Mon 2 Nov 10:00 (due Tue 3), returned that day: met; one Tue 3 Nov
  16:30 (due Wed 4), returned Fri 6: missed; a complaint Mon 2 Nov 10:00 (acknowledge by Mon 9),
  acknowledged Wed 4: met.
  Ring-backs in time: October 1 of 1 = 100.0%, November 1 of 2 = 50.0%; the quarter (October to
  December, to date) 2 of 3 = 66.7%; the quarter before (July to September) none: n/a.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Cli
from .followups_site import make_office, ok, run_json

REPORT_AT = "2026-11-30T17:00:00Z"
RING = ("--kind", "ringback", "--service", "C", "--phone", "07700 900123")
KEYS = (
    "ringbacks_in_time",
    "referrals_in_sla",
    "complaints_acknowledged",
    "complaints_answered",
    "justified_about_staff",
)
REPORTS = {
    "quarterly": ("report", "quarterly", "--quarter", "2026-Q4"),
    "annual": ("report", "annual", "--year", "2026"),
    "period": ("report", "period", "--from", "2026-10-01", "--to", "2026-11-30"),
}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    monkeypatch = pytest.MonkeyPatch()
    cli = Cli(make_office(tmp_path_factory.mktemp("followup-standards")), monkeypatch)

    def add(user: str, when: str, *args: str) -> str:
        return str(run_json(cli, "--user", user, "followup", "add", *args, now=when)["ref"])

    def do(user: str, when: str, verb: str, ref: str, *args: str) -> None:
        run_json(cli, "--user", user, "followup", verb, ref, *args, now=when)

    october = add("gil", "2026-10-30T16:00:00Z", *RING)
    do("ana", "2026-11-02T09:10:00Z", "done", october)
    first = add("gil", "2026-11-02T10:00:00Z", *RING)
    do("ana", "2026-11-02T15:00:00Z", "done", first)
    late = add("gil", "2026-11-03T16:30:00Z", *RING)
    do("bob", "2026-11-06T16:00:00Z", "done", late)
    complaint = add("gil", "2026-11-02T10:00:00Z", "--kind", "complaint", "--category", "staff")
    do("tl", "2026-11-04T12:00:00Z", "ack", complaint)
    yield cli
    monkeypatch.undo()


def _json(cli: Cli, *args: str) -> Any:
    return run_json(cli, "--user", "tl", *args, now=REPORT_AT)


def _standards(report: dict[str, Any]) -> dict[str, Any]:
    return {s["key"]: s["value"] for s in report["standards"]}


@pytest.mark.parametrize("kind", list(REPORTS))
def test_the_follow_up_standards_are_in_every_period_report(office: Cli, kind: str) -> None:
    report = _json(office, *REPORTS[kind])
    standards = _standards(report)
    assert [k for k in standards if k in KEYS] == list(KEYS)
    assert standards["ringbacks_in_time"] == 66.7
    assert standards["complaints_acknowledged"] == 100.0
    assert report["followups"]["ringbacks"]["received"] == 3
    assert report["current"]["standards"]["ringbacks_in_time"] == 66.7
    assert report["previous"]["standards"]["ringbacks_in_time"] is None
    months = {m["month"]: m["standards"] for m in report["months"]}
    # Each month's figures are the monthly dashboard's.
    for month in ("2026-10", "2026-11"):
        monthly = _standards(_json(office, "report", "monthly", "--month", month))
        assert {k: months[month][k] for k in KEYS} == {k: monthly[k] for k in KEYS}
    assert (months["2026-10"]["ringbacks_in_time"], months["2026-11"]["ringbacks_in_time"]) == (
        100.0,
        50.0,
    )


def test_text_csv_and_html_show_the_json_s_figures(office: Cli) -> None:
    args = ("--user", "tl", *REPORTS["quarterly"])
    report = _json(office, *REPORTS["quarterly"])
    labels = {s["key"]: s["label"] for s in report["standards"]}
    text = ok(office(*args, now=REPORT_AT)).out
    rows = list(csv.reader(io.StringIO(ok(office(*args, "--format", "csv", now=REPORT_AT)).out)))
    cells = {(r[0], r[1]): r[2] for r in rows[1:]}
    page = ok(office(*args, "--format", "html", now=REPORT_AT)).out
    assert f"{labels['ringbacks_in_time']}" in text
    line = next(x for x in text.splitlines() if x.strip().startswith(labels["ringbacks_in_time"]))
    assert "66.7%" in line
    assert "Ring-backs" in text.split("Standards month by month")[1]
    assert cells[("standards", "ringbacks_in_time.value")] == "66.7"
    assert cells[("months", "2026-11.standards.ringbacks_in_time")] == "50.0"
    assert 'data-standard="ringbacks_in_time"' in page
    assert '<section id="followups"' in page
    for key in KEYS:
        assert labels[key] in page
