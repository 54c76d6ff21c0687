"""Queue a visit's follow-up text in the transaction that finishes it (the resident consented:
:mod:`oss_desk.services.feedback_texts`). Apart from that module so that finishing a visit needs
nothing of the rest."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.config import Settings
from oss_desk.domain.feedback_texts import text_due
from oss_desk.domain.models import Site
from oss_desk.storage import feedback_texts as ft


def queue_after_finish(
    conn: sqlite3.Connection, settings: Settings, site: Site, visit_id: int, now: datetime
) -> int:
    """In the transaction that finishes a visit: queue its follow-up text when the resident
    consented (nothing otherwise). Returns 1 when a text was queued."""
    feedback = settings.feedback
    due = text_due(
        now,
        site.timezone,
        delay_minutes=feedback.text_delay_minutes,
        earliest_hour=feedback.text_earliest_hour,
        latest_hour=feedback.text_latest_hour,
    )
    return ft.queue_text(
        conn,
        visit_id=visit_id,
        reference=f"oss-f-{secrets.token_hex(8)}",
        due=format_instant(due),
        now=format_instant(now),
    )
