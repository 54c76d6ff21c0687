"""The follow-up panel shows the resident's number as a person dials it (an appointments
adviser's trial): a ring-back's panel said "Phone: +441632960123", the form it is stored in
for texts. It says "Phone: 01632 960123" now. Real SQLite, the desk under Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.domain.phones import dialable
from oss_desk.services.followups import FollowupService, Request

from .conftest import AppFactory, acting, followups_office, until
from .test_followups_ui import open_followups


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+441632960123", "01632 960123"),
        ("+447700900123", "07700 900123"),
        ("+442079460000", "020 7946 0000"),
        ("+441134960000", "0113 496 0000"),
        ("+443001234567", "0300 123 4567"),
        ("+1 202 555 0100", "+1 202 555 0100"),  # not a UK number: as it is
    ],
)
def test_numbers_are_grouped_as_written(stored: str, shown: str) -> None:
    assert dialable(stored) == shown


async def test_the_panel_shows_a_number_to_ring(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = followups_office(migrated, tmp_path)
    with acting(db, person="gil") as session:
        FollowupService(session).add(
            Request(kind="ringback", service="W", name="Ann Other", phone="01632 960123")
        )
    app = make_app(db, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        detail = screen.query_one("#followup-detail")
        await until(lambda: "Ann Other" in str(detail.render()))
        assert "Phone: 01632 960123" in str(detail.render())
        assert "+44" not in str(detail.render())
