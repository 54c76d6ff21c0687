"""The order the suite's tests are handed to pytest-xdist's workers: the longest first.

xdist's default (``--dist load``) sends each worker a first batch of consecutive tests (a
quarter of the suite split between the workers: about 300 tests each with ``-n 3``), then more
on demand. Collected as written, the long files (tests/ui/, test_tooling.py) came last and could
end the run alone; moved to the front, they would all fall in the first worker's batch. So the
suite is run by files instead, longest first (longest-processing-time first): each worker takes
one unit of work at a time, a whole file (its tests in their order, its module fixtures set up
once on one worker), and the next when it is almost done. A few files of independent long tests
are split, one test a unit, so that workers share them.

``LONG_FILES`` are the files' seconds (each file's tests summed) from ``pytest --durations`` of a
whole run on a loaded 2-core machine; their ratios, not their values, decide the order. Refresh
them from the slowest tests the suite prints at the end of a run (``--durations=30``). Files not
listed follow, those with a test marked slow first, each group in collection order.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

LONG_FILES: dict[str, float] = {
    # From an idle whole run (-n 3) on 2026-12-07, less the cuts made since where measured.
    "tests/test_demo_ready.py": 50,
    "tests/ui/test_appointments_ui.py": 54,
    "tests/ui/test_flows.py": 53,
    "tests/ui/test_counter_ui.py": 52,
    "tests/test_serve_browser.py": 43,
    "tests/ui/test_followups_ui.py": 40,
    "tests/ui/test_fuzz.py": 39,
    "tests/test_migrate.py": 36,
    "tests/test_tooling.py": 32,  # mypy strict, cold, alone about 28 s
    "tests/test_demo_shape.py": 26,
    "tests/test_delivery_lane_stopped.py": 26,
    "tests/test_rollup.py": 23,
    "tests/ui/test_trial5_desks.py": 23,
    "tests/ui/test_tmux.py": 22,
    "tests/test_screen_browser.py": 21,
    "tests/ui/test_own_actions.py": 20,
    "tests/test_message_outcome_locked.py": 20,
    "tests/test_notify_uncertain.py": 19,
    "tests/test_faults.py": 19,
    "tests/ui/test_scorecard_ui.py": 19,
    "tests/ui/test_dialog_help.py": 19,
    "tests/test_refusals.py": 19,
    "tests/test_messages.py": 19,
    "tests/test_appointment_message_unsure.py": 19,
    "tests/test_text_outcome_locked.py": 18,
}
"""Seconds a file's tests take together, where it is among the longest."""

SPLIT_FILES: dict[str, float] = {
    # The benchmarks' quick pass, in groups of about 20-35 s each (and the TCP printer path).
    "tests/test_benchmarks_run.py": 35,
    # Independent tests of a worker stopped or a database held, about 5-8 s each.
    "tests/test_accepted_notes_removed.py": 8,
    "tests/test_message_accepted_at_stop.py": 8,
}
"""Files whose tests are each a unit of their own (no module fixture to share), with the
seconds of their longest test."""


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def seconds(nodeid: str) -> float:
    """The seconds of the unit of work the test belongs to (0 where not known)."""
    path = _file(nodeid)
    return SPLIT_FILES.get(path, LONG_FILES.get(path, 0.0))


def longest_first(items: list[pytest.Item]) -> None:
    """Sort in place, the longest units first, then the files not listed with a test marked
    slow (multi-process or end-to-end), then the others: a stable sort, so each file's tests
    stay together and in their order, and files alike stay in their collection order."""
    slow = {_file(item.nodeid) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (-seconds(item.nodeid), _file(item.nodeid) not in slow))


FILES_PER_WORKER = 2
"""A run of fewer files than this many a worker (a file or two while working on them) is
handed out a test at a time, as xdist's default does: a file a unit would leave every worker
but one idle."""


def by_test(files: int, workers: int) -> bool:
    """Whether a run of ``files`` files on ``workers`` workers is handed out a test at a time."""
    return files < FILES_PER_WORKER * workers


class LongestFirstScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """xdist's scheduling by scope, a scope a file (or a test, in ``SPLIT_FILES``, or in a run
    of few files: :func:`by_test`), handed out in collection order (as :func:`longest_first`
    left it), not reordered by size."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False
        self.by_test = False

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            collected = next(iter(self.registered_collections.values()))
            self.by_test = by_test(len({_file(nodeid) for nodeid in collected}), len(self.nodes))
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        path = _file(nodeid)
        return nodeid if self.by_test or path in SPLIT_FILES else path
