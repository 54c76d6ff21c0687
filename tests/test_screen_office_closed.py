"""The waiting-room screen says "Office closed" where the call would be while the day is closed,
and nothing there again once it is reopened: the real `oss-desk screen` and Chromium, the
team leader's close and reopen on the same simulated clock as the screen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue.day_end import close_now, reopen_now
from oss_desk.services.session import open_session

from .screens import kiosk_browser, open_screen, start_screen, stop_screen
from .test_screen_browser import office

pytestmark = pytest.mark.slow

chromium = pytest.fixture(scope="module", name="chromium")(kiosk_browser)

NOW = datetime(2026, 11, 23, 13, 48, tzinfo=UTC)  # Monday; the office closes at 17:00
SHOWN = "() => document.querySelector('#latest .desk')?.textContent === {!r}"


def test_the_screen_says_the_office_is_closed_until_it_is_reopened(
    tmp_path: Path, chromium: Any
) -> None:
    db = office(tmp_path)
    served = start_screen(db, tmp_path, now=NOW.isoformat())
    leader = open_session(db=db, person="tl", clock=FixedClock(NOW))
    try:
        page, _ = open_screen(chromium, served.url)
        page.wait_for_function("() => window.ossDeskScreen.states >= 1")
        assert page.text_content("#latest .desk") == ""
        close_now(leader)
        page.wait_for_function(SHOWN.format("Office closed"), timeout=5000)
        reopen_now(leader)
        page.wait_for_function(SHOWN.format(""), timeout=5000)
        page.context.close()
    finally:
        leader.close()
        stop_screen(served)
