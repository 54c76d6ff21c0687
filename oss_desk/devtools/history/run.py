"""``generate``: a new database filled with the history of the options, fast."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from oss_desk.clock import Clock
from oss_desk.devtools.history.plan import (
    GENERATOR_VERSION,
    HistoryOptions,
    check_options,
    history_settings,
)
from oss_desk.devtools.history.rows import DayFigures
from oss_desk.devtools.history.simulation import Simulation
from oss_desk.domain.calendar import no_figures_yet, years_after, zone
from oss_desk.domain.models import Actor
from oss_desk.errors import InvalidInput
from oss_desk.services.dbops import RetentionService
from oss_desk.services.session import open_session
from oss_desk.services.site import load_into
from oss_desk.storage import history as h
from oss_desk.storage.database import open_store


@dataclass
class HistoryResult:
    path: Path
    first_day: str
    last_day: str
    sites: list[str]
    opening_days: int
    visits: int
    tickets: int
    events: int
    appointments: int
    seconds: float
    size_bytes: int
    rows: dict[str, int]
    figures: dict[tuple[str, str], DayFigures] = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "db": str(self.path),
            "generator_version": GENERATOR_VERSION,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "sites": self.sites,
            "opening_days": self.opening_days,
            "visits": self.visits,
            "tickets": self.tickets,
            "events": self.events,
            "appointments": self.appointments,
            "rows": self.rows,
            "seconds": round(self.seconds, 1),
            "size_mb": round(self.size_bytes / 1_000_000, 1),
        }


def generate(
    db_path: Path,
    options: HistoryOptions,
    *,
    clock: Clock,
    progress: Callable[[str, float, int], None] | None = None,
) -> HistoryResult:
    """Create ``db_path`` (it must not exist) and fill it with the history of ``options``."""
    check_options(options)
    path = Path(db_path).expanduser()
    for suffix in ("", "-wal", "-shm"):
        if Path(str(path) + suffix).exists():
            raise InvalidInput(
                f"{path}{suffix} exists already: history goes into a new database "
                "(choose another --db path)"
            )
    started = time.perf_counter()
    folder = path.parent.resolve() if path.parent.exists() else path.parent
    settings = history_settings(options.sites, options.visits_per_day, folder)
    today = clock.now().astimezone(zone(settings.sites[0].timezone)).date()
    if options.end is not None:  # history of days to come: no report could show it
        no_figures_yet(options.end, today, "--end")
    end = options.end or today - timedelta(days=1)
    first = (
        end - timedelta(weeks=options.weeks) + timedelta(days=1)
        if options.weeks is not None
        else years_after(end, -options.years) + timedelta(days=1)
    )
    ok = False
    store = None
    try:
        store = open_store(path, create=True)
        load_into(store, settings, source="generated history", clock=clock, person="sam")
        sim = Simulation(settings, options, store.conn, end)
        indexes = h.begin_bulk(store.conn)
        days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
        chunk: list[date] = []
        done_visits = 0
        for index, day in enumerate(days):
            sim.day(day)
            chunk.append(day)
            if len(chunk) >= 20 or index == len(days) - 1:
                sim.flush()
                done_visits = sim.builder.next_visit - 1
                chunk = []
                if progress is not None:
                    progress(day.isoformat(), (index + 1) / len(days), done_visits)
        sim.finish()
        if progress is not None:
            progress("indexes", 1.0, done_visits)
        h.end_bulk(store.conn, indexes)
        rows = h.table_counts(store.conn)
        store.close()
        store = None
        _retention(path, clock)
        ok = True
    finally:
        if store is not None:
            store.close()
        if not ok:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    return HistoryResult(
        path=path,
        first_day=first.isoformat(),
        last_day=end.isoformat(),
        sites=[s.id for s in settings.sites],
        opening_days=sim.opening_days,
        visits=rows["visits"],
        tickets=rows["tickets"],
        events=rows["events"],
        appointments=rows["appointments"],
        seconds=time.perf_counter() - started,
        size_bytes=path.stat().st_size,
        rows=rows,
        figures=sim.builder.figures,
    )


def _retention(path: Path, clock: Clock) -> None:
    """What the worker's hourly retention purge has done by now (contact details, cancel
    reasons and message traces past their periods): the real purge, run once."""
    session = open_session(db=path, clock=clock, person="worker", check=False, host=True)
    try:
        RetentionService(session, Actor("worker")).purge()
    finally:
        session.close()
