"""A forced restore mid-day says what it leaves behind (the replaced database's newer events,
now only in its kept copy, and the last ticket codes it gave out), and today's numbering carries
on after those codes, so no two residents hold the same code."""

from __future__ import annotations

from oss_desk.clock import format_instant

from .conftest import MONDAY_0930, Cli

NOW = format_instant(MONDAY_0930)
LATER = "2026-11-23T09:45:00Z"
CARRIES_ON = (
    "after the backup: the numbering carries on after them, so no code already on paper is "
    "given again."
)


def _code(cli: Cli, service: str, now: str, *more: str) -> str:
    issued = cli("ticket", "issue", "--service", service, "--no-print", "--json", *more, now=now)
    assert issued.code == 0, issued.err
    return str(issued.json()["code"])


def test_a_restore_mid_day_says_what_it_replaces_and_numbering_carries_on(cli: Cli) -> None:
    assert _code(cli, "C", NOW) == "C001"
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    # After the backup: three more tickets went out on paper.
    assert [_code(cli, s, LATER) for s in "CCW"] == ["C002", "C003", "W001"]
    restored = cli("db", "restore", backup, "--yes", "--force", now=LATER)
    assert restored.code == 0, restored.err
    lines = restored.out.splitlines()
    (newer,) = [line for line in lines if line.startswith("The replaced database had ")]
    assert "events newer than the backup (the newest at 2026-11-23 09:45Z)" in newer, newer
    assert ".before-restore-" in newer
    said = f"Tickets up to C003, W001 were given out at hq on 2026-11-23 {CARRIES_ON}"
    assert said in lines, restored.out
    # The restored office has C001 only, and its next codes are new ones.
    assert [t["code"] for t in cli("queue", "--json", now=LATER).json()] == ["C001"]
    assert [_code(cli, s, LATER) for s in "CWB"] == ["C004", "W002", "B001"]
    assert cli("db", "check", now=LATER).code == 0


def test_the_restore_json_says_the_same(cli: Cli) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    _code(cli, "H", LATER)
    data = cli("db", "restore", backup, "--yes", "--json", now=LATER).json()
    assert data["newer_events"] >= 2  # (arrived, ticket issued)
    assert data["newest_event"].startswith("2026-11-23T09:45")
    assert (data["last_codes_day"], data["last_codes"]) == ("2026-11-23", ["H001"])
    assert data["last_codes_by_site"] == {"hq": ["H001"]} and data["other_office"] is False
    assert _code(cli, "H", LATER) == "H002"
    again = cli("db", "restore", backup, "--yes", "--json", now=LATER).json()
    assert again["newer_events"] >= 2  # H002's events: the counter carried H001 forward
    assert again["last_codes"] == ["H002"]


def test_a_damaged_database_is_replaced_only_once_the_operator_says_where_numbering_goes(
    cli: Cli,
) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    cli.db.write_bytes(b"not a database at all" * 100)  # what is replaced cannot be read
    refused = cli("db", "restore", backup, "--yes", "--force", now=LATER)
    assert refused.code == 6 and "--last-code" in refused.err, refused.err
    assert cli.db.read_bytes() == b"not a database at all" * 100  # nothing was restored
    restored = cli("db", "restore", backup, "--yes", "--force", "--skip-ahead", "0", now=LATER)
    assert restored.code == 0, restored.err
    assert (
        "The replaced database could not be read: what it recorded after the backup is not known."
    ) in restored.out.splitlines(), restored.out
    assert "newer than the backup" not in restored.out and "Tickets up to" not in restored.out
    cli.db.write_bytes(b"still not a database" * 100)
    data = cli(
        "db", "restore", backup, "--yes", "--force", "--last-code", "H7", "--json", now=LATER
    ).json()
    assert data["newer_events"] is None and data["last_codes"] == ["H007"]
    assert data["codes_known"] is False and data["last_codes_given"] == ["H007"]
    assert _code(cli, "H", LATER) == "H008"


def test_a_last_code_given_over_a_readable_database_is_said_as_given_not_as_seen(
    cli: Cli,
) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    assert _code(cli, "C", LATER) == "C001"
    restored = cli("db", "restore", backup, "--yes", "--last-code", "C009", now=LATER)
    assert restored.code == 0, restored.err
    assert (
        "Numbering at hq on 2026-11-23 carries on after C009 (the replaced database's own last "
        "codes and the last codes on paper given with --last-code)."
    ) in restored.out.splitlines(), restored.out
    assert "Tickets up to" not in restored.out and "Services not given" not in restored.out
    assert _code(cli, "C", LATER) == "C010"
