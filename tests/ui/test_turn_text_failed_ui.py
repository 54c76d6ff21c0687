"""The desk that called a resident whose come-to-the-desk text failed for good says so under
the ticket (the resident was not told where to go: call the code aloud)."""

from __future__ import annotations

from pathlib import Path

from ..messaging import NotifyServer
from ..test_turn_text_failed import UNSURE, called_text_failed, called_text_unsure
from .conftest import AppFactory, adviser_desk, until


async def test_the_desk_that_called_says_the_text_did_not_go(
    tmp_path: Path, notify: NotifyServer, make_app: AppFactory
) -> None:
    day = called_text_failed(tmp_path, notify)
    app = make_app(day.db, "desk-1", clock=day.clock)
    async with app.run_test(size=(120, 36)):
        screen = await adviser_desk(app)
        info = screen.query_one("#now-info")
        await until(lambda: "C001" in str(info.render()))
        said = str(info.render())
        assert "come-to-the-desk text failed: Notify failed (500)" in said, said
        assert "07700" not in said and "7700900001" not in said


async def test_the_desk_says_a_text_that_may_have_been_sent_may_have_been_sent(
    tmp_path: Path, notify: NotifyServer, make_app: AppFactory
) -> None:
    """A come-to-the-desk text whose fate Notify could not tell: the desk serving the
    resident says it may have been sent (it said nothing)."""
    day = called_text_unsure(tmp_path, notify)
    app = make_app(day.db, "desk-1", clock=day.clock)
    async with app.run_test(size=(120, 36)):
        screen = await adviser_desk(app)
        info = screen.query_one("#now-info")
        await until(lambda: "C001" in str(info.render()))
        said = " ".join(str(info.render()).split())
        assert " ".join(UNSURE.split()) in said, said
        assert "failed" not in said
