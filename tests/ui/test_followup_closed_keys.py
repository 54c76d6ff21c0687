"""A key on a follow-up that is closed already says so (an appointments adviser's trial,
finding 6): D on a ring-back done earlier said "Done: not now", as if it could be done later.
Each key that acts on an open follow-up now says "CB-0001 is closed already". Real SQLite, the
desk under Pilot."""

from __future__ import annotations

from pathlib import Path

from oss_desk.services.followups import FollowupService

from .conftest import AppFactory, acting, notices, settled, until
from .test_followups_ui import followups, office, open_followups  # noqa: F401 (a fixture)


async def test_keys_on_a_closed_ring_back_say_it_is_closed(
    office: Path,  # noqa: F811
    make_app: AppFactory,
) -> None:
    with acting(office, person="ana", desk="desk-1") as session:
        FollowupService(session).done("CB-0001")
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        await until(lambda: screen.selected() is not None)
        await settled(pilot)
        for n, key in enumerate(("d", "a", "t", "u"), start=1):
            await pilot.press(key)
            await until(lambda n=n: notices(app, "CB-0001 is closed already") == n)  # type: ignore[misc]
        assert notices(app, "not now") == 0
        assert app.screen is screen and followups(office)[0][4] == "done"
