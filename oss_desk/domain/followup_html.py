"""The follow-up sections of the HTML reports: the day's due and overdue, and the month's
ring-backs, referrals by back office and On The Record (comments, compliments, complaints).
Pure: strings from the report's figures."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1f}%"  # type: ignore[arg-type]


# The page's own markup, as oss_desk.domain.report_html writes it (it imports this module).


def _section(section_id: str, heading: str, *parts: str) -> str:
    inner = "\n".join(p for p in parts if p)
    return f'<section id="{e(section_id)}">\n<h2>{e(heading)}</h2>\n{inner}\n</section>'


def _table(caption: str, head: Sequence[str], rows: Sequence[str]) -> str:
    heads = "".join(f"<th scope=col>{e(h)}</th>" for h in head)
    body = "\n".join(rows)
    return (
        f'<table class="data"><caption>{e(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def _row(label: str, *cells: str) -> str:
    return (
        f"<tr><th scope=row>{e(label)}</th>"
        + "".join(f'<td class="num">{e(c)}</td>' for c in cells)
        + "</tr>"
    )


def _figures(items: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="figure"><dt>{e(label)}</dt><dd>{e(value)}</dd></div>'
        for label, value in items
    )
    return f'<dl class="figures">{cells}</dl>'


KINDS = {
    "ringback": "Ring-backs",
    "referral": "Referrals",
    "comment": "Comments",
    "compliment": "Compliments",
    "complaint": "Complaints",
}
OUTCOMES = {
    "justified": "Justified",
    "partly": "Partly justified",
    "not-justified": "Not justified",
}


def due_section(data: Mapping[str, Any]) -> str:
    """Daily: per kind, the follow-ups due that day still not done, and those overdue."""
    due = data.get("followups")
    if not due:
        return ""
    rows = [
        _row(
            name,
            str(due.get(kind, {}).get("due_today", 0)),
            str(due.get(kind, {}).get("overdue", 0)),
        )
        for kind, name in KINDS.items()
    ]
    return _section(
        "followups",
        "Follow-ups",
        _table(
            "Follow-ups still to do at the end of the day", ["Kind", "Due today", "Overdue"], rows
        ),
        '<p class="note">Due today: a deadline on this day not met by its end (today: not met '
        "yet). Overdue: a deadline before this day not met by its end. Deadlines count working "
        "days of the office's nation and its closure days.</p>",
    )


def period_section(data: Mapping[str, Any]) -> str:
    """Monthly: ring-backs, referrals by back office, comments, compliments and complaints."""
    f = data.get("followups")
    if not f:
        return ""
    ring, ref, rec = f["ringbacks"], f["referrals"], f["on_the_record"]
    headline = _figures(
        [
            ("Ring-backs", str(ring["received"])),
            ("Returned in time", _pct(ring["within_1_working_day_pct"])),
            ("Referrals", str(ref["received"])),
            ("Within SLA", _pct(ref["within_sla_pct"])),
            ("Complaints", str(rec["complaints"])),
            ("Acknowledged in time", _pct(rec["complaints_acknowledged_within_5_pct"])),
            ("Answered in time", _pct(rec["complaints_answered_within_15_pct"])),
            ("Justified, about staff", _pct(rec["justified_about_staff_pct"])),
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
                _pct(o["pct"]),
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
