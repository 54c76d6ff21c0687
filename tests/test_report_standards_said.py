"""Every standard of the monthly dashboard and the quarterly report carries its definition, the
follow-up ones too (what "returned in time" counts, that open ones not yet due are left out, why
the under-2% ones are monitored), printed under its figure in text and HTML and given in JSON;
complaints about unequal or impolite service are a monitored standard with their share of the
complaints received, as justified complaints about staff are.

Worked by hand: in November 2026 two complaints, one in the "unequal" category and one about a
member of staff: unequal or impolite 1 of 2 = 50.0%.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from typing import Any

import pytest

from oss_desk.domain.followup_standards import FOLLOWUP_KEYS, followup_definitions

from .conftest import Cli
from .followups_site import make_office, ok, run_json

REPORT_AT = "2026-11-30T17:00:00Z"
REPORTS = {
    "monthly": ("report", "monthly", "--month", "2026-11"),
    "quarterly": ("report", "quarterly", "--quarter", "2026-Q4"),
}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    monkeypatch = pytest.MonkeyPatch()
    cli = Cli(make_office(tmp_path_factory.mktemp("standards-said")), monkeypatch)
    for category in ("unequal", "staff"):
        run_json(
            cli, "--user", "gil", "followup", "add", "--kind", "complaint",
            "--category", category, now="2026-11-24T10:00:00Z",
        )  # fmt: skip
    yield cli
    monkeypatch.undo()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind", list(REPORTS))
def test_every_standard_has_its_definition_in_json_text_and_html(office: Cli, kind: str) -> None:
    args = ("--user", "tl", *REPORTS[kind])
    report = run_json(office, *args, now=REPORT_AT)
    standards = report["standards"]
    assert {s["key"] for s in standards} >= FOLLOWUP_KEYS | {"unequal_service", "repeat_contact"}
    text = _flat(ok(office(*args, now=REPORT_AT)).out)
    page = ok(office(*args, "--format", "html", now=REPORT_AT)).out
    for s in standards:
        assert s["definition"], s["key"]
        assert _flat(s["definition"]) in text, s["key"]
        assert s["definition"] in html.unescape(page), s["key"]
    said = followup_definitions(ringback_days=1, acknowledge_days=5, respond_days=15)
    assert "could not be reached" in said["ringbacks_in_time"]
    assert "not yet due are left out" in said["referrals_in_sla"]
    assert "Monitored separately, not rated" in said["justified_about_staff"]


def test_unequal_or_impolite_service_has_its_share_everywhere(office: Cli) -> None:
    args = ("--user", "tl", *REPORTS["monthly"])
    report: dict[str, Any] = run_json(office, *args, now=REPORT_AT)
    unequal = next(s for s in report["standards"] if s["key"] == "unequal_service")
    assert (unequal["value"], unequal["rule"], unequal["status"]) == (50.0, "monitored", "none")
    record = report["followups"]["on_the_record"]
    assert (record["unequal_or_impolite"], record["complaints"]) == (1, 2)
    assert record["unequal_or_impolite_pct"] == 50.0
    text = ok(office(*args, now=REPORT_AT)).out
    line = next(x for x in text.splitlines() if x.strip().startswith(unequal["label"]))
    assert "50.0%" in line and "(monitored)" in line
    assert "complaints about unequal or impolite service 1 of 2: 50.0%" in text
    rows = list(csv.reader(io.StringIO(ok(office(*args, "--format", "csv", now=REPORT_AT)).out)))
    cells = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert cells[("standards", "unequal_service.value")] == "50.0"
    page = ok(office(*args, "--format", "html", now=REPORT_AT)).out
    assert 'data-standard="unequal_service"' in page
    assert unequal["label"] in html.unescape(page)
