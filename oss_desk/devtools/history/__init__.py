"""Realistic history for trying and benchmarking: years of visits at several offices, fast.

``oss-desk history generate`` makes a NEW database with a multi-site configuration derived
from the built-in demo site (:mod:`.plan`), then fills it with what years of opening days
would have left behind: visits, tickets, the event log, appointments with their messages and
held time.

The demo (:mod:`oss_desk.services.demo`) drives the real services minute by minute; that is far
too slow for a million visits. Here each office day is simulated in memory (:mod:`.simulation`:
arrivals from an hourly profile, desks calling by the domain's call order, recalls, no-shows,
transfers, appointments checked in as priority tickets) and the row builders (:mod:`.rows`,
:mod:`.bookings`) write the very rows the services would write for each step
(``tests/test_history.py`` checks that the shapes are the same), which
:mod:`oss_desk.storage.history` inserts in big batches (:mod:`.run`).

What the generator does not make: printed tickets and board updates (print jobs), desk status
changes, notes, checklists ticked, rescheduled appointments. Events of a batch get their ids in
time order; an appointment's booking events (made days earlier) come with its day's batch.
"""

from oss_desk.devtools.history.bookings import RowBuilder
from oss_desk.devtools.history.plan import (
    GENERATOR_VERSION,
    HistoryOptions,
    check_options,
    history_settings,
)
from oss_desk.devtools.history.rows import DayFigures, SiteInfo, epoch_ms, instant
from oss_desk.devtools.history.run import HistoryResult, generate

__all__ = [
    "GENERATOR_VERSION",
    "DayFigures",
    "HistoryOptions",
    "HistoryResult",
    "RowBuilder",
    "SiteInfo",
    "check_options",
    "epoch_ms",
    "generate",
    "history_settings",
    "instant",
]
