"""An appointment slip still waiting for its printer when its booking is cancelled or moved is
never printed later: its paper would give the resident a booking or a time that no longer
holds (a review: a slip queued for a booking cancelled since printed "Your appointment ..." at
the worker's next run). Real SQLite, the real commands, the worker's real round, the printed
bytes read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import make_office
from .conftest import Cli, rows
from .test_cancel_reason_shown import NOW, booked_by_ana


@pytest.mark.parametrize("change", ["cancel", "move"])
def test_a_slip_queued_for_a_booking_changed_since_is_settled_unprinted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    ref = booked_by_ana(cli, tmp_path)  # no worker running: the slip waits for one
    slip_jobs = "SELECT status, last_error FROM print_jobs WHERE kind = 'appointment_slip'"
    assert rows(cli.db, slip_jobs) == [("pending", None)]
    if change == "cancel":
        done = cli("--user", "tl", "appointment", "cancel", ref, "--by", "resident", now=NOW)
        why = "the booking was cancelled"
    else:
        slots = cli("appointment", "slots", "--service", "C", "--adviser", "ana", "--json", now=NOW)
        later = slots.json()[-1]["start"]
        done = cli("--user", "tl", "appointment", "move", ref, "--start", later, now=NOW)
        why = "the booking was moved: the slip held its old time or place"
    assert done.code == 0, done.err
    assert rows(cli.db, slip_jobs) == [("cancelled", why)]
    told = (  # said, not only by ``appointment show``
        "the booking was cancelled, no new one to print"
        if change == "cancel"
        else f"print the new one with `oss-desk appointment slip {ref}`"
    )
    assert f"\n  its slip (print job 1) will not print: {told}\n" in done.out, done.out
    ran = cli("worker", "--once", now=NOW)
    assert ran.code == 0, ran.err
    paper = tmp_path / "slips.bin"
    assert not paper.exists() or ref.encode() not in paper.read_bytes()
    assert rows(cli.db, slip_jobs) == [("cancelled", why)]


def test_a_slip_of_a_booking_still_as_it_was_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    ref = booked_by_ana(cli, tmp_path)
    ran = cli("worker", "--once", now=NOW)
    assert ran.code == 0, ran.err
    assert ref.encode() in (tmp_path / "slips.bin").read_bytes()


def test_a_move_after_the_slip_printed_says_nothing_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a slip the change settled unprinted is spoken of: one already printed is not."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    ref = booked_by_ana(cli, tmp_path)
    assert cli("worker", "--once", now=NOW).code == 0  # printed
    slots = cli("appointment", "slots", "--service", "C", "--adviser", "ana", "--json", now=NOW)
    later = slots.json()[-1]["start"]
    done = cli("--user", "tl", "appointment", "move", ref, "--start", later, now=NOW)
    assert done.code == 0, done.err
    assert "slip" not in done.out, done.out


def test_a_slip_dropped_by_a_move_is_said_by_that_move_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moved twice with no worker running: the first move settled the slip unprinted and says
    so; the second settled nothing (the slip was dropped already) and says nothing of it, as
    does a move once a new slip was asked for and printed. A new slip queued after the first
    move and dropped by the next one is said by that one, with its own job."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    ref = booked_by_ana(cli, tmp_path)  # no worker running: the slip waits for one
    slots = cli("appointment", "slots", "--service", "C", "--adviser", "ana", "--json", now=NOW)
    starts = [slot["start"] for slot in slots.json()]
    dropped = "its slip (print job {}) will not print"
    said = []
    for start in (starts[-1], starts[-2]):
        done = cli("--user", "tl", "appointment", "move", ref, "--start", start, now=NOW)
        assert done.code == 0, done.err
        said.append(done.out)
    assert dropped.format(1) in said[0], said[0]
    assert "slip" not in said[1], said[1]
    again = cli("appointment", "slip", ref, now=NOW)  # job 2, queued: no worker running
    assert again.code == 0, again.err
    done = cli("--user", "tl", "appointment", "move", ref, "--start", starts[-3], now=NOW)
    assert done.code == 0, done.err
    assert dropped.format(2) in done.out and dropped.format(1) not in done.out, done.out
