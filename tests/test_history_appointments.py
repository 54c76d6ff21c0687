"""Generated history: every appointment whose day is in the history ends as the live flow ends
it. One checked in (at meet-and-greet, or arranged at a desk in an earlier visit) and served is
attended (``domain.appointments.when_served``, the rule the queue's finish asks too); one the
resident never came to is a no-show; none is left "checked_in" for ever."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, generate


def test_past_appointments_end_attended_or_missed(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    end = date(2026, 11, 20)
    generate(
        db,
        HistoryOptions(weeks=4, sites=1, visits_per_day=150, seed=11, end=end),
        clock=FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC)),
    )
    conn = sqlite3.connect(db)
    try:
        ended = dict(
            conn.execute(
                "SELECT (a.arranged_in_visit IS NOT NULL) || ':' || a.status || ':' ||"
                " coalesce(t.status, '-'), count(*) FROM appointments a"
                " LEFT JOIN tickets t ON t.id = a.ticket_id"
                " WHERE a.business_day <= ? GROUP BY 1",
                [end.isoformat()],
            ).fetchall()
        )
    finally:
        conn.close()
    # Checked in and served: attended, those arranged at desks as those booked at the greeter.
    assert ended.get("1:attended:done", 0) > 20 and ended.get("0:attended:done", 0) > 20
    assert ended.get("1:no_show:-", 0) > 0  # some never came
    assert not [k for k in ended if ":checked_in:" in k or ":booked:" in k], ended
    assert set(ended) <= {
        "0:attended:done",
        "1:attended:done",
        "0:no_show:-",
        "1:no_show:-",
        "0:cancelled:-",
    }, ended
