"""An action taken without its text says truly why, in the same words in the quarterly return's
text, HTML and JSON (one home: :func:`oss_desk.domain.reports.action_words`): "(no text
recorded)" when nobody wrote one, "(deleted)" only once the retention purge
deleted it (``followup_details.purged_at`` set).

One office, November 2026: OTR-0001 answered with "Coaching given", OTR-0002 answered with an
action taken and no text (the desk's answer form leaves the action's text optional; the command
line refuses ``--action-taken yes`` without ``--action``). The purge runs on 10 December with
``retention.records_days`` 1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, parse_instant
from oss_desk.domain.reports import ACTION_DELETED, ACTION_NOT_WRITTEN
from oss_desk.errors import InvalidInput
from oss_desk.services.followups import FollowupService
from oss_desk.services.session import open_session

from .conftest import Cli
from .followups_site import make_office, ok, run_json

QUARTER = ("--user", "tl", "report", "quarterly", "--quarter", "2026-Q4")


def _respond(cli: Cli, ref: str, *action: str) -> None:
    outcome = ("--outcome", "justified", "--action-taken", "yes")
    run_json(cli, "--user", "tl", "followup", "respond", ref, *outcome, *action, now=AT)


def _respond_without_text(db: Path, ref: str) -> None:
    """As the desk's answer form did before it asked what was done (an answer refused now, but
    such records stay in an office's database): action taken, no text of it."""
    session = open_session(db=db, clock=FixedClock(parse_instant(AT)), person="tl")
    try:
        with pytest.raises(InvalidInput, match="say what was done as a result"):
            FollowupService(session).respond(ref, finding="justified", action_taken=True)
        FollowupService(session).respond(ref, finding="justified", action_taken=True, action="x")
    finally:
        session.close()
    with sqlite3.connect(db) as conn:  # the text an older form let through: none
        conn.execute(
            "UPDATE followup_details SET action_text = NULL WHERE followup_id = "
            "(SELECT id FROM followups WHERE ref = ?)",
            (ref,),
        )


AT = "2026-11-03T10:00:00Z"


def _actions(cli: Cli, now: str) -> tuple[list[tuple[str | None, bool]], str, str]:
    record = run_json(cli, *QUARTER, now=now)["on_the_record"]
    json_actions = [(a["action"], a["action_deleted"]) for a in record["actions"]]
    text = ok(cli(*QUARTER, now=now)).out
    page = ok(cli(*QUARTER, "--format", "html", now=now)).out
    return json_actions, text, page


def test_an_action_without_text_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office = make_office(tmp_path)
    cli = Cli(office, monkeypatch)
    refs = []
    for _ in range(2):
        made = run_json(
            cli,
            *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "staff"),
            now="2026-11-02T10:00:00Z",
        )
        refs.append(str(made["ref"]))
    _respond(cli, refs[0], "--action", "Coaching given")
    _respond_without_text(office, refs[1])

    actions, text, page = _actions(cli, "2026-11-30T17:00:00Z")
    assert actions == [("Coaching given", False), (None, False)]
    said = "complaint (About a member of staff, justified), answered 2026-11-03"
    assert f"{refs[0]}  {said}: Coaching given" in text
    assert f"{refs[1]}  {said}: (no text recorded)" in text
    for shown in (text, page):
        assert ACTION_NOT_WRITTEN in shown
        assert ACTION_DELETED not in shown.split("says why")[0]  # only the page's note names it
    assert f">{ACTION_NOT_WRITTEN}</td>" in page

    purge_env = {"OSS_DESK_RETENTION__RECORDS_DAYS": "1"}
    purged = cli("db", "purge", "--json", now="2026-12-10T10:00:00Z", env=purge_env)
    assert purged.code == 0, purged.err
    actions, text, page = _actions(cli, "2026-12-10T10:05:00Z")
    assert actions == [(None, True), (None, True)]
    assert text.count(ACTION_DELETED) == 2 and ACTION_NOT_WRITTEN not in text
    assert page.count(f">{ACTION_DELETED}</td>") == 2


def test_the_text_return_has_the_page_s_figures_and_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text return names the quarter as the scorecard and the page do ("Q3 2026/27"), has
    the "all acknowledged / all answered" the page, JSON and CSV carry; the CSV writes true and
    false as the JSON does (not Python's True)."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "compliment", "--category", "staff"),
        now="2026-11-02T10:00:00Z",
    )
    _respond_compliment = ("--user", "tl", "followup", "respond", str(made["ref"]))
    run_json(cli, *_respond_compliment, "--action-taken", "yes", "--action", "Thanked", now=AT)
    report = run_json(cli, *QUARTER, now="2026-11-30T17:00:00Z")
    record = report["on_the_record"]
    text = ok(cli(*QUARTER, now="2026-11-30T17:00:00Z")).out
    assert "Quarterly return, On The Record: Civic Centre, Q3 2026/27" in text
    for key, words in (("all_acknowledged", "all acknowledged"), ("all_answered", "all answered")):
        t = record[key]
        assert (
            f"    {words} in time {t['pct']:.1f}% ({t['met']} met, {t['missed']} missed,"
            f" {t['pending']} still open)" in text
        )
    csv = ok(cli(*QUARTER, "--format", "csv", now="2026-11-30T17:00:00Z")).out
    assert "on_the_record,actions.0.action_taken,true" in csv.splitlines()
    assert "True" not in csv and "False" not in csv
