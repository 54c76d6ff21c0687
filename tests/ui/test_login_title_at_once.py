"""Z at an adviser's desk: the desk's title line says who is logged in as the change is said,
never the person before. Logging out said "Logged out: Desk 1 closed" under "Desk 1 · Ben
Walker · open", and logging in "Ben Walker logged in to Desk 1" under "Desk 1 · closed" (or
the colleague logged in there before), until the desk's next look at the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.widgets import Static

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs.counter import QuestionDialog

from .conftest import AppFactory, acting, adviser_desk, pressed_to, staffed, until


async def test_the_title_says_who_is_logged_in_as_the_change_is_said(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        title = screen.query_one("#now-title", Static)

        def shown() -> str:
            content = title.content
            return content.plain if isinstance(content, Text) else str(content)

        said: list[tuple[str, str]] = []  # (the notice, the title as it was said)
        notify = app.notify

        def kept(message: str, **options: Any) -> None:
            said.append((message, shown()))
            notify(message, **options)

        app.notify = kept  # type: ignore[method-assign]
        await pressed_to(pilot, QuestionDialog, "z")
        await pilot.press("y")
        await until(lambda: any(m.startswith("Logged out") for m, _ in said))
        (out,) = [t for m, t in said if m.startswith("Logged out")]
        assert out == "Desk 1 · closed"
        with acting(db, person="dev", desk="desk-1") as session:
            QueueService(session).log_in("desk-1")  # Dev at Desk 1 for a while
        await until(lambda: "Dev Patel" in shown())
        with acting(db, person="dev", desk="desk-1") as session:
            QueueService(session).log_out("desk-1")
        await until(lambda: shown() == "Desk 1 · closed")
        await pilot.press("z")
        await until(lambda: any("logged in to Desk 1" in m for m, _ in said))
        (back,) = [t for m, t in said if "logged in to Desk 1" in m]
        assert back == "Desk 1 · Ben Walker · open"
