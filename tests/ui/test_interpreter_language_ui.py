"""At meet-and-greet, the interpreter's language is one known here (on the common list, or one
the staff list as a skill): anything else typed in its box is refused with a notification and
the desk keeps working, nothing kept (privacy audit, finding 3)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.ui.dialogs.needs import NeedsDialog
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import site_toml
from .conftest import AppFactory, notices, office_db, pressed_to, until

LATIN_SPEAKER = (
    '[[staff]]\nid = "lou"\nname = "Lou Adviser"\nrole = "adviser"\nskills = ["Latin"]\n'
)


async def test_a_language_not_known_here_is_refused_and_one_staff_speak_taken(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml(extra=LATIN_SPEAKER))
    app = make_app(db)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, NeedsDialog, "c", "f9")
        await pressed_to(pilot, GreetScreen, "tab", *"Zzname", "enter")
        await until(lambda: notices(app, "'zzname' is not a language known here") == 1)
        assert app.screen.needs == ()  # type: ignore[attr-defined]
        await pressed_to(pilot, NeedsDialog, "f9")
        await pressed_to(pilot, GreetScreen, "tab", *"Latin", "enter")
        line = str(app.screen.query_one("#needs-line").render())
        assert "Interpreter (Latin)" in line
        assert app.screen.needs == ("interpreter:latin",)  # type: ignore[attr-defined]
