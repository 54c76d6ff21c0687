"""A site that leaves the configuration (review 13, findings 1, 2 and 7): a ticket parked there
on an earlier day keeps the site until it is dealt with (it was stranded: shown as an unknown
site, cancelled with exit 70); the records left at the site (tickets the load closed, follow-ups
done before) are read as any others (they exited 70); a booking left there has no notice
counted on another office's calendar."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .conftest import Cli, rows
from .test_worker_rounds import LIBRARY, LIBRARY_DESK, OFFICE

MONDAY = "2026-11-23T09:00:00Z"
WEDNESDAY = "2026-11-25T09:00:00Z"


def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, Path, Path]:
    """The office with its Library loaded on Monday; the files with and without it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    both, civic = tmp_path / "both.toml", tmp_path / "civic.toml"
    both.write_text(OFFICE, encoding="utf-8")
    civic.write_text(OFFICE.replace(LIBRARY, "").replace(LIBRARY_DESK, ""), encoding="utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    assert cli("init", "--config", str(both), now=MONDAY).code == 0
    return cli, both, civic


def ok(cli: Cli, *args: str, now: str) -> str:
    done = cli(*args, now=now)
    assert done.code == 0, done.err
    return done.out


def test_a_ticket_parked_on_an_earlier_day_keeps_its_site_until_it_is_dealt_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "start", "C001", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "park", "C001", "--reason", "document", now=MONDAY)
    refused = cli("init", "--config", str(civic), now=WEDNESDAY)
    assert (refused.code, refused.out) == (6, "")
    assert refused.err.startswith(
        "oss-desk: site library (Library) is gone but holds 1 ticket still open "
        "(C001 of Mon 23 Nov): finish the tickets first, or keep the site until then"
    ), refused.err
    # Dealt with as it says (its adviser, still logged in, finishes it), the site may go.
    ok(cli, "--user", "adv", "ticket", "resume", "1", now=WEDNESDAY)
    ok(cli, "--user", "adv", "ticket", "finish", "1", "--outcome", "resolved", now=WEDNESDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    assert "resolved" in ok(cli, "ticket", "show", "1", now=WEDNESDAY)


def test_records_at_a_site_that_left_are_read_as_any_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticket the load closed and a ring-back done before it: ``ticket history`` and
    ``followup show`` exited 70 (the site looked up in the configuration)."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    added = cli(
        "--user", "adv", "followup", "add", "--kind", "ringback", "--service", "C", "--site",
        "library", "--phone", "07700 900123", "--topic", "bin", "--json", now=MONDAY,
    )  # fmt: skip
    assert added.code == 0, added.err
    case = added.json()["ref"]
    ok(cli, "--user", "adv", "followup", "done", case, now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)  # closes Monday's C001
    history = ok(cli, "--user", "tl", "ticket", "history", "1", now=WEDNESDAY)
    assert "C001" in history and "closed at close of day" in history, history
    shown = ok(cli, "--user", "tl", "followup", "show", case, now=WEDNESDAY)
    assert shown.startswith(f"{case}   ringback   C Council Tax  closed Mon 23 Nov  [done]"), shown


def test_a_booking_at_a_site_that_left_has_its_notice_counted_on_its_own_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Library is closed on Tuesday, the Civic Centre open: the council cancelling on
    Monday the Library's Wednesday booking gives 1 working day's notice, short of the 2 this
    office sets. It left under an older oss-desk (which did not refuse it); the notice was
    counted on the Civic Centre's calendar (2 days: no breach, no reason asked)."""
    closed = LIBRARY.replace(
        "[sites.opening_hours]", 'closures = ["2026-11-24"]\n[sites.opening_hours]'
    )
    two = OFFICE.replace(LIBRARY, closed) + "\n[appointments]\nmin_notice_working_days = 2\n"
    one = two.replace(closed, "").replace(LIBRARY_DESK, "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "two.toml").write_text(two, encoding="utf-8")
    (tmp_path / "one.toml").write_text(one, encoding="utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    ok(cli, "init", "--config", str(tmp_path / "two.toml"), now=MONDAY)
    made = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start",
        "2026-11-25T10:00:00Z", "--adviser", "adv", "--desk", "lib-1", "--channel", "slip",
        "--print-to", f"capture://{tmp_path}/slips.bin", "--json", now=MONDAY,
    )  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    with sqlite3.connect(cli.db) as conn:  # as an older oss-desk left it
        conn.execute("UPDATE sites SET active = 0 WHERE id = 'library'")
        conn.execute("UPDATE desks SET active = 0 WHERE id = 'lib-1'")
    conn.close()
    ok(cli, "init", "--config", str(tmp_path / "one.toml"), now=MONDAY)
    cancel = ("--user", "tl", "appointment", "cancel", ref, "--by", "council")
    short = cli(*cancel, now=MONDAY)
    assert (short.code, short.err) == (
        6,
        "oss-desk: the council is giving 1 working day's notice (the standard is 2): give a "
        "reason (--reason TEXT)\n",
    )
    ok(cli, *cancel, "--reason", "adviser ill", now=MONDAY)
    # Booked by slip: the notice counts from telling the resident, on the same calendar.
    assert rows(cli.db, "SELECT notice_days, notice_breach FROM appointments") == [(None, 0)]
    ok(cli, "--user", "tl", "appointment", "told", ref, "--how", "phone", now=MONDAY)
    assert rows(cli.db, "SELECT notice_days, notice_breach FROM appointments") == [(1, 1)]


def test_a_ticket_still_served_from_an_earlier_day_keeps_its_site_when_its_desk_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 14 (2): the Library closes and its desk is re-homed at the Civic Centre while
    Monday's C001 is still being served there (close of day leaves it with its adviser). The
    desk does not leave, so only the site's own tickets can refuse: those of earlier days were
    looked for on the days with tickets waiting or called, never serving; the load was
    accepted and ``ticket show 1`` then exited 5 (unknown site 'library')."""
    cli, _, _ = office(tmp_path, monkeypatch)
    moved = tmp_path / "moved.toml"
    rehomed = LIBRARY_DESK.replace('site = "library"', 'site = "hq"')
    moved.write_text(OFFICE.replace(LIBRARY, "").replace(LIBRARY_DESK, rehomed), encoding="utf-8")
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "start", "C001", now=MONDAY)
    ok(cli, "worker", "--once", now="2026-11-23T18:00:00Z")  # Monday closes; C001 stays
    assert rows(cli.db, "SELECT status FROM tickets") == [("serving",)]
    refused = cli("init", "--config", str(moved), now=WEDNESDAY)
    assert (refused.code, refused.out) == (6, "")
    assert refused.err.startswith(
        "oss-desk: site library (Library) is gone but holds 1 ticket still open "
        "(C001 of Mon 23 Nov): finish the tickets first, or keep the site until then"
    ), refused.err
    assert "serving at Library desk" in ok(cli, "ticket", "show", "1", now=WEDNESDAY)
    ok(cli, "--user", "adv", "ticket", "finish", "1", "--outcome", "resolved", now=WEDNESDAY)
    ok(cli, "init", "--config", str(moved), now=WEDNESDAY)
    assert "resolved" in ok(cli, "ticket", "show", "1", now=WEDNESDAY)
