"""A desk app whose person is logged out of their desk from elsewhere (a team leader through the
service, or `oss-desk desks logout` in another process on the same database file) says so once,
who and when, and shows the desk closed; a person who logs out themselves (Z) is told nothing of
the kind (trial 7: Tara's desk app went on showing her at her desk with no notice)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oss_desk.domain.logged_out import logged_out_words
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.bars import StatusBar

from ..conftest import MONDAY_0930, run_cli_process
from .conftest import AppFactory, acting, adviser_desk, notices, pressed_to, settled, staffed, until

NOTICE = "You were logged out of Desk 1 at 09:30 by Team Leader: Z logs you in again"


def toasts(app: OssDeskApp, words: str) -> int:
    """The toasts on the screen saying ``words`` (what the person sees)."""
    return sum(words in str(toast.render()) for toast in app.screen.query("Toast"))


def leader_logs_out(db: Path) -> None:
    with acting(db) as leader:
        QueueService(leader).log_out("desk-1")


def as_leader(db: Path, *args: str, person: str = "tl") -> None:
    """``oss-desk --user tl ARGS`` in its own process on the same database file."""
    now = {"OSS_DESK_NOW": MONDAY_0930.isoformat()}
    done = run_cli_process("--db", str(db), "--user", person, *args, env=now)
    assert done.returncode == 0, done.stderr


def cli_logs_out(db: Path) -> None:
    as_leader(db, "desks", "logout", "desk-1")


def cli_closes(db: Path) -> None:
    as_leader(db, "desks", "close", "desk-1")


def shows_closed(screen: AdviserScreen) -> bool:
    state = screen.my_state()
    return (
        state is not None
        and state.login is None
        and str(screen.title_text(state)) == "Desk 1 · closed"
        and screen.hint_text(state) == "Z: log in and open the desk"
        and "closed" in str(screen.query_one(StatusBar).render())
    )


@pytest.mark.parametrize(
    "how", [leader_logs_out, cli_logs_out, cli_closes], ids=["service", "cli-logout", "cli-close"]
)
async def test_logged_out_by_the_team_leader_is_told_once(
    counter_office: Path, make_app: AppFactory, how: object
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await settled(pilot)
        assert callable(how)
        await asyncio.to_thread(how, db)
        await until(lambda: notices(app, NOTICE) == 1, timeout=15)
        await until(lambda: shows_closed(screen))
        await until(lambda: toasts(app, "You were logged out") == 1)
        await settled(pilot)
        assert notices(app, "You were logged out") == 1  # once
        # Z logs them in again, and the desk opens: the notice is over (trial 8: it stayed its
        # minute above "Ben Walker logged in to Desk 1").
        await pilot.press("z")
        await until(lambda: staffed(screen) and screen.my_status() is not None)
        await until(lambda: toasts(app, "You were logged out") == 0)
        # Z's worker says so once its log-in is back from the database thread: the desk's own
        # snapshot (which takes the notice down) may show the log-in first.
        await until(lambda: notices(app, "logged in to Desk 1") > 0)
        await settled(pilot)
        assert notices(app, "You were logged out") == 0
        assert notices(app, "logged in to Desk 1") == 1  # what Z said stays


async def test_logged_in_again_from_elsewhere_takes_the_notice_down(
    counter_office: Path, make_app: AppFactory
) -> None:
    """`desks logout`, then `desks login` for them in other processes: the notice goes, and a
    second logout from elsewhere is told again."""
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen))
        await settled(pilot)
        await asyncio.to_thread(cli_logs_out, db)
        await until(lambda: toasts(app, NOTICE) == 1, timeout=15)
        await asyncio.to_thread(as_leader, db, "desks", "login", "desk-1", person="ben")
        await until(lambda: staffed(screen), timeout=15)
        await until(lambda: toasts(app, "You were logged out") == 0)
        assert notices(app, "You were logged out") == 0
        await asyncio.to_thread(cli_logs_out, db)
        await until(lambda: toasts(app, NOTICE) == 1, timeout=15)


async def test_logging_out_yourself_says_no_such_thing(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await settled(pilot)
        await pressed_to(pilot, QuestionDialog, "z")
        await pilot.press("y")
        await until(lambda: notices(app, "Logged out: Desk 1 closed") == 1)
        await until(lambda: shows_closed(screen))
        await settled(pilot)
        assert notices(app, "You were logged out") == 0


async def test_taken_over_is_told_who_took_the_desk(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await settled(pilot)

        def take_over() -> None:
            with acting(db, desk="desk-1") as leader:
                QueueService(leader).log_in("desk-1", take_over=True)

        await asyncio.to_thread(take_over)
        words = "Team Leader took Desk 1 over from you at 09:30: F8 chooses another desk"
        await until(lambda: notices(app, words) == 1)
        await until(lambda: screen.held_by_other() == "tl")
        state = screen.my_state()
        assert screen.hint_text(state) == "Team Leader is logged in here · F8: another desk"


async def test_a_configuration_loaded_without_them_is_said(
    counter_office: Path, make_app: AppFactory
) -> None:
    """`oss-desk init --config` (another process) with Ben Walker no longer on the staff list."""
    db = counter_office
    config = db.parent / "site.toml"
    ben = 'id = "ben"\nname = "Ben Walker"\nrole = "adviser"\n'
    assert ben in config.read_text()
    config.write_text(
        config.read_text().replace(ben, 'id = "amy"\nname = "Amy"\nrole = "adviser"\n')
    )
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await settled(pilot)
        await asyncio.to_thread(as_leader, db, "init", "--config", str(config))
        words = (
            "You were logged out of Desk 1 at 09:30: Team Leader loaded a configuration "
            "without you at Desk 1"
        )
        await until(lambda: notices(app, words) == 1, timeout=15)
        await until(lambda: shows_closed(screen))


def test_the_words_say_only_what_is_known() -> None:
    """Not in the event log (a restored copy): neither who nor when; a meet-and-greet desk has
    no Z or F8 to name."""
    assert (
        logged_out_words("Desk 1", None, None)
        == "You were logged out of Desk 1: Z logs you in again"
    )
    assert logged_out_words("Greet", "09:30", "Team Leader", keys=False) == (
        "You were logged out of Greet at 09:30 by Team Leader"
    )
    assert logged_out_words("Greet", "09:30", "Team Leader", taken_over=True, keys=False) == (
        "Team Leader took Greet over from you at 09:30"
    )
