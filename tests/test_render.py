"""The render layer: one way to write a percentage, minutes and a target; the JSON of a typed
report and back; and the layer's import hygiene (no terminal, no database)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

from oss_desk.domain.reports import DailyReport, MonthlyReport
from oss_desk.domain.standards import (
    APPOINTMENTS_KEPT,
    COUNCIL_NOTICE,
    FIRST_CONTACT,
    SEEN_WITHIN_TARGET,
    Measure,
    Rule,
    Status,
)
from oss_desk.render.formats import count, hour, minutes, percent, target
from oss_desk.render.json import DAILY_KEYS, FLATTENED, MONTHLY_KEYS, daily_json, monthly_json

from .report_fixtures import daily_fixture, monthly_fixture
from .report_values import daily_report, monthly_report

PACKAGE = Path(__file__).resolve().parents[1] / "oss_desk"


def test_figures_are_written_one_way() -> None:
    assert [percent(v) for v in (None, 0, 84.0, 74.45, 100)] == [
        "n/a",
        "0.0%",
        "84.0%",
        "74.5%",
        "100.0%",
    ]
    assert [minutes(v) for v in (None, 0, 7.5, 251)] == ["n/a", "0.0 min", "7.5 min", "251.0 min"]
    assert (count(None), count(0), hour(None), hour("09")) == ("n/a", "0", "n/a", "09:00")


@pytest.mark.parametrize(
    ("measure", "words", "symbols"),
    [
        (SEEN_WITHIN_TARGET, "over 80%", "> 80%"),
        (FIRST_CONTACT, "at least 80%", "\u2265 80%"),
        (COUNCIL_NOTICE, "at least 100%", "\u2265 100%"),
        (APPOINTMENTS_KEPT, "monitored", "monitored"),
    ],
)
def test_targets_are_written_one_way(measure: Measure, words: str, symbols: str) -> None:
    standard = measure.rate("label", 50.0, 10)
    assert target(standard) == words
    assert target(standard, symbols=True) == symbols
    assert target(standard, prefix="target ") == (
        words if standard.rule is Rule.MONITORED else f"target {words}"
    )


def test_the_rating_follows_the_rule() -> None:
    over = SEEN_WITHIN_TARGET.rate("x", 80.0, 10)
    at_least = FIRST_CONTACT.rate("x", 80.0, 10)
    assert (over.status, at_least.status) == (Status.AMBER, Status.GREEN)
    assert FIRST_CONTACT.rate("x", 69.9, 10).status is Status.RED
    assert FIRST_CONTACT.rate("x", None, 10).status is Status.NONE
    assert APPOINTMENTS_KEPT.rate("x", 95.0, 10).status is Status.NONE
    assert [s.word for s in Status] == ["met", "near", "missed", ""]


def test_percentages_and_targets_are_formatted_in_one_place() -> None:
    """No module but ``render/formats.py`` writes a percentage with one decimal, or a rule's
    words next to a target: they ask the one formatter."""
    percentage = re.compile(r":\.1f\}%")
    rule_words = re.compile(r"""['"](over|at least)['"] if""")
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() == "render/formats.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert not percentage.search(source), f"{path}: use oss_desk.render.formats.percent"
        assert not rule_words.search(source), f"{path}: use oss_desk.render.formats.target"


def test_the_json_of_a_typed_report_and_back() -> None:
    daily = daily_report(daily_fixture())
    monthly = monthly_report(monthly_fixture())
    assert daily_json(daily) == daily_fixture()
    assert monthly_json(monthly) == monthly_fixture()
    assert daily_report(daily_json(daily)) == daily
    assert monthly_report(monthly_json(monthly)) == monthly
    assert list(daily_json(daily)) == list(DAILY_KEYS)
    assert list(monthly_json(monthly)) == list(MONTHLY_KEYS)


@pytest.mark.parametrize(
    ("kind", "keys"), [(DailyReport, DAILY_KEYS), (MonthlyReport, MONTHLY_KEYS)]
)
def test_every_field_has_its_place_in_the_json(kind: type, keys: tuple[str, ...]) -> None:
    """The key lists name every field of the report (the flattened parts' fields in their
    place), once."""
    names: list[str] = []
    for f in fields(kind):
        if f.name in FLATTENED:
            part = {"figures": "VisitFigures", "appointments": "AppointmentFigures"}[f.name]
            names += [g.name for g in fields(getattr(sys.modules[kind.__module__], part))]
        else:
            names.append(f.name)
    assert sorted(names) == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_a_field_added_to_a_report_still_reaches_the_json() -> None:
    """A key the order does not name yet comes last rather than being dropped."""
    from oss_desk.render.json import report_json

    daily = daily_report(daily_fixture())
    figures = report_json(daily, DAILY_KEYS[:-1])
    assert list(figures)[-1] == DAILY_KEYS[-1]
    assert replace(daily, still_waiting=9).still_waiting == 9


def test_render_loads_no_terminal_and_no_database() -> None:
    modules = sorted(
        f"oss_desk.render.{p.stem}"
        for p in (PACKAGE / "render").glob("*.py")
        if p.stem != "__init__"
    )
    code = (
        f"import sys, {', '.join(modules)}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich', 'sqlite3', 'sqlite_utils', '_sqlite3')); print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
