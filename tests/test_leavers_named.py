"""People and desks that left the configuration keep their names (trial 11, C4): once Ben's
``[[staff]]`` block and desk-1 were removed (``init``), ``ticket history`` said "(ben, desk-1)"
and the reports' advisers and desks tables "ben" and "desk-1", though every change is
attributable to a person. Their names now come from the office's records (the staff and desks
tables keep every entry that left, deactivated): in the history lines and in every report
format. Real SQLite, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .test_report_send import ADVISER, a_day, office

EVENING = "2026-11-23T18:00:00Z"
DESK_1 = '\n[[desks]]\nid = "desk-1"\nname = "Desk 1"\n'


def test_a_leaver_and_a_removed_desk_keep_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, None)
    cli = Cli(db, monkeypatch)
    a_day(cli)  # Ben served C001 and B001 at desk-1
    config = tmp_path / "site.toml"
    text = config.read_text()
    assert ADVISER in text and DESK_1 in text
    config.write_text(text.replace(ADVISER, "\n").replace(DESK_1, "\n"))
    loaded = cli("init", "--config", str(config), now=EVENING)
    assert loaded.code == 0, loaded.err

    history = cli("--user", "tl", "ticket", "history", "1", now=EVENING)
    assert history.code == 0, history.err
    called = [line for line in history.out.splitlines() if "C001 called" in line]
    assert called and called[0].endswith("(Benedict Quuxworth, Desk 1)"), history.out
    assert "ben" not in history.out.replace("Benedict", "") and "desk-1" not in history.out

    def report(*fmt: str) -> str:
        done = cli("--user", "tl", "report", "daily", "--date", "2026-11-23", *fmt, now=EVENING)
        assert done.code == 0, done.err
        return done.out

    lines = [" ".join(line.split()) for line in report().splitlines()]
    assert "Desk 1 2 2.0 min 4.0 min" in lines
    advisers = lines.index("Advisers served median service time")
    assert lines[advisers + 1] == "Benedict Quuxworth 2 2.0 min"
    assert report("--json").count('"name": "Benedict Quuxworth"') == 1
    assert "Benedict Quuxworth" in report("--format", "csv")
    page = report("--format", "html")
    assert "Benedict Quuxworth" in page and ">Desk 1<" in page
