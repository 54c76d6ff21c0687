"""The follow-up figures as text: the daily summary's due and overdue, the monthly dashboard's
ring-backs, referrals and On The Record, and the quarterly return (``report quarterly``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oss_desk.domain.followup_figures import DueCount, FollowupFigures
from oss_desk.domain.followups import Finding, Via
from oss_desk.domain.reports import QuarterlyReport
from oss_desk.domain.worded import Worded
from oss_desk.render.formats import percent

KIND_NAMES = {
    "ringback": "Ring-backs",
    "referral": "Referrals",
    "comment": "Comments",
    "compliment": "Compliments",
    "complaint": "Complaints",
}


def worded(kind: type[Worded], key: str) -> str:
    """A stored key (``in-person``, ``partly``) in the words its enum gives it (``In person``,
    ``Partly justified``), for every presentation of the figures; as stored if unknown."""
    try:
        return kind(key).words
    except ValueError:
        return key


def _tally(t: Mapping[str, Any]) -> str:
    return f"{t['met']} met, {t['missed']} missed, {t['pending']} still open"


def due_lines(due: Mapping[str, DueCount]) -> list[str]:
    """The daily summary: per kind, due that day and not done, and overdue."""
    lines = ["", "  Follow-ups                  due today   overdue"]
    for kind, name in KIND_NAMES.items():
        counts = due.get(kind, DueCount())
        lines.append(f"    {name:24s} {counts.due_today:9d} {counts.overdue:9d}")
    return lines


def period_lines(figures: FollowupFigures) -> list[str]:
    """The month's (or quarter's) follow-ups, received in it, deadlines as they stand now."""
    f = figures.as_json()
    ring, ref, rec = f["ringbacks"], f["referrals"], f["on_the_record"]
    lines = [
        "",
        "  Ring-backs",
        f"    received {ring['received']}: done {ring['done']}, could not reach "
        f"{ring['unreachable']}, open {ring['open']}",
        f"    returned in time {percent(ring['within_1_working_day_pct'])} "
        f"({_tally(ring['returned_in_time'])})",
        "",
        "  Referrals                   received  within SLA",
    ]
    for office in ref["by_back_office"].values():
        label = f"{office['name'][:22]} ({office['sla_working_days']}d)"
        lines.append(f"    {label:28s} {office['received']:4d} {percent(office['pct']):>11}")
    lines.append(
        f"    {'all back offices':28s} {ref['received']:4d} {percent(ref['within_sla_pct']):>11}"
        f"   ({_tally(ref['within_sla'])})"
    )
    lines += record_lines(rec)
    return lines


def record_lines(rec: Mapping[str, Any]) -> list[str]:
    """On The Record: comments, compliments and complaints."""
    lines = [
        "",
        "  On The Record: comments, compliments and complaints",
        f"    comments {rec['comments']}, compliments {rec['compliments']}, "
        f"complaints {rec['complaints']}",
        f"    complaints acknowledged in time "
        f"{percent(rec['complaints_acknowledged_within_5_pct'])} "
        f"({_tally(rec['complaints_acknowledged'])})",
        f"    complaints answered in time {percent(rec['complaints_answered_within_15_pct'])} "
        f"({_tally(rec['complaints_answered'])})",
        "    outcomes: "
        + ", ".join(f"{worded(Finding, k)} {v}" for k, v in rec["by_outcome"].items()),
        f"    justified complaints about a member of staff {rec['justified_about_staff']} "
        f"of {rec['complaints_decided']} decided: {percent(rec['justified_about_staff_pct'])} "
        "(target under 2%)",
        f"    complaints about unequal or impolite service {rec['unequal_or_impolite']} "
        f"of {rec['complaints']}: {percent(rec['unequal_or_impolite_pct'])} (target under 2%)",
        f"    action taken as a result {rec['action_taken']}",
        "",
        "    category                    comments compliments complaints  justified partly  not",
    ]
    for row in rec["by_category"].values():
        lines.append(
            f"    {str(row['name'])[:27]:27s} {row['comment']:9d} {row['compliment']:11d}"
            f" {row['complaint']:10d} {row['justified']:10d} {row['partly']:6d}"
            f" {row['not-justified']:4d}"
        )
    channels = ", ".join(f"{worded(Via, k)} {v}" for k, v in rec["by_channel"].items())
    lines.append(f"    by channel: {channels}")
    stages = ", ".join(f"stage {k} {v}" for k, v in rec["by_stage"].items())
    lines.append(f"    complaints by stage: {stages}")
    return lines


def quarterly_text(report: QuarterlyReport, site_name: str, label: str | None = None) -> str:
    """The quarterly return of comments, compliments and complaints, with the actions taken
    (``label``: the quarter in words, as the scorecard and the page name it)."""
    lines = [
        f"Quarterly return, On The Record: {site_name}, {label or report.quarter} "
        f"({report.first_day} to {report.last_day})",
        "Every comment, compliment and complaint received in the quarter; deadlines as they "
        "stand on the day of the report.",
    ]
    rec = report.on_the_record.as_json()["on_the_record"]
    lines += record_lines(rec)
    lines += [
        "",
        "  Every comment, compliment and complaint",
        f"    all acknowledged in time {percent(rec['all_acknowledged']['pct'])} "
        f"({_tally(rec['all_acknowledged'])})",
        f"    all answered in time {percent(rec['all_answered']['pct'])} "
        f"({_tally(rec['all_answered'])})",
    ]
    lines += ["", "  By month               comments compliments complaints  ack in time  answered"]
    for month in report.months:
        rec = month.figures.as_json()["on_the_record"]
        lines.append(
            f"    {month.month:20s} {rec['comments']:9d} {rec['compliments']:11d}"
            f" {rec['complaints']:10d} {percent(rec['complaints_acknowledged_within_5_pct']):>12}"
            f" {percent(rec['complaints_answered_within_15_pct']):>9}"
        )
    lines += ["", "  Actions taken as a result"]
    if not report.actions:
        lines.append("    none recorded")
    several = len(report.sites) > 1  # each office numbers its own: say whose it is
    for a in report.actions:
        outcome = f", {worded(Finding, a.outcome).lower()}" if a.outcome else ""
        text = a.action_shown
        ref = f"{a.ref} ({a.site})" if several and a.site else a.ref
        lines.append(f"    {ref}  {a.kind} ({a.category}{outcome}), answered {a.answered}: {text}")
    return "\n".join(lines)
