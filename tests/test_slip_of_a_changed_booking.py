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
