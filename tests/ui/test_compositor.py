"""A partial update that renders only the widgets seen in the changed regions leaves on the
terminal exactly what Textual's own partial update leaves: every frame compared cell by cell
(character, colours, attributes) in a layout of nested panels (borders, padding, backgrounds,
columns side by side) changed at random, and at a real adviser desk calling, recalling and
putting back residents. A change can be drawn at once, unless a layout is due."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import ControlType, Segment
from rich.style import Style
from rich.text import Text
from textual._compositor import ChopsUpdate, Compositor, CompositorUpdate
from textual._context import visible_screen_stack
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from oss_desk.domain.models import Ticket
from oss_desk.ui.compositor import LineCompositor, TintedOnce, draw_now
from oss_desk.ui.dialogs import Dialog
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.screens import base
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.big_code import BigCode

from .conftest import AppFactory, adviser_desk, call_next, pressed_to, settled, until


class Checked(LineCompositor):
    """Renders each partial update both ways and keeps what each would write to the terminal,
    and how many widgets each asked for lines."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[str, str, int, int]] = []
        self.asked = 0

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        for render in super()._get_renders(crop):
            self.asked += 1
            yield render

    def render_partial_update(self) -> ChopsUpdate | None:
        regions = set(self._dirty_regions)
        self.asked = 0
        ours = super().render_partial_update()
        ours_asked, self.asked = self.asked, 0
        self._dirty_regions.update(regions)
        theirs = Compositor.render_partial_update(self)  # not partial here: Textual's way
        assert (ours is None) == (theirs is None)
        if ours is not None and theirs is not None:
            console = _console()
            self.frames.append(
                (
                    ours.render_segments(console),
                    theirs.render_segments(console),
                    ours_asked,
                    self.asked,
                )
            )
        return ours


def _console() -> Console:
    return Console(width=120, height=36, force_terminal=True, color_system="truecolor")


CONTROL = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([\d;]*)m|\n")


def cells(written: str) -> dict[tuple[int, int], tuple[str, str]]:
    """What ``written`` leaves on a terminal: each cell it writes, with its character and the
    colours and attributes it is written in (cursor moves, styles and text, as Textual
    writes them)."""
    found: dict[tuple[int, int], tuple[str, str]] = {}
    x = y = 0
    style = ""
    at = 0
    for match in [*CONTROL.finditer(written), None]:
        text = written[at : match.start() if match else len(written)]
        for char in text:
            found[(x, y)] = (char, style)
            x += cell_len(char)
        if match is None:
            break
        at = match.end()
        if match.group(1) is not None:
            y, x = int(match.group(1)) - 1, int(match.group(2)) - 1
        elif match.group(3) is not None:
            style = "" if match.group(3) in ("", "0") else style + ";" + match.group(3)
        else:
            x, y = 0, y + 1
    return found


