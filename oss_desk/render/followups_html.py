"""The follow-up sections of the HTML reports: the day's due and overdue, the month's
ring-backs, referrals by back office and On The Record (comments, compliments, complaints), and
the quarterly return On The Record with the actions taken (``report quarterly``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oss_desk.domain.followup_figures import DueCount, FollowupFigures
from oss_desk.domain.followups import Finding, Via
from oss_desk.domain.reports import ACTION_DELETED, ACTION_NOT_WRITTEN, action_words
from oss_desk.render.followups import KIND_NAMES, worded
from oss_desk.render.formats import percent
from oss_desk.render.html_page import figures as _figures
from oss_desk.render.html_page import row as _row
from oss_desk.render.html_page import section as _section
from oss_desk.render.html_page import table as _table
from oss_desk.render.svg import e


def due_section(due: Mapping[str, DueCount]) -> str:
    """Daily: per kind, the follow-ups due that day still not done, and those overdue."""
    if not due:
        return ""
    rows = []
    for kind, name in KIND_NAMES.items():
        counts = due.get(kind, DueCount())
        rows.append(_row(name, str(counts.due_today), str(counts.overdue)))
    caption = "Follow-ups still to do at the end of the day"
    return _section(
        "followups",
        "Follow-ups",
        _table(caption, ["Kind", "Due today", "Overdue"], rows),
        '<p class="note">Due today: a deadline on this day not met by its end (today: not met '
        "yet). Overdue: a deadline before this day not met by its end. Deadlines count working "
        "days of the office's nation and its closure days.</p>",
    )


_BACK_OFFICE_COUNTS = ("name", "sla_working_days", "received", "met", "missed", "pending")
"""The columns of a back office's row before its share within the SLA."""


def period_section(figures: FollowupFigures | None) -> str:
    """Monthly: ring-backs, referrals by back office, comments, compliments and complaints."""
    if figures is None:
        return ""
    f = figures.as_json()
    ring, ref, rec = f["ringbacks"], f["referrals"], f["on_the_record"]
    headline = _figures(
        [
            ("Ring-backs", str(ring["received"])),
            ("Returned in time", percent(ring["within_1_working_day_pct"])),
            ("Referrals", str(ref["received"])),
            ("Within SLA", percent(ref["within_sla_pct"])),
            *_complaint_figures(rec),
        ]
    )
    offices = _table(
        "Referrals by back office",
        ["Back office", "SLA (working days)", "Referred", "Met", "Missed", "Open", "Within SLA"],
        [
            _row(*(str(o[key]) for key in _BACK_OFFICE_COUNTS), percent(o["pct"]))
            for o in ref["by_back_office"].values()
        ],
    )
    categories = _categories(rec)
    note = (
        '<p class="note">Every follow-up received in the month, its deadlines as they stand on '
        f"the day of the report: ring-backs {ring['returned_in_time']['pending']} and referrals "
        f"{ref['within_sla']['pending']} still open and not yet due are not counted in the "
        "percentages. Justified complaints about a member of staff: complaints found justified "
        "(not partly) in a category about staff, of the complaints with an outcome "
        f"({e(rec['justified_about_staff'])} of {e(rec['complaints_decided'])}; the target is "
        f"under 2%). Complaints about unequal or impolite service: {e(rec['unequal_or_impolite'])}"
        f" of {e(rec['complaints'])}, {percent(rec['unequal_or_impolite_pct'])} (the target is"
        f" under 2%); action taken "
        f"as a result: {e(rec['action_taken'])}.</p>"
    )
    return _section("followups", "Follow-ups", headline, offices, categories, note)


def _categories(rec: Mapping[str, Any]) -> str:
    return _table(
        "Comments, compliments and complaints by category and outcome",
        ["Category", "Comments", "Compliments", "Complaints", *(f.words for f in Finding)],
        [
            _row(
                str(c["name"]),
                str(c["comment"]),
                str(c["compliment"]),
                str(c["complaint"]),
                *(str(c[finding.value]) for finding in Finding),
            )
            for c in rec["by_category"].values()
        ],
    )


