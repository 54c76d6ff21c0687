"""The follow-up sections of the HTML reports: the day's due and overdue, and the month's
ring-backs, referrals by back office and On The Record (comments, compliments, complaints)."""

from __future__ import annotations

from collections.abc import Mapping

from oss_desk.domain.followup_figures import DueCount, FollowupFigures
from oss_desk.render.followups import KIND_NAMES
from oss_desk.render.formats import percent
from oss_desk.render.html_page import figures as _figures
from oss_desk.render.html_page import row as _row
from oss_desk.render.html_page import section as _section
from oss_desk.render.html_page import table as _table
from oss_desk.render.svg import e

OUTCOMES = {
    "justified": "Justified",
    "partly": "Partly justified",
    "not-justified": "Not justified",
}


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
            ("Complaints", str(rec["complaints"])),
            ("Acknowledged in time", percent(rec["complaints_acknowledged_within_5_pct"])),
            ("Answered in time", percent(rec["complaints_answered_within_15_pct"])),
            ("Justified, about staff", percent(rec["justified_about_staff_pct"])),
        ]
    )
    offices = _table(
        "Referrals by back office",
        ["Back office", "SLA (working days)", "Referred", "Met", "Missed", "Open", "Within SLA"],
        [
            _row(
                str(o["name"]),
                str(o["sla_working_days"]),
                str(o["received"]),
                str(o["met"]),
                str(o["missed"]),
                str(o["pending"]),
                percent(o["pct"]),
            )
            for o in ref["by_back_office"].values()
        ],
    )
    categories = _table(
        "Comments, compliments and complaints by category and outcome",
        ["Category", "Comments", "Compliments", "Complaints", *OUTCOMES.values()],
        [
            _row(
                str(c["name"]),
                str(c["comment"]),
                str(c["compliment"]),
                str(c["complaint"]),
                *(str(c[key]) for key in OUTCOMES),
            )
            for c in rec["by_category"].values()
        ],
    )
    note = (
        '<p class="note">Every follow-up received in the month, its deadlines as they stand on '
        f"the day of the report: ring-backs {ring['returned_in_time']['pending']} and referrals "
        f"{ref['within_sla']['pending']} still open and not yet due are not counted in the "
        "percentages. Justified complaints about a member of staff: complaints found justified "
        "(not partly) in a category about staff, of the complaints with an outcome "
        f"({e(rec['justified_about_staff'])} of {e(rec['complaints_decided'])}; the target is "
        f"under 2%). Unequal or impolite service: {e(rec['unequal_or_impolite'])}; action taken "
        f"as a result: {e(rec['action_taken'])}.</p>"
    )
    return _section("followups", "Follow-ups", headline, offices, categories, note)
