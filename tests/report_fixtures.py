"""Report figures in the exact shape of ``report daily|monthly --format json``, for the
renderers' tests (:mod:`tests.report_values` makes typed reports of them): realistic figures,
every key present, a few awkward values (nulls, zeros)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SERVICES = {"B": "Benefits", "C": "Council Tax", "H": "Housing", "W": "Waste"}
BY_HOUR = {"09": 14, "10": 22, "11": 27, "12": 9, "13": 11, "14": 18, "15": 12, "16": 0}
BY_SERVICE = {"B": 31, "C": 48, "H": 17, "W": 17}


def _flag(total: int) -> dict[str, Any]:
    by_service = {code: 0 for code in BY_SERVICE}
    by_service["C"] = total
    return {"total": total, "by_service": by_service}


def scorecard_figures(scale: int = 1) -> dict[str, Any]:
    """The scorecard's visit figures (walk-outs, punctuality, satisfaction, the council's
    flags) in the JSON's shape."""
    return {
        "walked_out_after_target": 2 * scale,
        "left_before_target": 3 * scale,
        "closed_unseen": 1 * scale,
        "measured": 109 * scale,
        "issued_in_error": 1,
        "not_yet_seen": 0,
        "appointments_seen_on_time": 12 * scale,
        "appointments_punctual": 10 * scale,
        "appointment_punctuality_pct": 83.3,
        "appointments_checked_in_late": 2 * scale,
        "satisfaction": {
            "answers": 20 * scale,
            "satisfied": 17 * scale,
            "satisfied_pct": 85.0,
            "declined": 4 * scale,
            "by_rating": {"1": 1, "2": 0, "3": 2, "4": 7, "5": 10},
            "by_service": {
                "C": {"answers": 12 * scale, "satisfied": 11 * scale, "satisfied_pct": 91.7}
            },
        },
        "flags": {
            "urgent": _flag(2 * scale),
            "repeat_contact": _flag(5 * scale),
            "repeat_ticked": _flag(4 * scale),
            "without_documents": _flag(1 * scale),
            "assisted_digital": _flag(6 * scale),
            "avoidable": _flag(3 * scale),
            "signposted_to": {"county": _flag(7 * scale), "citizens-advice": _flag(2 * scale)},
        },
    }


def daily_fixture(day: str = "2026-11-23") -> dict[str, Any]:
    when = date.fromisoformat(day)
    return {
        "date": day,
        "recorded": True,
        "records_begin": "2025-04-01",
        "closed": None,
        "site": "hq",
        "sites": ["hq"],
        "sites_left": {},
        "target_minutes": 15,
        "visits": 113,
        "walk_ins": 98,
        "appointment_visits": 15,
        "served": 92,
        "quick_visits": 14,
        "no_shows": 4,
        "still_waiting": 3,
        "seen": 106,
        "seen_within_target": 89,
        "within_15_min_pct": 84.0,
        "wait_median_minutes": 7.5,
        "wait_p90_minutes": 18.2,
        "finished": 106,
        "finished_first_contact": 79,
        "first_contact_resolution_pct": 74.5,
        "outcomes": {
            "resolved": 66,
            "signposted": 13,
            "referred": 15,
            "appointment": 8,
            "callback": 4,
        },
        "services_delivered": 113,
        "appointments_arranged": 6,
        "by_hour": dict(BY_HOUR),
        "by_service": dict(BY_SERVICE),
        "by_site": {"hq": 113},
        "desks": {
            "desk-1": {
                "served": 27,
                "service_median_minutes": 9.0,
                "service_total_minutes": 251.5,
            },
            "desk-2": {"served": 25, "service_median_minutes": 8.5, "service_total_minutes": 230},
            "desk-3": {"served": 22, "service_median_minutes": 11.0, "service_total_minutes": 260},
            "room-1": {"served": 0, "service_median_minutes": None, "service_total_minutes": 0},
        },
        "advisers": {
            "asmith": {"name": "A Smith", "served": 27, "service_median_minutes": 9.0},
            "bjones": {"name": "B Jones", "served": 25, "service_median_minutes": 8.5},
        },
        "adjustments": {
            "bsl": 1,
            "hearing-loop": 0,
            "interpreter:polish": 2,
            "large-print": 1,
            "wheelchair": 3,
        },
        "busiest_hour": "11",
        **scorecard_figures(),
        "followups": {
            "ringback": {"due_today": 2, "overdue": 1},
            "referral": {"due_today": 0, "overdue": 0},
            "comment": {"due_today": 0, "overdue": 0},
            "compliment": {"due_today": 0, "overdue": 0},
            "complaint": {"due_today": 0, "overdue": 1},
        },
        "standards": [
            {
                "key": "within_15_min",
                "label": "Seen within 15 minutes of arriving",
                "value": 84.0,
                "target": 80,
                "rule": "over",
                "status": "green",
                "definition": "What the figure counts.",
            },
            {
                "key": "first_contact",
                "label": "Resolved at the first point of contact",
                "value": 74.5,
                "target": 80,
                "rule": "at_least",
                "status": "amber",
                "definition": "What the figure counts.",
            },
        ],
        "previous_weeks": [
            {
                "date": (when - timedelta(weeks=n)).isoformat(),
                "visits": 100 + n,
                "served": 80 + n,
                "no_shows": n,
                "within_15_min_pct": 80.0 + n,
                "first_contact_resolution_pct": None if n == 4 else 70.0 + n,
                "wait_median_minutes": 8.0,
                "wait_p90_minutes": 20.0,
                "recorded": True,
                "closed": "a bank holiday (Easter Monday)" if n == 2 else None,
            }
            for n in range(1, 5)
        ],
        # The day's newest event and its hash in the event log's chain.
        "event_log_head": {"event": 48213, "sha256": "5e" * 32},
    }


