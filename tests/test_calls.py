"""`oss-desk import calls`: the telephone export, all rows or none, and the call patterns."""

from __future__ import annotations

import itertools
import json
import math
import random
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss_desk.domain.calls import CallFormat, decode, parse_calls, parse_duration
from oss_desk.errors import InvalidInput
from oss_desk.render.json import plain
from oss_desk.storage.calls import call_patterns

from .conftest import Cli, db_content, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"
LONDON = ZoneInfo("Europe/London")
HEADER = "Call ID,Call Start,Queue Time,Answered,Talk Time\n"
WITH_ID = ["--mapping", "call_id=Call ID", "--mapping", "talk_seconds=Talk Time"]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def counts(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("SELECT count(*) FROM calls").fetchone()[0],
            conn.execute("SELECT count(*) FROM call_imports").fetchone()[0],
            conn.execute("SELECT count(*) FROM events WHERE kind = 'calls_imported'").fetchone()[0],
        )
    finally:
        conn.close()


def patterns(db: Path, first: str, last: str, site: str | None = None) -> dict[str, Any] | None:
    conn = sqlite3.connect(db)
    try:
        found: dict[str, Any] | None = plain(call_patterns(conn, first, last, site))
        return found
    finally:
        conn.close()


def import_calls(cli: Cli, path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli("import", "calls", str(path), *args, now=NOW, env=env)


def one_line_error(result, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code != 0
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1 and result.err.startswith("oss-desk: "), result.err
    assert fragment in result.err, result.err


# A month of calls, and the figures computed independently -------------------------------------


def month_of_calls(seed: int = 7, n: int = 400) -> list[dict]:  # type: ignore[type-arg]
    """Calls from 28 September to 3 November 2026 (over the clock change on 25 October), local
    times, some written as local DD/MM/YYYY and some as ISO 8601 with their UTC offset."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 28, 7, 0)  # noqa: DTZ001 - a local wall time
    calls = []
    for i in range(n):
        wall = start + timedelta(minutes=rng.randrange(0, 37 * 24 * 60), seconds=rng.randrange(60))
        if wall.date() == date(2026, 10, 25) and wall.hour == 1:
            wall = wall.replace(hour=3)  # the repeated hour has its own test below
        instant = wall.replace(tzinfo=LONDON).astimezone(UTC)
        answered = rng.random() < 0.8
        wait = rng.randrange(0, 900)
        talk = rng.randrange(30, 1200) if answered else None
        calls.append(
            {
                "id": f"C{i:05d}",
                "instant": instant,
                "started": (
                    wall.strftime("%d/%m/%Y %H:%M:%S")
                    if i % 3
                    else wall.replace(tzinfo=LONDON).isoformat()
                ),
                "wait": wait,
                "wait_text": str(wait)
                if i % 2
                else f"{wait // 3600:02d}:{wait // 60 % 60:02d}:{wait % 60:02d}",
                "answered": answered,
                "answered_text": rng.choice(["Y", "yes", "Answered", "1"])
                if answered
                else rng.choice(["N", "No", "abandoned", "0"]),
                "talk": talk,
            }
        )
    return calls


def as_csv(calls: list[dict]) -> str:  # type: ignore[type-arg]
    lines = [HEADER.rstrip("\n")]
    for c in calls:
        talk = "" if c["talk"] is None else str(c["talk"])
        lines.append(f"{c['id']},{c['started']},{c['wait_text']},{c['answered_text']},{talk}")
    return "\r\n".join(lines) + "\r\n"


def half_up(value: Fraction) -> float:
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def expected_patterns(
    calls: list[dict],  # type: ignore[type-arg]
    first: date,
    last: date,
    talk: bool = True,
) -> dict[str, Any] | None:
    """The figures of the calls of ``first``..``last`` (``talk``: the talk column was mapped)."""
    chosen = []
    for c in calls:
        wall = c["instant"].astimezone(LONDON)
        if first <= wall.date() <= last:
            chosen.append((wall, c))
    if not chosen:
        return None
    answered = [c for _, c in chosen if c["answered"]]
    hours = Counter(f"{wall.hour:02d}" for wall, _ in chosen)
    days = Counter(wall.date().isoformat() for wall, _ in chosen)
    every_day = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def pct(part: int, whole: int) -> float | None:
        return half_up(Fraction(100 * part, whole)) if whole else None

    def within(group: list[dict], limit: int) -> int:  # type: ignore[type-arg]
        return sum(1 for c in group if c["answered"] and c["wait"] <= limit)

    talks = [c["talk"] for c in answered if talk and c.get("talk") is not None]
    hourly: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for wall, c in chosen:
        hourly.setdefault(f"{wall.hour:02d}", []).append(c)
    return {
        "answered_within": {str(s): within([c for _, c in chosen], s) for s in (20, 45)},
        "answered_within_pct": {
            str(s): pct(within([c for _, c in chosen], s), len(chosen)) for s in (20, 45)
        },
        "abandoned_pct": pct(len(chosen) - len(answered), len(chosen)),
        "average_talk_seconds": half_up(Fraction(sum(talks), len(talks))) if talks else None,
        "hours": {
            hour: {
                "calls": len(group),
                "answered": sum(1 for c in group if c["answered"]),
                "abandoned": sum(1 for c in group if not c["answered"]),
                "abandoned_pct": pct(sum(1 for c in group if not c["answered"]), len(group)),
                "within_pct": {str(s): pct(within(group, s), len(group)) for s in (20, 45)},
            }
            for hour, group in sorted(hourly.items())
        },
        "total": len(chosen),
        "answered": len(answered),
        "abandoned": len(chosen) - len(answered),
        "answered_pct": half_up(Fraction(100 * len(answered), len(chosen))),
        "average_wait_seconds": half_up(Fraction(sum(c["wait"] for c in answered), len(answered)))
        if answered
        else None,
        "by_hour": dict(sorted(hours.items())),
        "by_day": {d.isoformat(): days.get(d.isoformat(), 0) for d in every_day},
    }


def test_a_good_export_imports_and_the_patterns_add_up(cli: Cli, tmp_path: Path) -> None:
    calls = month_of_calls()
    path = write(tmp_path, "october.csv", as_csv(calls))
    result = import_calls(cli, path, *WITH_ID, "--json", env={"OSS_DESK_USER": "tl"})
    assert result.code == 0, result.err
    assert result.err == ""
    out = result.json()
    days = sorted(c["instant"].astimezone(LONDON).date().isoformat() for c in calls)
    assert out == {
        "import_id": 1,
        "file": "october.csv",
        "site": "hq",
        "rows": len(calls),
        "imported": len(calls),
        "duplicates": 0,
        "first_day": days[0],
        "last_day": days[-1],
    }
    assert counts(cli.db) == (len(calls), 1, 1)

    october = patterns(cli.db, "2026-10-01", "2026-10-31")
    assert october == expected_patterns(calls, date(2026, 10, 1), date(2026, 10, 31))
    assert october is not None and len(october["by_day"]) == 31
    assert patterns(cli.db, "2026-10-01", "2026-10-31", "hq") == october
    assert patterns(cli.db, "2026-10-01", "2026-10-31", "elsewhere") is None
    assert patterns(cli.db, "2026-08-01", "2026-08-31") is None
    # A week across the clock change, and one day.
    for first, last in [(date(2026, 10, 22), date(2026, 10, 28)), (date(2026, 10, 26),) * 2]:
        got = patterns(cli.db, first.isoformat(), last.isoformat())
        assert got == expected_patterns(calls, first, last)

    conn = sqlite3.connect(cli.db)
    try:
        imported_by, file_name, sha, mapping = conn.execute(
            "SELECT imported_by, file_name, sha256, mapping FROM call_imports"
        ).fetchone()
        actor, data = conn.execute(
            "SELECT actor, data FROM events WHERE kind = 'calls_imported'"
        ).fetchone()
    finally:
        conn.close()
    import hashlib

    assert (imported_by, file_name, actor) == ("tl", "october.csv", "tl")
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert json.loads(mapping)["columns"]["call_id"] == "Call ID"
    assert json.loads(data) == {
        "import_id": 1,
        "rows": len(calls),
        "imported": len(calls),
        "duplicates": 0,
        "first_day": days[0],
        "last_day": days[-1],
    }


def test_the_monthly_report_shows_the_calls_of_every_office(cli: Cli, tmp_path: Path) -> None:
    from .conftest import make_db

    here, there = month_of_calls(seed=1, n=300), month_of_calls(seed=2, n=200)
    other = make_db(tmp_path / "north", name="north.sqlite")
    assert import_calls(cli, write(tmp_path, "here.csv", as_csv(here)), *WITH_ID).code == 0
    result = cli(
        "--db",
        str(other),
        "import",
        "calls",
        str(write(tmp_path, "there.csv", as_csv(there))),
        *WITH_ID,
    )
    assert result.code == 0, result.err
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    report = cli(
        "report", "monthly", "--month", "2026-10", "--format", "json", now="2026-11-02T10:00:00Z"
    )
    assert report.code == 0, report.err
    assert report.json()["calls"] == expected_patterns(here, first, last)
    assert list(report.json()["calls"]) == [
        "total",
        "answered",
        "abandoned",
        "answered_pct",
        "average_wait_seconds",
        "by_hour",
        "by_day",
        "answered_within",
        "answered_within_pct",
        "abandoned_pct",
        "average_talk_seconds",
        "hours",
    ]
    both = cli(
        "report",
        "monthly",
        "--month",
        "2026-10",
        "--include",
        str(other),
        "--format",
        "json",
        now="2026-11-02T10:00:00Z",
    )
    assert both.code == 0, both.err
    assert both.json()["calls"] == expected_patterns(here + there, first, last)
    text = cli("report", "monthly", "--month", "2026-10", now="2026-11-02T10:00:00Z")
    expected = expected_patterns(here, first, last)
    assert expected is not None and "Telephone calls" in text.out
    telephone = text.out.split("\n  Telephone calls\n", 1)[1].splitlines()
    assert telephone[0].split()[-1] == str(expected["total"])


def test_the_text_summary(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "one.csv", HEADER + "1,01/10/2026 09:00:00,10,Y,60\n")
    result = import_calls(cli, path)
    assert result.code == 0 and result.err == ""
    assert result.out == (
        "Imported 1 call from one.csv (2026-10-01 to 2026-10-01) for hq: import 1\n"
    )


def test_clock_changes_put_calls_in_their_local_hour_and_day(cli: Cli, tmp_path: Path) -> None:
    rows = [
        ("a", "30/09/2026 23:59:59", "2026-09-30T22:59:59.000Z", "2026-09-30", 23),  # BST
        ("b", "2026-09-30T23:30:00Z", "2026-09-30T23:30:00.000Z", "2026-10-01", 0),  # BST
        ("c", "24/10/2026 23:30:00", "2026-10-24T22:30:00.000Z", "2026-10-24", 23),
        # 01:30 happens twice on 25 October: the first (BST) is meant.
        ("d", "25/10/2026 01:30:00", "2026-10-25T00:30:00.000Z", "2026-10-25", 1),
        ("e", "2026-10-25T01:30:00+00:00", "2026-10-25T01:30:00.000Z", "2026-10-25", 1),  # GMT
        ("f", "25/10/2026 02:30:00", "2026-10-25T02:30:00.000Z", "2026-10-25", 2),
        ("g", "2026-10-31T23:30:00Z", "2026-10-31T23:30:00.000Z", "2026-10-31", 23),  # GMT
        ("h", "29/03/2026 00:59:00", "2026-03-29T00:59:00.000Z", "2026-03-29", 0),
        ("i", "29/03/2026 02:00:00", "2026-03-29T01:00:00.000Z", "2026-03-29", 2),
    ]
    text = HEADER + "".join(f"{r[0]},{r[1]},5,Y,1\n" for r in rows)
    result = import_calls(cli, write(tmp_path, "dst.csv", text), *WITH_ID)
    assert result.code == 0, result.err
    conn = sqlite3.connect(cli.db)
    try:
        stored = conn.execute(
            "SELECT substr(call_key, 4), started_at, business_day, local_hour FROM calls "
            "ORDER BY call_key"
        ).fetchall()
    finally:
        conn.close()
    assert stored == [(r[0], r[2], r[3], r[4]) for r in rows]
    october = patterns(cli.db, "2026-10-01", "2026-10-31")
    assert october is not None
    assert october["by_hour"] == {"00": 1, "01": 2, "02": 1, "23": 2}
    assert october["by_day"]["2026-10-01"] == 1 and october["by_day"]["2026-10-25"] == 3
    september = patterns(cli.db, "2026-09-01", "2026-09-30")
    assert september is not None
    assert {k: september[k] for k in list(september)[:7]} == {
        "total": 1,
        "answered": 1,
        "abandoned": 0,
        "answered_pct": 100.0,
        "average_wait_seconds": 5.0,
        "by_hour": {"23": 1},
        "by_day": {f"2026-09-{d:02d}": int(d == 30) for d in range(1, 31)},
    }
    assert list(september["hours"]) == ["23"]


def test_the_export_timezone_can_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path, site_toml(extra='\n[calls]\ntimezone = "UTC"\n'))
    cli = Cli(db, monkeypatch)
    path = write(tmp_path, "utc.csv", HEADER + "1,01/07/2026 08:30:00,5,Y,1\n")
    assert import_calls(cli, path).code == 0
    july = patterns(db, "2026-07-01", "2026-07-31")
    assert july is not None and july["by_hour"] == {"09": 1}  # 08:30 UTC is 09:30 BST


def test_averages_count_answered_calls_only(cli: Cli, tmp_path: Path) -> None:
    text = HEADER + (
        "1,01/10/2026 09:00:00,10,Y,60\n"
        "2,01/10/2026 09:10:00,00:00:21,Y,60\n"
        "3,01/10/2026 09:20:00,600,N,\n"
        "4,02/10/2026 14:00:00,0:04,N,\n"
    )
    assert import_calls(cli, write(tmp_path, "a.csv", text)).code == 0
    got = patterns(cli.db, "2026-10-01", "2026-10-02")
    assert got is not None
    assert {k: got[k] for k in list(got)[:7]} == {
        "total": 4,
        "answered": 2,
        "abandoned": 2,
        "answered_pct": 50.0,
        "average_wait_seconds": 15.5,  # (10 + 21) / 2: the abandoned waits are left out
        "by_hour": {"09": 3, "14": 1},
        "by_day": {"2026-10-01": 3, "2026-10-02": 1},
    }
    # 10 s within 20; 21 s within 45 only; the 600 s abandoned call was answered within nothing.
    assert (got["answered_within"], got["answered_within_pct"]) == (
        {"20": 1, "45": 2},
        {"20": 25.0, "45": 50.0},
    )
    assert got["average_talk_seconds"] is None  # the talk column was not mapped
    text = HEADER + "9,03/10/2026 10:00:00,33,N,\n"
    assert import_calls(cli, write(tmp_path, "b.csv", text)).code == 0
    only_abandoned = patterns(cli.db, "2026-10-03", "2026-10-03")
    assert only_abandoned is not None
    assert only_abandoned["answered_pct"] == 0.0
    assert only_abandoned["average_wait_seconds"] is None


# Bad rows, bad files ------------------------------------------------------------------------


BAD_ROWS = (
    HEADER
    + '1,01/10/2026 09:00:00,10,Y,"60"\n'  # line 2: good
    + '"2\nb",01/10/2026 09:05:00,10,Y,60\n'  # lines 3-4: good, a line break in a quoted field
    + "3,01/10/2026 09:10:00,abc,Y,60\n"  # line 5
    + "\n"  # line 6: blank, skipped
    + '4,01/10/2026 09:15:00,10,"Y\nN",60\n'  # lines 7-8: bad, over two lines
    + "5,01/10/2026 09:20:00,10,maybe,60\n"  # line 9
    + "6,,10,Y,60\n"  # line 10
    + "7,01/10/2026 09:30:00,10\n"  # line 11: too few fields
    + "8,01/12/2026 09:30:00,10,Y,60\n"  # line 12: in the future (December)
    + "9,29/03/2026 01:30:00,10,Y,60\n"  # line 13: does not exist in London
    + "10,01/10/2026 09:40:00,-5,N,1:75\n"  # line 14: two bad durations
    + "11,01/10/2026 09:45:00,10,Y,60,,\n"  # line 15: good, empty extra fields are fine
    + "12,01/10/2026 09:50:00,10,Y,60,x\n"  # line 16: a field too many
    + "13,31/02/2026 09:50:00,10,Y,60\n"  # line 17: no such date
    + "14,01/10/2026 09:55:00,90000,Y,\n"  # line 18: over a day
)
BAD_ROW_PROBLEMS = [
    "line 5: 'Queue Time' is not a duration: 'abc' (expected seconds or HH:MM:SS)",
    "line 7: 'Answered' is neither answered nor abandoned: 'Y?N' "
    "(see calls.answered_values and calls.abandoned_values)",
    "line 9: 'Answered' is neither answered nor abandoned: 'maybe' "
    "(see calls.answered_values and calls.abandoned_values)",
    "line 10: 'Call Start' is empty",
    "line 11: 3 fields, the header has 5",
    "line 12: 'Call Start' is in the future: '01/12/2026 09:30:00'",
    "line 13: 'Call Start' does not exist in Europe/London: '29/03/2026 01:30:00' "
    "(the clocks went forward)",
    "line 14: 'Queue Time' is not a duration: '-5' (expected seconds or HH:MM:SS)",
    "line 14: 'Talk Time' is not a duration: '1:75' (expected seconds or HH:MM:SS)",
    "line 16: 6 fields, the header has 5",
    "line 17: 'Call Start' is not a date and time: '31/02/2026 09:50:00' "
    "(expected ISO 8601 or DD/MM/YYYY HH:MM:SS or DD/MM/YYYY HH:MM)",
    "line 18: 'Queue Time' is longer than a day: '90000'",
]
TALK = {
    "started": "Call Start",
    "answered": "Answered",
    "wait_seconds": "Queue Time",
    "talk_seconds": "Talk Time",
}


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(cli: Cli, tmp_path: Path) -> None:
    before = db_content(cli.db)
    path = write(tmp_path, "bad.csv", BAD_ROWS)
    result = import_calls(cli, path, "--mapping", "talk_seconds=Talk Time")
    one_line_error(result, "bad.csv: 12 problems, nothing imported: ")
    assert result.code == 2
    listed = result.err.split("nothing imported: ", 1)[1].rstrip("\n")
    assert listed.split("; ") == BAD_ROW_PROBLEMS
    assert db_content(cli.db) == before
    assert counts(cli.db) == (0, 0, 0)
    # Windows line ends count the same lines.
    crlf = write(tmp_path, "bad-crlf.csv", BAD_ROWS.replace("\n", "\r\n"))
    result = import_calls(cli, crlf, "--mapping", "talk_seconds=Talk Time")
    assert result.err.split("nothing imported: ", 1)[1].rstrip("\n").split("; ") == [
        p.replace("'Y?N'", "'Y??N'") for p in BAD_ROW_PROBLEMS
    ]
    assert db_content(cli.db) == before


def test_the_good_rows_of_a_bad_file_start_where_they_start() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    parsed = parse_calls(BAD_ROWS, CallFormat(columns=TALK), "bad.csv", now=now)
    assert [c.line for c in parsed.calls] == [2, 3, 15]
    assert parsed.problems == BAD_ROW_PROBLEMS


def test_only_the_first_twenty_problems_are_listed(cli: Cli, tmp_path: Path) -> None:
    rows = "".join(f"{i},01/10/2026 09:00:{i:02d},x{i},Y,1\n" for i in range(25))
    result = import_calls(cli, write(tmp_path, "many.csv", HEADER + rows))
    one_line_error(result, "many.csv: 25 problems, nothing imported: line 2: ")
    assert "line 21: 'Queue Time' is not a duration: 'x19'" in result.err
    assert "line 22:" not in result.err
    assert result.err.rstrip("\n").endswith("; and 5 more")
    assert counts(cli.db) == (0, 0, 0)


def test_a_missing_column_names_the_columns_the_file_has(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "other.csv", "Start,Wait,Outcome,Agent\n01/10/2026 09:00:00,5,Y,x\n")
    result = import_calls(cli, path)
    one_line_error(
        result,
        "other.csv: no columns 'Call Start', 'Answered', 'Queue Time' in the header line "
        "(see calls.columns or --mapping); the file has: 'Start', 'Wait', 'Outcome', 'Agent'",
    )
    result = import_calls(
        cli, path, "--mapping", "started=start", "--mapping", "wait_seconds= WAIT "
    )
    one_line_error(result, "no column 'Answered' in the header line")
    result = import_calls(
        cli,
        path,
        "--mapping",
        "started=Start",
        "--mapping",
        "wait_seconds=Wait",
        "--mapping",
        "answered=Outcome",
    )
    assert result.code == 0, result.err
    assert counts(cli.db) == (1, 1, 1)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty", b"", "empty.csv: is empty (expected a CSV export with a header line)"),
        ("blank", b"\r\n  \n,,,\n", "blank.csv: is empty"),
        ("header only", HEADER.encode(), "header only.csv: has a header line but no calls"),
        ("nul", b"Call Start\x00,Answered\n", "nul.csv: not a text file (it holds NUL bytes)"),
        ("binary", b"\x81\x8d\x8f\x90\x9d" * 50, "not a text file (expected a UTF-8 or"),
        (
            "unclosed quote",
            HEADER.encode() + b'1,"01/10/2026 09:00:00,5,Y,1\n',
            "line 2: not valid CSV",
        ),
        (
            "stray quote",
            HEADER.encode() + b'1,"01/10/2026 09:00:00"x,5,Y,1\n',
            "line 2: not valid CSV",
        ),
        (
            "bad header",
            b'"Call Start,Answered\n',
            "bad header.csv: 1 problem, nothing imported: line 1",
        ),
        (
            "duplicate column",
            b"Call Start,Answered,Queue Time,answered\n",
            "the header has the column 'Answered' twice",
        ),
    ],
)
def test_bad_files_are_one_line_and_import_nothing(
    cli: Cli, tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    before = db_content(cli.db)
    result = import_calls(cli, write(tmp_path, f"{name}.csv", content))
    one_line_error(result, fragment)
    assert db_content(cli.db) == before


def test_missing_files_and_folders(cli: Cli, tmp_path: Path) -> None:
    before = db_content(cli.db)
    for path, fragment, code in [
        (tmp_path / "nowhere.csv", "nowhere.csv: no such file", 5),
        (tmp_path, "is a directory, not a call export (CSV file)", 2),
    ]:
        result = import_calls(cli, path)
        one_line_error(result, fragment)
        assert result.code == code
    assert db_content(cli.db) == before


def test_encodings(cli: Cli, tmp_path: Path) -> None:
    text = "Début,Answered,Queue Time,Note\n01/10/2026 09:00:00,Y,5,café £5\n"
    args = ["--mapping", "started=Début"]
    for name, data in [
        ("utf8.csv", text.encode("utf-8")),
        ("bom.csv", b"\xef\xbb\xbf" + text.replace("09:00", "09:01").encode("utf-8")),
        ("cp1252.csv", text.replace("09:00", "09:02").encode("cp1252")),
        ("utf16.csv", text.replace("09:00", "09:03").encode("utf-16")),
    ]:
        result = import_calls(cli, write(tmp_path, name, data), *args)
        assert result.code == 0, (name, result.err)
    assert counts(cli.db) == (4, 4, 4)


def test_the_same_file_twice_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "october.csv", as_csv(month_of_calls(n=50)))
    assert import_calls(cli, path).code == 0
    before = db_content(cli.db)
    copy = write(tmp_path, "renamed.csv", path.read_bytes())
    for again in (path, copy):
        result = import_calls(cli, again, *WITH_ID)
        one_line_error(result, f"{again.name}: this file was imported already (import 1, ")
        assert "as october.csv): nothing imported" in result.err
        assert result.code == 6
    assert db_content(cli.db) == before


def test_overlapping_exports_count_each_call_once(cli: Cli, tmp_path: Path) -> None:
    calls = month_of_calls(n=120)
    calls.sort(key=lambda c: c["instant"])
    first, second = calls[:80], calls[60:]
    assert import_calls(cli, write(tmp_path, "a.csv", as_csv(first)), *WITH_ID).code == 0
    result = import_calls(cli, write(tmp_path, "b.csv", as_csv(second)), *WITH_ID, "--json")
    assert result.code == 0, result.err
    assert (result.json()["rows"], result.json()["imported"], result.json()["duplicates"]) == (
        60,
        40,
        20,
    )
    assert counts(cli.db) == (120, 2, 2)
    whole = expected_patterns(calls, date(2026, 9, 1), date(2026, 11, 30))
    assert patterns(cli.db, "2026-09-01", "2026-11-30") == whole


def test_duplicates_with_and_without_a_call_id(cli: Cli, tmp_path: Path) -> None:
    same_start = HEADER + (
        "A1,01/10/2026 09:00:00,5,Y,60\n"
        "A2,01/10/2026 09:00:00,5,Y,60\n"  # another call in the same second
        "A1,01/10/2026 09:00:00,5,Y,60\n"  # the same call twice in the export
    )
    result = import_calls(cli, write(tmp_path, "ids.csv", same_start), *WITH_ID, "--json")
    assert (result.json()["imported"], result.json()["duplicates"]) == (2, 1)
    # Without the call id, a call is its start and figures: identical rows are one call.
    no_ids = HEADER + (
        "B1,02/10/2026 09:00:00,5,Y,60\n"
        "B2,02/10/2026 09:00:00,5,Y,60\n"
        "B1,02/10/2026 09:00:00,5,Y,60\n"
        "B3,02/10/2026 09:00:00,6,Y,60\n"  # another wait: another call
    )
    result = import_calls(cli, write(tmp_path, "no-ids.csv", no_ids), "--json")
    assert (result.json()["imported"], result.json()["duplicates"]) == (2, 2)
    assert counts(cli.db)[0] == 4


# Configuration ------------------------------------------------------------------------------


SEMICOLONS = (
    "Debut;Attente;Etat;Duree\n"
    "2026-10-01 09:00;00:01:05;Decroche;00:03:00\n"
    "2026-10-01 09:30;00:00:40;Perdu;\n"
)
CALLS_TOML = """
[calls]
columns = {started = "Debut", wait_seconds = "Attente", answered = "Etat", talk_seconds = "Duree"}
time_format = "%Y-%m-%d %H:%M"
answered_values = ["Decroche"]
abandoned_values = ["Perdu"]
delimiter = ";"
durations = "hh:mm:ss"
"""


def test_the_mapping_and_formats_come_from_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml(extra=CALLS_TOML))
    cli = Cli(db, monkeypatch)
    result = import_calls(cli, write(tmp_path, "fr.csv", SEMICOLONS))
    assert result.code == 0, result.err
    got = patterns(db, "2026-10-01", "2026-10-01")
    assert got is not None
    assert (got["answered"], got["abandoned"], got["average_wait_seconds"]) == (1, 1, 65.0)
    conn = sqlite3.connect(db)
    mapping = json.loads(conn.execute("SELECT mapping FROM call_imports").fetchone()[0])
    conn.close()
    assert mapping["delimiter"] == ";" and mapping["columns"]["talk_seconds"] == "Duree"
    # durations = "hh:mm:ss": plain seconds are refused.
    plain = SEMICOLONS.replace("00:01:05", "65").replace("09:00", "10:00")
    result = import_calls(cli, write(tmp_path, "plain.csv", plain))
    one_line_error(result, "line 2: 'Attente' is not a duration: '65' (expected HH:MM:SS)")


def test_the_mapping_comes_from_the_environment(cli: Cli, tmp_path: Path) -> None:
    text = "When,Wait,Answered\n01/10/2026 09:00:00,5,Y\n"
    path = write(tmp_path, "env.csv", text)
    one_line_error(import_calls(cli, path), "no columns 'Call Start', 'Queue Time'")
    env = {
        "OSS_DESK_CALLS__COLUMNS__STARTED": "When",
        "OSS_DESK_CALLS__COLUMNS__WAIT_SECONDS": "Wait",
    }
    result = import_calls(cli, path, env=env)
    assert result.code == 0, result.err
    assert counts(cli.db) == (1, 1, 1)
    other = write(tmp_path, "env2.csv", text.replace("5,Y", "7,Y"))
    result = import_calls(
        cli, other, env={"OSS_DESK_CALLS__COLUMNS": '{"started": "When", "wait_seconds": "Wait"}'}
    )
    assert result.code == 0, result.err
    # --mapping wins over the environment.
    third = write(tmp_path, "env3.csv", text.replace("5,Y", "9,Y"))
    result = import_calls(
        cli,
        third,
        "--mapping",
        "started=When",
        env={**env, "OSS_DESK_CALLS__COLUMNS__STARTED": "Nope"},
    )
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"OSS_DESK_CALLS__COLUMNS__CALLER": "Caller"}, "unknown call column key 'caller'"),
        ({"OSS_DESK_CALLS__TIME_FORMAT": '["%Q"]'}, "time format '%Q' is not a strftime format"),
        ({"OSS_DESK_CALLS__TIME_FORMAT": '["%d/%m/%Y"]'}, "needs the day, month, year, hour"),
        ({"OSS_DESK_CALLS__TIMEZONE": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"OSS_DESK_CALLS__DELIMITER": ";;"}, "calls.delimiter"),
        ({"OSS_DESK_CALLS__DURATIONS": "minutes"}, "calls.durations"),
        ({"OSS_DESK_CALLS__ABANDONED_VALUES": '["yes"]'}, "'yes' cannot mean both"),
    ],
)
def test_bad_call_settings(cli: Cli, tmp_path: Path, env: dict[str, str], fragment: str) -> None:
    path = write(tmp_path, "x.csv", HEADER + "1,01/10/2026 09:00:00,5,Y,1\n")
    before = db_content(cli.db)
    one_line_error(import_calls(cli, path, env=env), fragment)
    assert db_content(cli.db) == before


def test_durations() -> None:
    cases = {"0": 0, "75": 75, "75.5": 76, "75.4": 75, "01:15": 75, "1:02:03": 3723, "0:00:09": 9}
    for text, seconds in cases.items():
        assert parse_duration(text) == seconds, text
    assert parse_duration("75", "seconds") == 75
    assert parse_duration("00:01:15", "hh:mm:ss") == 75
    for text, mode in [("01:15", "seconds"), ("75", "hh:mm:ss"), ("1:60", "auto"), ("", "auto")]:
        with pytest.raises(ValueError, match="is not a duration"):
            parse_duration(text, mode)


# Random junk never ends in a traceback ------------------------------------------------------

CELLS = st.one_of(
    st.sampled_from(
        [
            "Call Start",
            "Answered",
            "Queue Time",
            "Y",
            "N",
            "01/10/2026 09:00:00",
            "2026-10-01T09:00Z",
            "25/10/2026 01:30:00",
            "29/03/2026 01:30",
            "00:01:05",
            "1:75",
            "-1",
            "9" * 30,
            '"',
            '""',
            "",
        ]
    ),
    st.text(max_size=12),
)
JUNK = st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(CELLS, max_size=6).map(lambda cells: ",".join(cells)), max_size=8).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
    ),
)


@settings(max_examples=300, deadline=None)
@given(JUNK)
def test_junk_is_parsed_or_refused_in_words(data: bytes) -> None:
    try:
        parsed = parse_calls(
            decode(data, "junk.csv"),
            CallFormat(),
            "junk.csv",
            now=datetime(2026, 11, 23, tzinfo=UTC),
        )
    except InvalidInput as exc:
        refused = exc.message
        assert refused.startswith("junk.csv: ")
        return
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for problem in parsed.problems:
        number = int(problem.split(":", 1)[0].removeprefix("line "))
        assert 2 <= number <= lines
    for call in parsed.calls:
        assert call.started_at.tzinfo is UTC and 0 <= call.local_hour <= 23


_names = itertools.count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(JUNK)
def test_junk_through_the_command(cli: Cli, tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, f"junk-{next(_names)}.csv", data)
    before = counts(cli.db)
    result = import_calls(cli, path, "--json")
    assert "Traceback" not in result.err
    if result.code == 0:
        got = json.loads(result.out)
        assert counts(cli.db)[0] == before[0] + got["imported"]
    else:
        assert result.code in (2, 6), result.err
        one_line_error(result, "oss-desk: ")
        assert counts(cli.db) == before


def test_the_calls_schema(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        tables = {
            r[0]: r[1]
            for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        }
        assert "STRICT" in tables["calls"] and "STRICT" in tables["call_imports"]
        for site in ("hq", None):
            plan = " ".join(
                r[3]
                for r in conn.execute(
                    "EXPLAIN QUERY PLAN SELECT count(*) FROM calls WHERE business_day BETWEEN "
                    "'2026-10-01' AND '2026-10-31' AND (:site IS NULL OR site_id = :site)",
                    {"site": site},
                )
            )
            assert "USING INDEX calls_day" in plan or "USING COVERING INDEX calls_day" in plan
        plan = " ".join(
            r[3]
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM calls "
                "WHERE business_day BETWEEN '2026-10-01' AND '2026-10-31' AND site_id = 'hq'"
            )
        )
        assert "calls_day" in plan
        conn.execute(
            "INSERT INTO call_imports (imported_at, imported_by, site_id, file_name, sha256, rows, "
            "mapping) VALUES ('2026-11-23T10:00:00.000Z', 'tl', 'hq', 'a.csv', ?, 1, '{}')",
            ["0" * 64],
        )
        good = "answered, abandoned) VALUES ('hq', 'x', '2026-10-01', 9, 'k', 1, 5, 1, 0)"
        conn.execute(
            "INSERT INTO calls (site_id, started_at, business_day, local_hour, call_key, "
            "import_id, wait_seconds, " + good
        )
        for bad in [
            good,  # the same call twice
            "answered, abandoned) VALUES ('hq', 'x', '2026-10-01', 9, 'k', 1, 5, 1, 1)",  # both
            "answered, abandoned) VALUES ('hq', 'x', '2026-10-01', 24, 'k', 1, 5, 1, 0)",  # hour
            "answered, abandoned) VALUES ('nowhere', 'x', '2026-10-01', 9, 'k', 1, 5, 1, 0)",
        ]:
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(
                    "INSERT INTO calls (site_id, started_at, business_day, local_hour, call_key, "
                    "import_id, wait_seconds, " + bad
                )
    finally:
        conn.close()


def test_the_readme_example_imports_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import shlex

    from .conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Telephone calls")[1]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    csv_text, command = blocks[0], blocks[1]
    line, shown_output = command.strip("\n").split("\n")
    args = shlex.split(line)
    assert args[:4] == ["oss-desk", "import", "calls", "october.csv"]
    cli = Cli(make_db(tmp_path), monkeypatch)  # the demo site
    path = write(tmp_path, "october.csv", csv_text)
    result = import_calls(cli, path, *args[4:])
    assert result.code == 0, result.err
    assert "# " + result.out.strip() == shown_output
    # The configuration shown instead of --mapping reads the same file the same way.
    toml = blocks[2]
    db = make_db(tmp_path, site_toml(extra="\n" + toml), name="configured.sqlite")
    result = import_calls(Cli(db, monkeypatch), write(tmp_path, "copy.csv", csv_text + "\n"))
    assert result.code == 0, result.err
    assert patterns(db, "2026-10-01", "2026-10-01") == patterns(cli.db, "2026-10-01", "2026-10-01")


def test_counts_of_several_offices_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For `--include PATH`: raw counts add up; percentages come from the combined counts."""
    from oss_desk.domain.calls import call_figures
    from oss_desk.storage.calls import call_counts

    calls = month_of_calls(seed=11, n=150)
    totals = []
    for i, part in enumerate((calls[:70], calls[70:])):
        folder = tmp_path / f"office-{i}"
        folder.mkdir()
        db = make_db(folder, site_toml())
        result = import_calls(Cli(db, monkeypatch), write(folder, "calls.csv", as_csv(part)))
        assert result.code == 0, result.err
        conn = sqlite3.connect(db)
        totals.append(call_counts(conn, "2026-10-01", "2026-10-31", None))
        conn.close()
    combined = plain(call_figures(totals[0] + totals[1], date(2026, 10, 1), date(2026, 10, 31)))
    assert combined == expected_patterns(calls, date(2026, 10, 1), date(2026, 10, 31), talk=False)
