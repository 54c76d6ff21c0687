"""Report emails sent again: a monthly dashboard emailed while its month went on ("to date") is
followed by the whole month's once the month is over, and what a report found already queued
says. One rule, one home: ``report send monthly`` and ``report send due`` both ask it.

(A daily summary sent early because the day was closed by hand, then reopened, has its own rule:
:func:`~oss_desk.domain.closed_day.summary_replaced`.)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from oss_desk.domain.calendar import day_said
from oss_desk.domain.plurals import counted

REPORT_SAID = "report email"
"""A report email to the team leader (a daily summary, a monthly dashboard), as the alerts
count it."""


def reports_failed_said(n: int) -> str:
    """``2 report emails failed``: the report emails failed for good and not seen to, in the
    words of the team leader's status line, ``doctor`` and ``report daily``."""
    return f"{counted(n, REPORT_SAID)} failed"


def failed_report_of_day(period: str, day: str, today: str | None) -> bool:
    """Whether a report email (of ``period``) failed for good is listed under the daily
    summary of ``day``: today's lists every one not seen to, as the team leader's status line
    and ``doctor`` count them now; another day's, its own summary's."""
    return day == today or period == day


SHOWN_MONTH = "this month, to date"
"""The month ``report monthly`` (and the leader's Reports screen) shows without ``--month``: the
one going on, counted to today."""
SENT_MONTH = "the month before this one, the last whole month"
"""The month ``report send monthly`` emails without ``--month``, as ``report send due`` does from
the first working day of the month on: the dashboard for management is of a whole month."""


def month_sent(today: date) -> str:
    """:data:`SENT_MONTH` (``YYYY-MM``) on ``today`` (the office's date)."""
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


DASHBOARD_REPLACES_SUBJECT = " (the whole month, replacing the dashboard sent to date)"
"""The end of the subject of a whole month's dashboard queued in place of a to-date one."""


def dashboard_replaced(counted_then: date | None, counted_now: date | None) -> bool:
    """Whether the whole month's dashboard is queued again in place of one queued earlier:
    that one counted the month only to date (``counted_then``, the day it counted to when it
    was queued), and the month is over now (``counted_now`` None), by the one rule
    (:func:`~oss_desk.domain.periods.counted_to`)."""
    return counted_then is not None and counted_now is None


def dashboard_replaces_said(queued_on: date, sent: bool) -> str:
    """The first line of a whole month's dashboard queued in place of a to-date one
    (:func:`dashboard_replaced`), sent (``sent``) or else queued on ``queued_on``."""
    went = "sent" if sent else "queued"
    return (
        f"This is the whole month's dashboard: it replaces the one {went} on {queued_on:%a %d %b}, "
        "which counted the month only to that day."
    )


def replacing_said(kind: str, email: int) -> str:
    """What the line of a report queued in place of an earlier one adds: ``the whole day's,
    replacing the one sent early (email 3)`` (a daily summary), or the month's likewise."""
    if kind == "daily":
        return f"the whole day's, replacing the one sent early (email {email})"
    return f"the whole month's, replacing the one sent to date (email {email})"


def already_queued_state(status: str, sent_at: datetime | None) -> str:
    """Where a report email found already queued stands, as its line says it: ``sent Mon 07 Dec
    10:44`` (``sent_at``: in the office's time), ``failed: send it again with --again``, else its
    status (``pending`` or ``sending``: the worker has it)."""
    if status == "sent" and sent_at is not None:
        return f"sent {sent_at:%a %d %b %H:%M}"
    if status == "failed":
        return "failed: send it again with --again"
    return status


CATCH_UP_DAYS = 7
"""How far back ``report send due`` sends a daily summary never sent (evenings the timer did not
run): the last week. Older ones are named (:func:`older_unsent_said`), never sent by
themselves: a flood of stale emails would bury the day's own."""


def older_unsent_said(days: list[date], today: date, site_option: str = "") -> str | None:
    """The working ``days`` older than :data:`CATCH_UP_DAYS` whose daily summary was never
    sent, in one line (None: none): how many, from when to when, and the command that sends
    one (``site_option``: `` --site ID`` at an office of several sites). ``report send due``
    and ``doctor`` say it."""
    if not days:
        return None
    first, last = min(days), max(days)
    count = len(days)
    when = (
        f"on {day_said(first, today)}"
        if count == 1
        else f"from {day_said(first, today)} to {day_said(last, today)}"
    )
    has = "has" if count == 1 else "have"
    return (
        f"{counted(count, 'working day')} more than a week ago ({when}) {has} no daily summary; "
        f"`report send due` sends only the last week's: send one with `oss-desk report send "
        f"daily --date {first.isoformat()}{site_option}`"
    )