class Panels(Screen[None]):
    CSS = """
    #left { width: 30; padding: 0 1; border-right: tall $panel; }
    #right { padding: 1 2; background: $surface; }
    .tall { height: 3; }
    .framed { border: round $accent; height: auto; }
    #bottom { dock: bottom; height: 2; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._compositor = Checked()

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="left"):
                for n in range(6):
                    yield Static(f"left {n}", id=f"l{n}", classes="tall" if n % 2 else "")
            with VerticalScroll(id="right"):  # more than fits: scrolled, partly hidden
                for n in range(12):
                    yield Static(f"right {n}", id=f"r{n}", classes="framed" if n % 2 else "")
        yield Static("keys", id="bottom")


class PanelsApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Panels())


WORDS = ["C001", "Council Tax", "é", "漢字", "x"]


def frames(screen: Screen[Any]) -> list[tuple[str, str, int, int]]:
    compositor = screen._compositor
    assert isinstance(compositor, Checked)
    return compositor.frames


async def test_random_changes_write_what_textual_writes() -> None:
    rng = random.Random(8)
    app = PanelsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        statics = [w for w in app.screen.query(Static) if w.id]
        for step in range(60):
            for widget in rng.sample(statics, rng.randint(1, 3)):
                words = " ".join(rng.choice(WORDS) for _ in "ab")
                style = rng.choice(["bold", "dim", "reverse", ""])
                widget.update(Text(f"{step} {words}", style=style), layout=False)
            if step % 10 == 5:  # scrolled: widgets partly hidden at the panel's edges
                right = app.screen.query_one("#right", VerticalScroll)
                right.scroll_to(y=step // 5, animate=False)
                await pilot.pause()
                app.screen.refresh(right.region)
            if step % 3 == 0:  # a region of the screen, whatever is there (borders, padding)
                x, y = rng.randrange(80), rng.randrange(24)
                app.screen.refresh(Region(x, y, rng.randint(1, 80 - x), rng.randint(1, 24 - y)))
            await pilot.pause()
        shown = frames(app.screen)
    assert len(shown) >= 40
    for ours, theirs, _, _ in shown:
        assert cells(ours) == cells(theirs)
    assert sum(o for *_, o, _ in shown) < sum(t for *_, t in shown)  # fewer widgets asked


async def test_an_adviser_desks_frames_are_textuals(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "LineCompositor", Checked)
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        for key in "nqnrqn":
            await pilot.press(key)
            await settled(pilot)
        await until(lambda: screen.query_one(BigCode).code != "----")
        shown = frames(screen)
    assert shown
    for ours, theirs, _, _ in shown:
        assert cells(ours) == cells(theirs)


async def test_a_change_is_drawn_at_once_unless_a_layout_is_due() -> None:
    app = PanelsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        drawn = frames(screen)
        line = screen.query_one("#l0", Static)
        line.update("C001 at Desk 1", layout=False)
        before = len(drawn)
        assert draw_now(screen)
        assert len(drawn) == before + 1  # drawn in this call, not on a later message
        assert "C001 at Desk 1" in drawn[-1][0]
        assert not draw_now(screen)  # nothing left to draw
        await pilot.pause()
        assert len(drawn) == before + 1  # and Textual's own frame has nothing more to draw
        line.update("laid out", layout=True)
        assert not draw_now(screen)  # Textual lays the screen out first, in its own frame
        assert len(drawn) == before + 1
        await pilot.pause()
        assert "laid out" in drawn[-1][0]


class Written(Compositor):
    """Textual's own compositor, keeping what each update would write to the terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def render_update(
        self,
        full: bool = False,
        screen_stack: list[Screen[Any]] | None = None,
        simplify: bool = False,
    ) -> RenderableType | None:
        update = super().render_update(full, screen_stack, simplify)
        if update is not None:  # Textual's updates: a layout or a chops update
            self.written.append(cast(CompositorUpdate, update).render_segments(_console()))
        return update


async def test_a_change_beneath_a_key_hold_is_drawn_through_it_at_once() -> None:
    app = PanelsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        hold = KeyHold()  # between two dialogs of a flow, keys typed are kept there
        hold._compositor = seen = Written()
        await app.push_screen(hold)
        await pilot.pause()
        before = len(seen.written)
        screen.query_one("#l0", Static).update("C001 finished", layout=False)
        assert draw_now(screen)
        assert len(seen.written) == before + 1  # drawn in this call, through the hold
        assert "C001 finished" in seen.written[-1]


