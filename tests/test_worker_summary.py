"""`worker --once` counts what it did with messages as with print jobs: a message the mail
server refused, to be tried again, is counted "to retry" (it was left out of the summary while
stderr said it would be tried again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import FixedClock

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli
from .hardware.fakes import closed_port


def test_the_summary_counts_messages_to_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{closed_port()}?starttls=off")
    service, session = service_at(db, FixedClock(NOW))
    try:
        service.book("C", "2026-11-25T10:00:00Z", channel="email", email="r@example.org")
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T10:00:00Z"
    ran = cli("worker", "--once", now=now)
    assert ran.code == 0, ran.err
    assert "messages sent 0, to retry 1, failed 0;" in ran.out, ran.out
    assert "message 1 will be tried again" in caplog.text  # the reason, as before, logged
    later = "2026-11-23T10:05:00Z"  # its next try (15 s later at first) fails again
    data = cli("worker", "--once", "--json", now=later).json()
    assert (data["messages_sent"], data["messages_retried"], data["messages_failed"]) == (0, 1, 0)


def test_the_summary_counts_the_messages_the_no_show_step_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker down from the booking until after the appointment: its first round marks the
    no-show, which fails the confirmation never sent (its deadline has passed); the summary
    counts it (it said "failed 0", though the message was recorded failed)."""
    db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{closed_port()}?starttls=off")
    service, session = service_at(db, FixedClock(NOW))
    try:
        appt = service.book("C", "2026-11-25T10:00:00Z", channel="email", email="r@example.org")
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    after = "2026-11-25T11:00:00Z"  # the appointment and its grace minutes are over
    ran = cli("worker", "--once", now=after)
    assert ran.code == 0, ran.err
    assert "messages sent 0, to retry 0, failed 1; appointments marked no-show 1;" in ran.out
    shown = cli("appointment", "show", appt.ref, "--json", now=after).json()
    assert shown["status"] == "no_show"
    assert [(m["kind"], m["status"]) for m in shown["messages"]] == [("confirmation", "failed")]
