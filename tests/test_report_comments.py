"""The council's feedback log (``report comments``): what residents wrote with their ratings
on the counter's feedback page, by day, service and rating, in text, JSON and CSV; reading
their words is recorded as personal data viewed (how many, never the words); once the
retention purge deleted a comment (``retention.comments_days``) it says "(deleted on
retention)". Team leaders only: meet-and-greet is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.reports import DELETED_ON_RETENTION
from oss_desk.services.queue import QueueService
from oss_desk.services.ratings import Ratings
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, make_db, rows, site_toml

REPORT = ("--user", "tl", "report", "comments", "--month", "2026-11")
NOW = "2026-11-23T12:00:00Z"


def _rated_visit(db: Path) -> None:
    """C001 served at desk-1 on Monday 23 November 2026, rated 3 with a comment on desk-1's
    feedback page."""
    clock = FixedClock(MONDAY_0930)
    session = open_session(db=db, clock=clock, person="tl", desk_id="desk-1")
    try:
        queue = QueueService(session)
        queue.issue("C", print_ticket=False)
        ticket = queue.call_next("desk-1")
        assert ticket is not None
        clock.set(MONDAY_0930 + timedelta(minutes=8))
        queue.finish(ticket.id, "resolved")
        ratings = Ratings(session)
        desk = session.desk("desk-1")
        offered = ratings.offered(desk)
        assert offered is not None
        said = ratings.rate_on_page(desk, offered[1], 3, "Long wait =but helpful")
        assert said == "thanks"
    finally:
        session.close()


def _viewed(db: Path) -> list[dict[str, object]]:
    found = rows(db, "SELECT data FROM events WHERE kind = 'personal_data_viewed' ORDER BY id")
    return [json.loads(r[0]) for r in found]


def test_the_feedback_log_shows_what_residents_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    greeter = '[[staff]]\nid = "gil"\nname = "Gil Greeter"\nrole = "meet-and-greet"\n'
    db = make_db(tmp_path, site_toml(extra=greeter))
    _rated_visit(db)
    cli = Cli(db, monkeypatch)
    shown = cli(*REPORT, "--json", now=NOW)
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["comments"] == [
        {
            "day": "2026-11-23",
            "site": "hq",
            "service": "C",
            "rating": 3,
            "text": "Long wait =but helpful",
            "deleted": False,
        }
    ]
    text = cli(*REPORT, now=NOW).out
    assert "2026-11-23  Council Tax  rated 3 (OK)\n    Long wait =but helpful" in text
    csv = cli(*REPORT, "--format", "csv", now=NOW).out
    assert csv.splitlines()[1] == "2026-11-23,hq,C,3,Long wait =but helpful"
    assert _viewed(db) == [{"fields": ["comment_text"], "count": 1, "where": "report comments"}] * 3
    refused = cli("--user", "gil", "report", "comments", now=NOW)
    assert refused.code == 9 and refused.out == ""

    purged = cli(
        "db", "purge", now="2026-12-10T10:00:00Z", env={"OSS_DESK_RETENTION__COMMENTS_DAYS": "1"}
    )
    assert purged.code == 0, purged.err
    after = json.loads(cli(*REPORT, "--json", now="2026-12-10T10:05:00Z").out)["comments"]
    assert [(c["text"], c["deleted"], c["rating"]) for c in after] == [(None, True, 3)]
    text = cli(*REPORT, now="2026-12-10T10:05:00Z").out
    assert f"rated 3 (OK)\n    {DELETED_ON_RETENTION}" in text
    assert len(_viewed(db)) == 3  # no words shown: no read recorded
