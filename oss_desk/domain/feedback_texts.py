"""The follow-up text that asks a resident how their visit went (issue 15, item 4): the rules.

One text at most per visit, only with the resident's consent (given at meet-and-greet, at the
command line, or with an appointment's booking), only once the visit has finished, and only when
they did not already rate it at the desk or on the counter's tablet. It goes
``delay_minutes`` after the finish, within the sending hours (never late in the evening: one due
after ``latest_hour`` waits for ``earliest_hour`` the next morning). Its link answers for
``answer_days`` after it was sent. The text and its reference name nobody and no service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKEN_BYTES = 15
"""120 bits of HMAC-SHA256: 20 characters in a URL, never guessed."""
ANSWER_PATH = "/r/"
"""Where a follow-up text's link points on the screen server (``/r/TOKEN``)."""


def answer_token(key: bytes, visit_id: int) -> str:
    """The visit's answer link token: made only with the office's key, says nothing about the
    visit to anyone without it (no day, no number in the clear)."""
    mac = hmac.new(key, f"feedback-text:{visit_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii")


def answer_link(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + ANSWER_PATH + token


def text_due(
    finished_at: datetime,
    timezone: str,
    *,
    delay_minutes: int,
    earliest_hour: int,
    latest_hour: int,
) -> datetime:
    """When the follow-up text of a visit finished at ``finished_at`` goes: ``delay_minutes``
    later, moved into the sending hours (``earliest_hour`` to ``latest_hour``, local time): one
    that would fall after ``latest_hour`` goes at ``earliest_hour`` the next day, one before
    ``earliest_hour`` at ``earliest_hour`` that day. Never before the finish."""
    zone = ZoneInfo(timezone)
    due = (finished_at + timedelta(minutes=delay_minutes)).astimezone(zone)
    start = time(earliest_hour)
    if latest_hour < 24 and due.time() >= time(latest_hour):
        due = datetime.combine(due.date() + timedelta(days=1), start, tzinfo=zone)
    elif due.time() < start:
        due = datetime.combine(due.date(), start, tzinfo=zone)
    return max(due, finished_at)


def answer_open(sent_at: datetime, now: datetime, answer_days: int) -> bool:
    """Whether the link of a text sent at ``sent_at`` still takes an answer."""
    return sent_at <= now < sent_at + timedelta(days=answer_days)


def question_key(visit_day: date, sent_day: date) -> str:
    """Which wording asks about the visit: "today" on the visit's own day, "yesterday" the
    day after (a visit finished late is asked about the next morning), and the visit's day
    named (``text.feedback_on``, with ``{day}``) any later (a text retried through an outage)."""
    if sent_day <= visit_day:
        return "text.feedback"
    if sent_day == visit_day + timedelta(days=1):
        return "text.feedback_yesterday"
    return "text.feedback_on"


def texts_not_recorded_said(ticket: str, why: str, again: list[str]) -> str:
    """What the command line says when a ticket was issued but the texts asked for with it
    were not recorded (``why``: "the database was busy"): the ticket stands, and ``again``
    are the commands, in full, that record them now."""
    commands = " and ".join(f"`{command}`" for command in again)
    return (
        f"{ticket} was issued; its texts were not recorded ({why}): give them again with {commands}"
    )


def not_recorded_why(busy: bool, title: str) -> str:
    """Why texts were not recorded, from the storage fault (busy, else its title)."""
    return "the database was busy" if busy else title.lower()
