"""A follow-up form's field that is full says so, once, when more is typed (before, Textual
dropped the keys without a word: a topic cut at 200 characters, an officer's name at 80)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.followups import FollowupDialog

from .conftest import AppFactory, pressed_to, until
from .test_followups_ui import office as office  # the follow-ups office (a fixture)
from .test_followups_ui import open_followups

FULL = "Topic is full (at most 200 characters): what is typed after that is not added"


def told(app: object) -> list[str]:
    return [n.message for n in app._notifications if "is full" in n.message]  # type: ignore[attr-defined]


async def test_a_full_field_says_so_once(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        await pressed_to(pilot, FollowupDialog, "1")  # ring-back
        form = app.screen
        topic = form.query_one("#fu-topic", Input)
        topic.value = "x" * 198
        topic.focus()
        await until(lambda: topic.has_focus)
        await pilot.press("end", "a", "b")  # 200: full, nothing refused yet
        await until(lambda: topic.value.endswith("ab") and len(topic.value) == 200)
        await pilot.press("c", "d", "e")  # refused: said once, not three times
        await until(lambda: told(app) == [FULL])
        await pilot.press("backspace")  # read after them: whatever they said is in
        await until(lambda: len(topic.value) == 199)
        await pilot.pause()
        assert told(app) == [FULL] and topic.value.endswith("a")
        await pilot.press("z", "y")  # full again, more refused: said again
        await until(lambda: len(told(app)) == 2)
        assert topic.value.endswith("az")


async def test_a_paste_longer_than_the_room_left_is_said_as_such(
    office: Path, make_app: AppFactory
) -> None:
    """A paste longer than the room left is refused whole by Textual (none of it added): the
    field is not full, so it is not called full; the room there is is said, each time."""
    from textual import events

    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        await pressed_to(pilot, FollowupDialog, "1")  # ring-back
        topic = app.screen.query_one("#fu-topic", Input)
        topic.value = "x" * 10
        topic.focus()
        await until(lambda: topic.has_focus)
        await pilot.press("end")  # the cursor after the text, nothing selected
        room = (
            "Topic has room for 190 characters (at most 200): the paste was longer, "
            "so none of it was added"
        )

        def pasted() -> list[str]:
            return [n.message for n in app._notifications if "paste" in n.message]

        def paste(text: str) -> None:
            topic.post_message(events.Paste(text))

        paste("y" * 300)
        await until(lambda: pasted() == [room])
        assert topic.value == "x" * 10 and told(app) == []
        paste("z" * 5)  # one that fits goes in, nothing said
        await until(lambda: topic.value == "x" * 10 + "z" * 5)
        paste("y" * 300)  # said again: each paste is its own
        await until(lambda: len(pasted()) == 2)
