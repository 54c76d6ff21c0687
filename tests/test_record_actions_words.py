"""An action taken without its text says truly why, in the same words in the quarterly return's
text, HTML and JSON (one home: :func:`oss_desk.domain.reports.action_words`): "(no text
recorded)" when nobody wrote one, "(deleted on retention)" only once the retention purge
deleted it (``followup_details.purged_at`` set).

One office, November 2026: OTR-0001 answered with "Coaching given", OTR-0002 answered with an
action taken and no text (``--action-taken yes`` without ``--action``). The purge runs on 10
December with ``retention.records_days`` 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.domain.reports import ACTION_DELETED, ACTION_NOT_WRITTEN

from .conftest import Cli
from .followups_site import make_office, ok, run_json

QUARTER = ("--user", "tl", "report", "quarterly", "--quarter", "2026-Q4")


def _respond(cli: Cli, ref: str, *action: str) -> None:
    outcome = ("--outcome", "justified", "--action-taken", "yes")
    run_json(cli, "--user", "tl", "followup", "respond", ref, *outcome, *action, now=AT)


AT = "2026-11-03T10:00:00Z"


def _actions(cli: Cli, now: str) -> tuple[list[tuple[str | None, bool]], str, str]:
    record = run_json(cli, *QUARTER, now=now)["on_the_record"]
    json_actions = [(a["action"], a["action_deleted"]) for a in record["actions"]]
    text = ok(cli(*QUARTER, now=now)).out
    page = ok(cli(*QUARTER, "--format", "html", now=now)).out
    return json_actions, text, page


def test_an_action_without_text_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    refs = []
    for _ in range(2):
        made = run_json(
            cli,
            *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "staff"),
            now="2026-11-02T10:00:00Z",
        )
        refs.append(str(made["ref"]))
    _respond(cli, refs[0], "--action", "Coaching given")
    _respond(cli, refs[1])

    actions, text, page = _actions(cli, "2026-11-30T17:00:00Z")
    assert actions == [("Coaching given", False), (None, False)]
    assert f"{refs[0]}  complaint (staff, justified), answered 2026-11-03: Coaching given" in text
    assert f"{refs[1]}  complaint (staff, justified), answered 2026-11-03: (no text recorded)" in (
        text
    )
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