async def test_the_called_ticket_is_drawn_when_its_result_is_shown(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    shown_codes: list[str] = []
    codes_when_shown: list[list[str]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        display, show = app._display, app.show_result

        def displayed(on: Screen[Any], renderable: object) -> None:
            if renderable is not None:
                shown_codes.append(on.query_one(BigCode).code)
            display(on, renderable)  # type: ignore[arg-type]

        def show_result(ticket: Ticket) -> None:
            show(ticket)
            codes_when_shown.append(list(shown_codes))

        app._display = displayed  # type: ignore[method-assign,assignment]
        app.show_result = show_result  # type: ignore[method-assign]
        await until(
            lambda: (
                "Waiting for Desk 1: 4" in str(screen.query_one("#waiting-title", Static).content)
            )
        )
        await settled(pilot)  # nothing else to draw when the key comes (a person's pace)
        await pilot.press("n")
        await settled(pilot)
        await until(lambda: screen.query_one(BigCode).code != "----")
        code = screen.query_one(BigCode).code
    assert codes_when_shown and codes_when_shown[0][-1] == code


async def test_a_fault_in_the_faster_frame_draws_textuals_frame_instead(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the faster partial update never takes the desk down: that frame is drawn
    Textual's own way, with every change in it."""
    from oss_desk.ui import compositor

    def broken(region: Region, cover: Region) -> list[Region]:
        raise RuntimeError("a bug in the faster frame")

    monkeypatch.setattr(compositor, "_outside", broken)
    monkeypatch.setattr(base, "LineCompositor", Checked)
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        await pilot.press("n")
        await until(lambda: screen.query_one(BigCode).code != "----")
        await settled(pilot)
        assert app.is_running and app.screen is screen
        shown = frames(screen)
    assert shown and any("C001" in ours for ours, _, _, _ in shown)
    for ours, theirs, _, _ in shown:
        assert cells(ours) == cells(theirs)


async def test_frames_under_toasts_and_a_dialog_are_textuals(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Toasts over the desk (their own layer) and help opened over it: every partial frame is
    the one Textual would write."""
    monkeypatch.setattr(base, "LineCompositor", Checked)
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True, tooltips=True) as pilot:
        screen = await adviser_desk(app)
        for n, key in enumerate("nqnrq"):
            app.notify(f"a note over the desk {n}", timeout=30)
            await pilot.press(key)
            await settled(pilot)
        await pilot.press("f1")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("n")
        await until(lambda: screen.query_one(BigCode).code != "----")
        await settled(pilot)
        shown = frames(screen)
    assert shown
    for ours, theirs, _, _ in shown:
        assert cells(ours) == cells(theirs)


def tint_both(segments: list[Segment], color: Color) -> tuple[list[Segment], list[Segment]]:
    ours = list(TintedOnce.process_segments(segments, color))
    return ours, list(BackgroundScreen.process_segments(segments, color))


def test_each_style_is_tinted_as_textual_tints_it() -> None:
    """Beneath a see-through screen: every piece in the style Textual's own tint gives it
    (colours, attributes, links and meta dropped), a control piece untouched, for a dimmed
    background and a transparent one, the second time a style is met as the first."""
    styles = [
        None,
        Style(),
        Style(color="red"),
        Style(bgcolor="#102030"),
        Style(color="#FFFFFF", bgcolor="black", bold=True, underline=True),
        Style(color="green", link="https://example.org/a"),
        Style.from_meta({"@click": "app.bell"}) + Style(color="blue"),
        Style(reverse=True, dim=True),
    ]
    segments = [Segment(f"{n}x", style) for n, style in enumerate(styles)]
    segments.append(Segment("", None, [(ControlType.HOME,)]))
    for color in (Color(12, 20, 40, 0.6), Color(0, 0, 0, 0), Color(255, 255, 255, 0.25)):
        for _ in range(2):  # the second time from what was worked out the first
            ours, theirs = tint_both(segments, color)
            assert len(ours) == len(theirs) == len(segments)
            for mine, textuals in zip(ours, theirs, strict=True):
                assert mine.text == textuals.text and mine.control == textuals.control
                assert repr(mine.style) == repr(textuals.style)
                assert (mine.style and mine.style.link) == (textuals.style and textuals.style.link)
                assert (mine.style and mine.style.meta) == (textuals.style and textuals.style.meta)


async def test_the_desk_beneath_a_dialog_is_drawn_as_textual_draws_it(
    office: Path, make_app: AppFactory
) -> None:
    """A dialog over a real desk (a note, at the adviser's desk with a resident called): the
    dimmed desk beneath, drawn whole, is Textual's, cell by cell."""
    app = make_app(office, "desk-1", person="ben", scan_pause=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await settled(pilot)
        dialog = await pressed_to(pilot, Dialog, "o")  # (its flow waits for it: never settled)
        await until(lambda: app.focused is not None and app.focused.screen is dialog)
        await pilot.pause()
        desk: Screen[Any] = screen  # beneath the dialog (each render takes it off the stack)
        visible_screen_stack.set([desk])
        ours = dialog.render()
        assert isinstance(ours, TintedOnce)
        visible_screen_stack.set([desk])
        theirs = Screen.render(dialog)
        assert type(theirs) is BackgroundScreen
        console = app.console
        options = console.options.update_dimensions(100, 30)
        mine, textuals = (list(console.render(r, options)) for r in (ours, theirs))
        # The note's flow ended before the app closes (closed mid-flow, it is cancelled).
        await pressed_to(pilot, AdviserScreen, "escape")
        await settled(pilot)
    assert "C001" in "".join(s.text for s in textuals)
    assert [(s.text, repr(s.style), s.control) for s in mine] == [
        (s.text, repr(s.style), s.control) for s in textuals
    ]