def monthly_fixture(month: str = "2026-10") -> dict[str, Any]:
    first = date.fromisoformat(f"{month}-01")
    days = []
    day = first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    by_day = {d.isoformat(): (0 if d.weekday() >= 5 else 90 + (d.day * 7) % 40) for d in days}
    trend = []
    for back in range(11, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - back, 12)
        trend.append(
            {
                "month": f"{y:04d}-{m + 1:02d}",
                "visits": 2000 + 37 * back,
                "within_15_min_pct": None if back == 7 else 76.0 + back % 5,
                "first_contact_resolution_pct": 81.0 - back % 4,
                "appointments_booked": 120 + back,
                "appointments_kept": 100 + back,
                "appointments_no_show": 9,
                "standards": {
                    "within_15_min": None if back == 7 else 76.0 + back % 5,
                    "first_contact": 81.0 - back % 4,
                    "satisfied": 80.0 + back % 3,
                },
                "recorded": True,
                "records_from": None,  # a whole month (a part one: the day its records begin)
            }
        )
    return {
        "month": month,
        "to_date": None,
        "recorded": True,
        "records_begin": "2025-04-01",
        "site": "hq",
        "sites": ["hq"],
        "sites_left": {},
        "target_minutes": 15,
        "visits": sum(by_day.values()),
        "walk_ins": 2140,
        "appointment_visits": 310,
        "served": 2010,
        "quick_visits": 330,
        "no_shows": 61,
        "seen": 2350,
        "seen_within_target": 1880,
        "within_15_min_pct": 80.0,
        "wait_median_minutes": 8.1,
        "wait_p90_minutes": 21.4,
        "finished": 2340,
        "finished_first_contact": 1650,
        "first_contact_resolution_pct": 70.5,
        "outcomes": {
            "resolved": 1400,
            "signposted": 250,
            "referred": 390,
            "appointment": 200,
            "callback": 100,
        },
        "services_delivered": 2475,
        "appointments_arranged": 160,
        "by_day": by_day,
        "closed_days": {d: f"a {date.fromisoformat(d):%A}" for d, n in by_day.items() if not n},
        "busiest_day": max(sorted(by_day), key=lambda d: by_day[d]),
        "by_hour": {h: c * 20 for h, c in BY_HOUR.items()},
        "by_service": {k: v * 20 for k, v in BY_SERVICE.items()},
        "by_site": {"hq": sum(by_day.values())},
        "desks": daily_fixture()["desks"],
        "advisers": daily_fixture()["advisers"],
        "adjustments": daily_fixture()["adjustments"],
        **scorecard_figures(20),
        "appointments_booked": 140,
        "appointments_kept": 118,
        "appointments_no_show": 12,
        "appointments_kept_pct": 90.8,
        "appointments_cancelled": {"council": 6, "resident": 9},
        "council_cancellations": {
            "total": 6,
            "with_notice": 5,
            "breaches": 1,
            "with_notice_pct": 83.3,
            "notice_days": {"0": 1, "1": 2, "2": 1, "3-4": 1, "5+": 1},
        },
        "council_moves": {
            "total": 2,
            "with_notice": 1,
            "breaches": 1,
            "with_notice_pct": 50.0,
            "notice_days": {"0": 1, "1": 0, "2": 1, "3-4": 0, "5+": 0},
        },
        "council_notice_pct": 75.0,
        "followups": None,  # typed follow-up figures: see tests/test_followups_month.py
        "standards": [
            {
                "key": "within_15_min",
                "label": "Seen within 15 minutes",
                "value": 80.0,
                "target": 80,
                "rule": "over",
                "status": "amber",
                "definition": "What the figure counts.",
            },
            {
                "key": "first_contact",
                "label": "Resolved at first contact",
                "value": 70.5,
                "target": 80,
                "rule": "at_least",
                "status": "amber",
                "definition": "What the figure counts.",
            },
            {
                "key": "appointments_kept",
                "label": "Appointments kept",
                "value": 90.8,
                "target": None,
                "rule": "monitored",
                "status": "none",
                "definition": "What the figure counts.",
            },
            {
                "key": "council_notice",
                "label": "Council cancellations with notice",
                "value": 83.3,
                "target": 100,
                "rule": "at_least",
                "status": "red",
                "definition": "What the figure counts.",
            },
        ],
        "calls": {
            "total": 5400,
            "answered": 4900,
            "abandoned": 500,
            "answered_pct": 90.7,
            "average_wait_seconds": 74.2,
            "by_hour": {"08": 300, "09": 800, "10": 900, "11": 700},
            "by_day": {d: 200 for d in list(by_day)[:5]},
            "answered_within": {"20": 3900, "45": 4700},
            "answered_within_pct": {"20": 72.2, "45": 87.0},
            "abandoned_pct": 9.3,
            "average_talk_seconds": 262.5,
            "hours": {
                "09": {
                    "calls": 800,
                    "answered": 720,
                    "abandoned": 80,
                    "abandoned_pct": 10.0,
                    "within_pct": {"20": 70.0, "45": 85.0},
                }
            },
        },
        "trend": trend,
    }