def _complaint_figures(rec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The complaint headline figures of an ``on_the_record`` (monthly and quarterly alike)."""
    return [
        ("Complaints", str(rec["complaints"])),
        ("Acknowledged in time", percent(rec["complaints_acknowledged_within_5_pct"])),
        ("Answered in time", percent(rec["complaints_answered_within_15_pct"])),
        ("Justified, about staff", percent(rec["justified_about_staff_pct"])),
        ("Unequal or impolite", percent(rec["unequal_or_impolite_pct"])),
    ]


def _deadlines(label: str, t: Mapping[str, Any]) -> str:
    return _row(label, str(t["met"]), str(t["missed"]), str(t["pending"]), percent(t["pct"]))


def record_section(record: Mapping[str, Any], title: str) -> str:
    """The quarterly return On The Record (``record``: the ``on_the_record`` of the JSON,
    :func:`oss_desk.render.json.quarterly_json`, so the page shows the very same figures):
    the period's figures, its deadlines, by category, by month, and the actions taken."""
    headline = _figures(
        [
            ("Comments", str(record["comments"])),
            ("Compliments", str(record["compliments"])),
            *_complaint_figures(record),
        ]
    )
    deadlines = _table(
        "Deadlines: acknowledged within 5 working days, answered within 15",
        ["Deadline", "Met", "Missed", "Still open", "In time"],
        [
            _deadlines("Complaints acknowledged", record["complaints_acknowledged"]),
            _deadlines("Complaints answered", record["complaints_answered"]),
            _deadlines("All acknowledged", record["all_acknowledged"]),
            _deadlines("All answered", record["all_answered"]),
        ],
    )
    counts = _table(
        "Outcomes, channels and stages",
        ["Figure", "Count"],
        [
            *(_row(worded(Finding, k), str(v)) for k, v in record["by_outcome"].items()),
            *(_row(f"Channel: {worded(Via, k)}", str(v)) for k, v in record["by_channel"].items()),
            *(_row(f"Complaints at stage {k}", str(v)) for k, v in record["by_stage"].items()),
            _row("Complaints decided", str(record["complaints_decided"])),
            _row("Justified, about staff", str(record["justified_about_staff"])),
            _row("Unequal or impolite service", str(record["unequal_or_impolite"])),
            _row("Action taken as a result", str(record["action_taken"])),
        ],
    )
    months = _table(
        "By month",
        ["Month", "Comments", "Compliments", "Complaints", "Acknowledged in time", "Answered"],
        [
            _row(
                str(m["month"]),
                str(r["comments"]),
                str(r["compliments"]),
                str(r["complaints"]),
                percent(r["complaints_acknowledged_within_5_pct"]),
                percent(r["complaints_answered_within_15_pct"]),
            )
            for m in record["months"]
            for r in (m["on_the_record"],)
        ],
    )
    actions = _table(
        "Actions taken as a result",
        ["Reference", "Site", "Kind", "Category", "Outcome", "Answered", "Action"],
        [
            _row(
                str(a["ref"]),
                str(a["site"] or ""),
                str(a["kind"]),
                str(a["category"] or ""),
                worded(Finding, a["outcome"] or ""),
                str(a["answered"] or ""),
                action_words(a["action"], deleted=bool(a["action_deleted"])),
            )
            for a in record["actions"]
        ],
    )
    note = (
        '<p class="note">Every comment, compliment and complaint received in the period, '
        "deadlines as they stand on the day of the report (still open and not yet due: not "
        "counted in the percentages). An action without its text says why: "
        f"{e(ACTION_NOT_WRITTEN)} when none was written, {e(ACTION_DELETED)} when the "
        "retention schedule deleted it.</p>"
    )
    return _section(
        "on-the-record",
        f"On The Record: {title}",
        headline,
        deadlines,
        _categories(record),
        counts,
        months,
        actions,
        note,
    )
