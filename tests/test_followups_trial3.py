"""What the third new-user trial (a team leader's back office) found in the follow-up register,
through the real command line on a real database: each test fails without its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, db_content
from .followups_site import make_office, ok, run_json

NOW = "2026-11-23T10:00:00Z"  # Monday 23 November 2026, 10:00 GMT
PHONE = "07700 900417"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    return make_office(tmp_path)


@pytest.fixture
def cli(office: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(office, monkeypatch)


def ringback(cli: Cli, now: str = NOW) -> str:
    made = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", PHONE),
        now=now,
    )
    return str(made["ref"])


# W5: a day of another year is written with its year ----------------------------------------------


def test_list_writes_the_year_of_a_due_day_in_another_year(cli: Cli) -> None:
    ringback(cli, "2026-12-30T10:00:00Z")  # due Thursday 31 December
    ringback(cli, "2026-12-31T10:00:00Z")  # 1 January is a bank holiday: due Monday 4 January
    listed = ok(cli("--user", "ana", "followup", "list", now="2026-12-31T10:30:00Z")).out
    assert "due Thu 31 Dec  [open]  due today" in listed
    assert "due Mon 04 Jan 2027  [open]" in listed
    # In the new year, the old year's day has the year and the new year's has none.
    listed = ok(cli("--user", "ana", "followup", "list", now="2027-01-04T09:00:00Z")).out
    assert "due Thu 31 Dec 2026  [open]  OVERDUE" in listed
    assert "due Mon 04 Jan  [open]  due today" in listed


# C1, P1: show says the deadlines' days, where they stand, and who did what ----------------------


def test_show_says_each_deadline_with_its_day(cli: Cli) -> None:
    now = "2026-12-21T10:00:00Z"  # Monday 21 December
    ok(
        cli(
            *("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff"),
            *("--service", "H", "--channel", "phone"),
            now=now,
        )
    )
    shown = ok(cli("--user", "tl", "followup", "show", "OTR-0001", now=now)).out.splitlines()
    assert shown[1:] == [
        "  received by phone, Mon 21 Dec 10:00 (clock from Mon 21 Dec)",
        "  category About a member of staff; stage 1",
        "  acknowledge by Wed 30 Dec (not yet due)",
        "  answer by Thu 14 Jan 2027 (not yet due)",
    ]
    ok(cli("--user", "tl", "followup", "ack", "OTR-0001", now="2027-01-04T10:00:00Z"))
    later = ok(cli("--user", "tl", "followup", "show", "OTR-1", now="2027-01-15T10:00:00Z")).out
    assert "  acknowledge by Wed 30 Dec 2026 (late, Mon 04 Jan)\n" in later
    assert "  answer by Thu 14 Jan (OVERDUE)\n" in later
    assert "  acknowledged by Tia Leader\n" in later
    assert "later" not in later


def test_show_says_the_back_office_and_each_try_with_time_and_name(cli: Cli) -> None:
    now = "2026-12-21T10:00:00Z"
    ok(
        cli(
            *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
            *("--back-office", "revenues"),
            now=now,
        )
    )
    shown = ok(cli("--user", "ana", "followup", "show", "R-0001", now=now)).out
    assert "  back office Revenues (5 working days; contact ext 4100)\n" in shown
    assert "  back office to finish by Wed 30 Dec (not yet due)\n" in shown
    # Received by the back office: said once, not as a second line beginning "received".
    ok(cli("--user", "ana", "followup", "ack", "R-0001", now=now))
    lines = ok(cli("--user", "ana", "followup", "show", "R-0001", now=now)).out.splitlines()
    assert [line for line in lines if line.strip().startswith("received")] == [
        "  received Mon 21 Dec 10:00 (clock from Mon 21 Dec)"
    ]
    assert "  back office received it, recorded by Ana Adviser" in lines
    ref = ringback(cli, now)
    ok(cli("--user", "ana", "followup", "take", ref, now=now))
    tried = cli("--user", "bob", "followup", "attempt", ref, "--result", "no-answer", now=now)
    assert ok(tried).out == f"{ref}: attempt 1 recorded (no answer)\n"
    shown = ok(cli("--user", "ana", "followup", "show", ref, now=now)).out
    assert "  taken by Ana Adviser" in shown.splitlines()[0]
    assert "  attempt 1: Mon 21 Dec 10:00 by Bob Adviser: no answer\n" in shown
    assert "  ring back by Tue 22 Dec (not yet due)\n" in shown


# C2, C12: closing a ring-back that could not reach the resident ---------------------------------


def test_could_not_reach_on_day_one_is_returned_in_time(cli: Cli) -> None:
    ref = ringback(cli)
    ok(cli("--user", "ana", "followup", "attempt", ref, "--result", "no-answer", now=NOW))
    closed = ok(cli("--user", "ana", "followup", "done", ref, "--unreachable", "--yes", now=NOW))
    assert closed.out == (f"{ref}: closed unreached after 1 attempt; counted as returned in time\n")
    late = ringback(cli)
    for result in ("busy", "voicemail"):
        ok(cli("--user", "ana", "followup", "attempt", late, "--result", result, now=NOW))
    closed = ok(
        cli("--user", "ana", "followup", "done", late, "--unreachable", now="2026-11-25T10:00:00Z")
    )
    assert closed.out == (
        f"{late}: closed unreached after 2 attempts; counted as returned late "
        "(was due Tue 24 Nov)\n"
    )


def test_a_ring_back_that_reached_the_resident_cannot_be_closed_as_not_reached(
    cli: Cli, office: Path
) -> None:
    ref = ringback(cli)
    ok(cli("--user", "ana", "followup", "attempt", ref, "--result", "reached", now=NOW))
    before = db_content(office)
    refused = cli("--user", "ana", "followup", "done", ref, "--unreachable", now=NOW)
    assert (refused.code, refused.out) == (6, "")
    assert refused.err == (
        f"oss-desk: {ref}: the last try reached the resident: close it as done\n"
    )
    assert db_content(office) == before
    assert ok(cli("--user", "ana", "followup", "done", ref, now=NOW)).out == (
        f"{ref}: done in time\n"
    )
    # A later try that did not reach them (they rang off) may still end as not reached.
    again = ringback(cli)
    for result in ("reached", "no-answer"):
        ok(cli("--user", "ana", "followup", "attempt", again, "--result", result, now=NOW))
    ok(cli("--user", "ana", "followup", "done", again, "--unreachable", "--yes", now=NOW))


# C6: an owner who is no one ---------------------------------------------------------------------


def test_list_of_an_unknown_owner_is_refused_not_empty(cli: Cli) -> None:
    ringback(cli)
    for typo in ("xyz", "nobody"):
        refused = cli("--user", "tl", "followup", "list", "--owner", typo, now=NOW)
        assert (refused.code, refused.out) == (5, "")
        assert refused.err == (
            f"oss-desk: unknown person '{typo}' (a staff id, me, or none: not taken)\n"
        )
    # A person on the staff list with nothing taken: nothing to follow up, as before.
    assert ok(cli("--user", "tl", "followup", "list", "--owner", "bob", now=NOW)).out == (
        "Nothing to follow up.\n"
    )
    assert "CB-0001" in ok(cli("--user", "tl", "followup", "list", "--owner", "none", now=NOW)).out


# C7: the purge says which open follow-ups lose their details, and what stays ---------------------


def test_purge_says_how_many_still_open_lose_their_details_and_what_is_kept(
    cli: Cli, office: Path
) -> None:
    done, still_open = ringback(cli), ringback(cli)
    ok(cli("--user", "ana", "followup", "done", done, now=NOW))
    ok(
        cli(
            *("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff"),
            now=NOW,
        )
    )
    january = "2027-01-02T10:00:00Z"  # 30 days on for ring-backs; the complaint keeps 730
    dry = ok(cli("db", "purge", "--dry-run", now=january)).out.splitlines()
    assert (
        "Would delete 2 ring-back and referral details (closed, or received if still open, "
        f"before 2026-12-03 10:00), including 1 still open ({still_open})"
    ) in dry
    assert (
        "Would delete 0 comment, compliment and complaint details (answered, or received if "
        "still open, before 2025-01-02 10:00)"
    ) in dry
    assert "  (a follow-up still open loses its resident's name, number and topic: " in dry[-2]
    kept = (
        "Kept: the event log (the audit trail) and every report figure: a purge never changes "
        "a report."
    )
    assert dry[-1] == kept
    real = ok(cli("db", "purge", now=january)).out.splitlines()
    assert (
        "Deleted 2 ring-back and referral details (closed, or received if still open, "
        f"before 2026-12-03 10:00), including 1 still open ({still_open})"
    ) in real
    assert real[-2:] == ["Recorded in the event log.", kept]
    shown = ok(cli("--user", "ana", "followup", "show", still_open, "--contact", now=january))
    assert "personal details deleted (on schedule or on the resident's request)" in shown.out
    again = ok(cli("db", "purge", "--json", now=january)).json()
    assert again["still_open"] == {"followups": 0, "records": 0}
    assert again["still_open_refs"] == {"followups": [], "records": []}


def test_purge_names_at_most_eight_open_ones(cli: Cli) -> None:
    refs = [ringback(cli) for _ in range(10)]
    dry = ok(cli("db", "purge", "--dry-run", now="2027-01-02T10:00:00Z")).out
    assert f"including 10 still open ({', '.join(refs[:8])} and 2 more)\n" in dry
    shown = ok(cli("db", "purge", "--dry-run", "--json", now="2027-01-02T10:00:00Z")).json()
    assert shown["still_open_refs"]["followups"] == refs