# A real office's day ---------------------------------------------------------------------------

ARRIVALS = {"09": ["C", "C", "B"], "10": ["C", "W", "B", "C", "C"], "11": ["W"], "14": ["B", "C"]}
"""Arrivals by local hour (Monday 23 November 2026, GMT: local time is UTC) and service."""


def scripted_day(db: Path) -> tuple[dict[str, int], dict[str, int], int]:
    """Issue :data:`ARRIVALS` at the meet-and-greet desk and serve the first four at desk-1.

    Returns this test's own tally: arrivals by hour, arrivals by service, visits served."""
    from oss_desk.clock import FixedClock
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session

    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    greet = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="adviser", desk_id="desk-1")
    by_service: dict[str, int] = {}
    try:
        for hour, services in ARRIVALS.items():
            for minute, code in enumerate(services):
                clock.set(datetime(2026, 11, 23, int(hour), 5 + 7 * minute, tzinfo=UTC))
                QueueService(greet).issue(code, print_ticket=False)
                by_service[code] = by_service.get(code, 0) + 1
        served = 4
        for n in range(served):
            clock.set(datetime(2026, 11, 23, 15, 5 * n, tzinfo=UTC))
            ticket = QueueService(desk).call_next()
            assert ticket is not None
            clock.set(datetime(2026, 11, 23, 15, 5 * n + 4, tzinfo=UTC))
            QueueService(desk).finish(ticket.id, "resolved")
    finally:
        greet.close()
        desk.close()
    return {h: len(s) for h, s in ARRIVALS.items()}, by_service, served
