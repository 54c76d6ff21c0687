"""An email resent after a try the mail server may have taken goes under the Message-ID of its
first send (new-user trial 42, finding 3): mail systems drop a duplicate by it. A reminder the
older release's worker handed over (then was killed before the reply) was sent again after the
upgrade as ``<oss-1-rem-...@council.example>``, where it first went as ``<...@oss-desk>``.
The row now keeps the Message-ID from its first hand-over on, and the upgrade gives a row an
older release may have handed over the one that release made."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .appointments_site import NOW, make_office
from .conftest import rows, run_cli_process
from .messaging import SmtpServer, free_port
from .test_delivery_messages import book, db_extra, deliver
from .test_upgrade import older_office


def left_handed_over(db: Path, reference: str) -> None:
    """A reminder as an older release's worker left it: the end of DATA went, no reply came
    before it was killed (``sending``, handed over, owned by a worker that is gone)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO appointments (id, ref, site_id, service_code, adviser_id, starts_at, "
            "ends_at, business_day, channel, booked_at, booked_by) SELECT 1, 'K7M-3QX', "
            "(SELECT min(id) FROM sites), 'C', (SELECT min(id) FROM staff), "
            "'2026-11-25T10:00:00Z', '2026-11-25T10:20:00Z', '2026-11-25', 'email', "
            "'2026-11-20T09:00:00Z', 'amina'"
        )
        conn.execute(
            "INSERT INTO messages (appointment_id, kind, channel, via, for_version, due_at, "
            "status, reference, attempts, next_attempt_at, created_at, owner, handed_over_at) "
            "VALUES (1, 'reminder', 'email', 'smtp', 1, '2026-11-24T09:00:00Z', 'sending', ?, 1, "
            "'2026-11-24T09:00:00Z', '2026-11-20T09:00:00Z', 'worker-gone', "
            "'2026-11-24T09:00:01Z')",
            [reference],
        )
    conn.close()


@pytest.mark.parametrize(
    ("stop_before", "kept"),
    [
        # The trial's older release: its Message-IDs were made under "oss-desk".
        ("0079_turn_text_hand_over", "<oss-1-rem-00000001@oss-desk>"),
        # A release that already made them under the sender's domain: made so again.
        ("0098_message_id", None),
    ],
)
def test_the_upgrade_keeps_the_message_id_an_older_release_handed_over(
    tmp_path: Path, stop_before: str, kept: str | None
) -> None:
    db = older_office(tmp_path, stop_before)
    left_handed_over(db, "oss-1-rem-00000001")
    done = run_cli_process("--db", str(db), "init")
    assert done.returncode == 0, done.stderr
    assert "Upgraded:" in done.stdout
    assert rows(db, "SELECT message_id FROM messages") == [(kept,)]


def test_a_resend_goes_under_its_first_message_id_when_the_sender_changed(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = SmtpServer(port)
    server.mailbox.data_delay = 1.5  # the end of DATA is answered too late: it may have gone
    try:
        db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{port}?starttls=off")
        db_extra(db, "[email]\nreply_timeout = 0.5\ndata_timeout = 0.5\n")
        book(db, NOW, "2026-11-25T10:00:00Z", "resident@example.org")
        first = deliver(db, NOW)
        assert (first.sent, first.retried) == (0, 1)
        ((kept,),) = rows(db, "SELECT message_id FROM messages")
        assert kept is not None and str(kept).endswith("@test.example>")
        config = db.parent / "office.toml"  # the office moves its sender meanwhile
        moved = config.read_text().replace("appointments@test.example", "desk@moved.example")
        # The mail server answers at once now: generous waits, so a loaded machine's slow
        # answer to EHLO or RCPT is not taken for the fault this test is not about.
        moved = moved.replace(
            "reply_timeout = 0.5\ndata_timeout = 0.5", "reply_timeout = 30\ndata_timeout = 30"
        )
        assert "reply_timeout = 30" in moved
        config.write_text(moved)
        initialise(db, clock=FixedClock(NOW), config_path=config)
        server.mailbox.data_delay = 0
        second = deliver(db, NOW + timedelta(minutes=5))
        assert second.sent == 1
        assert [str(m["Message-ID"]) for m in server.mailbox.messages] == [kept, kept]
        assert [str(m["From"]) for m in server.mailbox.messages][-1].endswith("desk@moved.example>")
    finally:
        server.stop()
