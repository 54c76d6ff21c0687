"""The Follow-ups mode (Ctrl+F) driven with Pilot: a follow-up opened by finishing a visit with
"callback" or "referred", taken, tried and done from the keyboard; records acknowledged and
answered; a meet-and-greet login never sees complaints; a bad due date refused in the form with
nothing made; the team leader's line; F1 lists the keys. Checked in the database and the event
log."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, RadioButton, RadioSet

from oss_desk.clock import FixedClock
from oss_desk.domain.followups import Kind
from oss_desk.domain.models import Actor
from oss_desk.services.followups import FollowupService, Request
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.commands import DeskCommands
from oss_desk.ui.dialogs import ChoiceDialog, HelpScreen, OutcomeDialog
from oss_desk.ui.dialogs.followups import FollowupDialog, RespondDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.followups import HIGHLIGHT_FIRST, FollowupsScreen
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import MONDAY_0930
from .conftest import (
    AppFactory,
    acting,
    followups_office,
    kept_notices,
    pressed_to,
    rows,
    settled,
    until,
)

NAME, PHONE = "Wilhelmina Canarybird", "07700 900417"


@pytest.fixture
def office(migrated: Path, tmp_path: Path) -> Path:
    db = followups_office(migrated, tmp_path)
    with acting(db, person="gil") as session:
        QueueService(session).issue("C", print_ticket=False)
        FollowupService(session).add(
            Request(kind="ringback", service="W", name=NAME, phone=PHONE, topic="bins")
        )
        FollowupService(session, Actor("tl")).add(Request(kind="complaint", category="staff"))
    return db


def followups(db: Path) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT ref, kind, service_code, visit_id, status, owner, attempts FROM followups "
        "ORDER BY id",
    )


async def open_followups(app: OssDeskApp, pilot: object) -> FollowupsScreen:
    await until(lambda: app.snapshot is not None)
    await pilot.press("ctrl+f")  # type: ignore[attr-defined]
    await until(lambda: isinstance(app.screen, FollowupsScreen) and app.screen.loads > 0)
    screen = app.screen
    assert isinstance(screen, FollowupsScreen)
    return screen


def buttons(dialog: Screen[Any], group_id: str) -> list[tuple[str, bool]]:
    """A radio set's choices as shown: each button's words and whether it is chosen."""
    group = dialog.query_one(f"#{group_id}", RadioSet)
    return [(str(button.label), button.value) for button in group.query(RadioButton)]


def listed(screen: FollowupsScreen) -> list[str]:
    table = screen.query_one("#followup-table", DataTable)
    return [str(table.get_row(key)[0]) for key in table.rows]


def in_order(screen: FollowupsScreen) -> list[str]:
    """The references as the list shows them, top to bottom."""
    table = screen.query_one("#followup-table", DataTable)
    return [str(table.get_row(row.key)[0]) for row in table.ordered_rows]


async def finished_as(pilot: Pilot[None], office: Path, outcome_key: str) -> FollowupDialog:
    """At Desk 1: N calls the resident, F finishes, ``outcome_key`` picks the outcome that
    arranges a follow-up; its form."""
    app = pilot.app
    assert isinstance(app, OssDeskApp)
    await until(lambda: app.snapshot is not None and isinstance(app.screen, AdviserScreen))
    await pilot.press("n")
    await until(lambda: rows(office, "SELECT status FROM tickets") == [("called",)])
    await pressed_to(pilot, OutcomeDialog, "f")
    form = await pressed_to(pilot, FollowupDialog, outcome_key)
    await until(lambda: form.is_mounted)  # on top before its fields are: they are now
    return form


async def test_finishing_with_callback_opens_the_ring_back(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        form = await finished_as(pilot, office, "5")  # callback
        assert form.query_one("#fu-service", Input).value == "C"  # the visit's service
        form.query_one("#fu-phone", Input).value = "07700 900111"
        await pilot.press("ctrl+s")
        await until(lambda: len(followups(office)) == 3)
        assert followups(office)[-1] == ("CB-0002", "ringback", "C", 1, "open", None, 0)
        assert rows(office, "SELECT outcome FROM visits") == [("callback",)]
        await until(lambda: isinstance(app.screen, AdviserScreen))  # a key's hold may linger


async def test_finishing_referred_opens_the_referral(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        form = await finished_as(pilot, office, "3")  # referred
        # The ways a reference reaches the resident, in Preferred's words, the slip first:
        # only the slip, as this office has set up neither email nor texts; and this desk has
        # no printer, so the slip is marked as the booking form marks it, and not chosen.
        assert buttons(form, "fu-send") == [("Printed slip (not set up here)", False)]
        form.query_one("#fu-office", OptionList).highlighted = 1  # Housing options
        await pilot.press("ctrl+s")
        await until(lambda: len(followups(office)) == 3)
        assert rows(office, "SELECT ref, back_office, service_code, send_by FROM followups")[
            -1
        ] == (
            "R-0001",
            "housing",
            "C",
            "slip",
        )


async def test_a_referral_offers_a_text_only_where_texts_are_set_up(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Texts set up (here Notify's capture, as the demo's virtual phone), email not: the form
    offers the slip and a text, and a text chosen is sent (review: a text was offered, and
    refused on saving, where texts are not set up; ``domain.channels`` says which are)."""
    notify = f'[notify]\nbase_url = "capture://{tmp_path}/notify.jsonl"\n'
    db = followups_office(migrated, tmp_path, extra=notify)
    app = make_app(db, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("2")  # referral
        await until(lambda: isinstance(app.screen, FollowupDialog))
        form = app.screen
        assert isinstance(form, FollowupDialog)
        # desk-1 has no printer: the slip is marked and cannot be chosen; a text, the only way
        # that works here, is chosen already.
        slip = "Printed slip (not set up here)"
        assert buttons(form, "fu-send") == [(slip, False), ("Text", True)]
        assert form.query_one("#fu-send-slip", RadioButton).disabled
        form.query_one("#fu-service", Input).value = "C"
        form.query_one("#fu-office", OptionList).highlighted = 0
        # A landline cannot take the text: refused in the form, in the words every text's
        # number is refused in (it queued a text to it), and nothing is made.
        form.query_one("#fu-phone", Input).value = "01632 960000"
        await pilot.press("ctrl+s")
        error = form.query_one("#fu-error")
        await until(lambda: "does not start 07" in str(error.render()))
        assert "a UK mobile number is 11 digits starting 07" in str(error.render())
        assert rows(db, "SELECT send_by FROM followups") == []
        form.query_one("#fu-phone", Input).value = PHONE
        await pilot.press("ctrl+s")
        await until(lambda: rows(db, "SELECT send_by FROM followups") == [("text",)])


async def test_a_referral_at_a_desk_with_no_printer_is_never_a_slip_by_default(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Email and texts set up, no printer at desk-1: nothing is chosen, the form asks for a
    choice rather than saving a slip nothing prints (the resident left with no reference);
    at greet-1, with a printer, the slip is chosen already. The booking form marks and
    chooses the same way (``BookingChannels.chosen``, ``label``)."""
    from oss_desk.domain.appointments import Preferred
    from oss_desk.domain.channels import BookingChannels

    notify = (
        f'[notify]\nbase_url = "capture://{tmp_path}/notify.jsonl"\n'
        '[email]\nsmtp_url = "smtp://127.0.0.1:1"\nfrom_address = "desk@test.example"\n'
    )
    db = followups_office(
        migrated, tmp_path, extra=notify, printer=f"capture://{tmp_path / 'greet.escpos'}"
    )
    app = make_app(db, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        form = await pressed_to(pilot, FollowupDialog, "2")  # referral
        slip = "Printed slip (not set up here)"
        assert buttons(form, "fu-send") == [(slip, False), ("Email", False), ("Text", False)]
        channels = form.choices.channels
        assert channels.label(Preferred.SLIP) == slip  # the booking form's word for it
        assert channels.chosen(tuple(Preferred)) is None  # nor does the booking form choose
        form.query_one("#fu-service", Input).value = "C"
        form.query_one("#fu-office", OptionList).highlighted = 0
        await pilot.press("ctrl+s")
        error = form.query_one("#fu-error")
        await until(lambda: "choose how the reference" in str(error.render()))
        assert app.screen is form
        assert rows(db, "SELECT count(*) FROM followups") == [(0,)]
    assert (
        BookingChannels(email=True, texts=True, printer=True).chosen(
            (Preferred.SLIP, Preferred.EMAIL), first=Preferred.SLIP
        )
        is Preferred.SLIP
    )
    app = make_app(db, "greet-1", person="gil")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        form = await pressed_to(pilot, FollowupDialog, "2")  # referral
        assert buttons(form, "fu-send") == [
            ("Printed slip", True),
            ("Email", False),
            ("Text", False),
        ]


async def test_a_due_date_in_the_past_is_refused_in_the_form(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        form = await pressed_to(pilot, FollowupDialog, "1")  # ring-back
        form.query_one("#fu-service", Input).value = "C"
        form.query_one("#fu-phone", Input).value = PHONE
        form.query_one("#fu-due", Input).value = "2026-11-20"
        before = followups(office)
        await pilot.press("ctrl+s")
        error = form.query_one("#fu-error")
        await until(lambda: "in the past" in str(error.render()))
        assert "due date 2026-11-20 is in the past (today is 2026-11-23)" in str(error.render())
        assert app.screen is form  # nothing typed is lost
        assert form.query_one("#fu-phone", Input).value == PHONE
        assert followups(office) == before
        await pilot.press("escape")
        await until(lambda: app.screen is screen)


async def test_take_try_and_done(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        assert listed(screen) == ["CB-0001"]  # an adviser: no complaint
        await pilot.press("t")
        await until(lambda: followups(office)[0][5] == "ana")
        await pressed_to(pilot, ChoiceDialog, "a")
        await pilot.press("n")  # no answer
        await until(lambda: followups(office)[0][6] == 1)
        await until(lambda: screen.check_action("unreachable", ()) is True)
        await pilot.press("d")
        await until(lambda: followups(office)[0][4] == "done")
        logged = rows(
            office,
            "SELECT kind, actor, desk_id, data FROM events WHERE kind LIKE 'followup_%' "
            "AND actor = 'ana' ORDER BY id",
        )
        assert [(k, a, d) for k, a, d, _ in logged] == [
            ("followup_taken", "ana", "desk-1"),
            ("followup_attempted", "ana", "desk-1"),
            ("followup_done", "ana", "desk-1"),
        ]
        assert all(json.loads(str(data))["ref"] == "CB-0001" for *_, data in logged)
        # The panel showed the resident's name and number: read once, and the read recorded.
        await until(lambda: NAME in str(screen.query_one("#followup-detail").render()))
        viewed = rows(office, "SELECT actor, data FROM events WHERE kind = 'personal_data_viewed'")
        assert len(viewed) == 1 and viewed[0][0] == "ana"
        assert json.loads(str(viewed[0][1]))["fields"] == ["name", "phone", "topic"]
        # Done today: still listed, at the end, marked closed.
        await until(lambda: screen.check_action("done", ()) is None)


async def test_meet_and_greet_cannot_see_complaints(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", person="gil")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        assert listed(screen) == ["CB-0001"]
        assert "complaints" not in str(screen.query_one("#followup-summary").render())
        for action in ("respond",):
            assert screen.check_action(action, ()) is False  # hidden, not just dimmed
        await pilot.press("r")
        await settled(pilot)
        assert app.screen is screen  # no answer dialog
        await pressed_to(pilot, ChoiceDialog, "f")
        offered = app.screen.query_one(OptionList)
        labels = [str(offered.get_option_at_index(i).prompt) for i in range(offered.option_count)]
        assert labels == ["0  All kinds", "1  Ring-backs", "2  Referrals"]
        await pilot.press("escape")
        # Recording one is allowed; seeing it afterwards is not.
        await pressed_to(pilot, ChoiceDialog, "n")
        await pressed_to(pilot, FollowupDialog, "5")
        assert buttons(app.screen, "fu-channel") == [
            ("In person", True),
            ("Phone", False),
            ("Letter", False),
            ("Email", False),
            ("Web", False),
        ]
        await pilot.press("ctrl+s")
        await until(lambda: len(followups(office)) == 3)
        await until(lambda: screen.loads > 1 and app.screen is screen)
        await settled(pilot)
        assert listed(screen) == ["CB-0001"]


async def test_team_leader_acknowledges_and_answers(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        assert sorted(listed(screen)) == ["CB-0001", "OTR-0001"]
        table = screen.query_one("#followup-table", DataTable)
        table.move_cursor(row=listed(screen).index("OTR-0001"))
        await until(lambda: screen.selected() is not None and screen.selected().ref == "OTR-0001")  # type: ignore[union-attr]
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("k")
        await until(
            lambda: rows(office, "SELECT status FROM followups WHERE id = 2") == [("acknowledged",)]
        )
        said = f"OTR-0001: {Kind.COMPLAINT.acknowledged}"  # the word `followup ack` says too
        await until(lambda: said in told)
        await pilot.press("k")  # twice: the key is dimmed now, nothing changes
        await settled(pilot)
        assert rows(office, "SELECT count(*) FROM events WHERE kind = 'followup_acknowledged'") == [
            (1,)
        ]
        await pressed_to(pilot, RespondDialog, "r")
        dialog = app.screen
        assert buttons(dialog, "fu-finding") == [
            ("Justified", False),
            ("Partly justified", False),
            ("Not justified", False),
        ]
        await pilot.press("ctrl+s")  # no outcome yet: refused in the dialog
        await until(lambda: "give its outcome" in str(dialog.query_one("#fu-error").render()))
        dialog.query_one("#fu-finding-justified", RadioButton).value = True
        dialog.query_one("#fu-taken-yes", RadioButton).value = True
        await pilot.press("ctrl+s")  # action taken, but what? refused, as the CLI refuses it
        await until(lambda: "say what was done" in str(dialog.query_one("#fu-error").render()))
        assert rows(office, "SELECT status FROM followups WHERE id = 2") == [("acknowledged",)]
        dialog.query_one("#fu-action", Input).value = "Apology and training"
        await pilot.press("ctrl+s")
        await until(lambda: app.screen is screen)
        assert rows(office, "SELECT status, finding, action_taken FROM followups WHERE id = 2") == [
            ("done", "justified", 1)
        ]


async def test_the_highlight_stays_on_the_one_acknowledged(
    office: Path, make_app: AppFactory
) -> None:
    """K moves a complaint down the list (to its answer-by date): the highlight goes with it, so
    R answers the one just acknowledged, not the one that took its place (third trial, C9)."""
    with acting(office, desk=None) as session:
        for _ in range(2):
            FollowupService(session).add(Request(kind="complaint", category="delay"))
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        assert in_order(screen) == ["CB-0001", "OTR-0001", "OTR-0002", "OTR-0003"]
        table = screen.query_one("#followup-table", DataTable)
        table.move_cursor(row=1)
        await until(lambda: screen.selected() is not None and screen.selected().ref == "OTR-0001")  # type: ignore[union-attr]
        await pilot.press("k")
        await until(lambda: in_order(screen) == ["CB-0001", "OTR-0002", "OTR-0003", "OTR-0001"])
        await settled(pilot)
        assert table.cursor_row == 3
        dialog = await pressed_to(pilot, RespondDialog, "r")
        assert dialog.title_text == "Answer OTR-0001 (complaint)"


async def test_keys_on_the_highlighted_one_say_so_when_none_is(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        loads = screen.loads
        await pilot.press("o")  # "mine": the team leader has taken none
        await until(lambda: screen.loads > loads and listed(screen) == [])
        await settled(pilot)
        kept = kept_notices(app)  # each kept: a toast shown 5 s leaves before a slow test ends

        def said(times: int) -> Callable[[], bool]:
            return lambda: kept.count(HIGHLIGHT_FIRST) == times

        for n, key in enumerate(("a", "r", "d", "t", "k", "u"), start=1):
            await pilot.press(key)  # dimmed: says why rather than nothing
            await until(said(n))
        # Chosen in the command palette (Ctrl+P): the same words.
        palette = {name: run for name, _, run in DeskCommands(screen)._entries()}
        for n, name in enumerate(("Try (a)", "Answer (r)"), start=7):
            await palette[name]()
            await until(said(n))
        # The actions themselves, should one run with nothing highlighted: the same words.
        for n, run in enumerate((screen.action_attempt, screen.action_respond), start=9):
            run()
            await until(said(n))
            await settled(pilot)  # its flow over, as the key line waits for it before a key
        assert app.screen is screen  # no dialog opened
        assert followups(office)[0][5] is None  # nothing taken


async def test_at_80_columns_the_list_fits_and_the_details_go_below(
    office: Path, make_app: AppFactory
) -> None:
    # a long service name, and a ring-back taken by someone
    with acting(office, person="ana", desk=None) as session:
        svc = FollowupService(session, Actor("ana"))
        svc.add(Request(kind="ringback", service="H", name=NAME, phone=PHONE, topic="rent"))
        svc.take(svc.add(Request(kind="ringback", service="C", name=NAME, phone=PHONE)).followup.id)
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        table = screen.query_one("#followup-table", DataTable)
        detail = screen.query_one("#followup-detail")
        await until(lambda: table.row_count == 4)
        long = "Housing - homelessness"

        def cells(column: str) -> list[str]:
            return [str(table.get_cell(key, column)) for key in table.rows]

        def fits() -> bool:
            return table.virtual_size.width <= table.scrollable_content_region.width

        await until(fits)
        assert screen.has_class("-narrow") and detail.region.y > table.region.y  # below
        for column in table.columns.values():  # every heading whole
            assert column.get_render_width(table) - 2 * table.cell_padding >= len(column.label)
        assert long not in cells("service")
        assert any(c.endswith("…") and long.startswith(c[:-1]) for c in cells("service"))
        assert sorted(cells("ref")) == ["CB-0001", "CB-0002", "CB-0003", "OTR-0001"]
        assert all(len(c) == len("Tue 24 Nov") for c in cells("due"))  # whole
        # The panel below says in full what the list shortened.
        table.move_cursor(row=listed(screen).index("CB-0002"))
        await until(lambda: long in str(detail.render()))
        # Wider: the details beside the list again, and every name whole.
        await pilot.resize_terminal(160, 36)
        await until(lambda: long in cells("service"))
        await until(lambda: "Ana Adviser" in cells("owner"))
        assert not screen.has_class("-narrow") and detail.region.x > table.region.x
        await until(fits)
        await pilot.resize_terminal(80, 24)  # and back: fitted again
        await until(lambda: long not in cells("service"))
        await until(fits)


async def test_the_team_leader_sees_due_and_overdue(office: Path, make_app: AppFactory) -> None:
    clock = FixedClock(MONDAY_0930.replace(day=24, hour=10))  # Tuesday: the ring-back is due
    app = make_app(office, "desk-1", person="tl", clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f4")
        await until(
            lambda: (
                isinstance(app.screen, LeaderScreen)
                and app.snapshot is not None
                and app.snapshot.figures is not None
            )
        )
        line = str(app.screen.query_one("#figures").render())
        assert "Follow-ups due today/overdue  ring-backs 1/0  referrals 0/0" in line
        assert "complaints 0/0" in line


async def test_help_lists_the_keys(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, HelpScreen, "f1")
        table = app.screen.query_one("#keys", DataTable)
        keys = {str(table.get_row(k)[1]) for k in table.rows}
        assert {"New", "Take", "Try", "Done", "Not reached", "Acknowledge", "Answer"} <= keys
        assert {"Kind", "Whose", "Follow-ups"} <= keys
        # The clock's rule as the README gives it: an office open at weekends counts them
        # (trial 10, C5: the help said "no weekends").
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        about = help_screen.about
        assert "working days: the days the office opens, less bank holidays" in about, about


def test_followups_snapshot(snap_compare, office: Path, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "desk-1", person="tl")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_followups(app, pilot)
        await until(lambda: "Wilhelmina" in str(screen.query_one("#followup-detail").render()))
        table = screen.query_one("#followup-table", DataTable)

        def measured() -> bool:  # the table has measured its rows (it does so when idle)
            return all(
                column.content_width >= max(len(str(c)) for c in table.get_column(key))
                for key, column in table.columns.items()
            )

        await until(measured)
        await settled(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


async def test_the_ring_back_form_names_the_service_beside_its_letter(
    office: Path, make_app: AppFactory
) -> None:
    """After a "callback" finish the form's Service field holds the visit's letter and says
    its name beside it (the trial read only "Service  C"); the name follows the letter as it
    is changed, and a letter that is no service here says so before saving."""
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        form = await finished_as(pilot, office, "5")  # callback
        letter, name = form.query_one("#fu-service", Input), form.query_one("#fu-service-name")
        await until(lambda: name.region.width > 0)
        assert (letter.value, str(name.render())) == ("C", "Council Tax")
        # Beside the letter, on its line, and shown whole.
        assert name.region.y == letter.region.y and name.region.x > letter.region.right - 1
        assert name.region.width >= len("Council Tax")
        letter.focus()
        await pilot.press("end", "backspace", "z")
        await until(lambda: "unknown" in str(name.render()))
        assert str(name.render()) == "unknown service 'Z'"
        await pilot.press("backspace", "w")  # lower case, as typed
        await until(lambda: str(name.render()) == "Waste")
        await pilot.press("backspace")
        await until(lambda: str(name.render()) == "")
        await pilot.press("W")
        await until(lambda: str(name.render()) == "Waste")
        form.query_one("#fu-phone", Input).value = PHONE
        await pilot.press("ctrl+s")
        await until(lambda: len(followups(office)) == 3)
        assert followups(office)[-1][:3] == ("CB-0002", "ringback", "W")


async def test_only_a_complaint_s_form_asks_its_stage(office: Path, make_app: AppFactory) -> None:
    """Stages are the complaints procedure's: a comment's or compliment's form has none."""
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        for key, asks in (("3", False), ("4", False), ("5", True)):
            await pilot.press("n")
            await until(lambda: isinstance(app.screen, ChoiceDialog))
            await pilot.press(key)
            await until(lambda: isinstance(app.screen, FollowupDialog))
            assert bool(app.screen.query("#fu-stage")) is asks, key
            await pilot.press("escape")
            await until(lambda: app.screen is screen)
        # A complaint made here says both its deadlines, as `followup add` does
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("5")
        await until(lambda: isinstance(app.screen, FollowupDialog))
        app.screen.query_one("#fu-service", Input).value = "C"
        app.screen.query_one("#fu-category", OptionList).highlighted = 0
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("ctrl+s")
        await until(lambda: app.screen is screen)
        await until(
            lambda: any("complaint, acknowledge by" in m and ", answer by" in m for m in told)
        )


async def test_a_key_typed_while_a_follow_up_saves_acts_after_it_is_said(
    office: Path, make_app: AppFactory
) -> None:
    """The follow-ups' flows run under the key hold, as every other screen's do: an N typed
    while T (take) waits for its turn to save cancelled T's flow, and "taken" was never said."""
    from oss_desk.ui.dialogs.hold import KeyHold

    from .test_key_flows import another_writer, waits_for_turn

    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        await until(lambda: screen.selected() is not None)
        said = kept_notices(app)
        with another_writer(office):
            await pilot.press("t")
            await until(lambda: waits_for_turn(office))  # the take saves: it waits its turn
            await pilot.press("n")  # a new one: typed while the take waits
            assert isinstance(app.screen, KeyHold)  # kept
        await until(lambda: isinstance(app.screen, ChoiceDialog))  # N's first question
        assert any(m.endswith(": taken") for m in said), said


async def test_the_details_say_once_how_and_when_it_came_in(
    office: Path, make_app: AppFactory
) -> None:
    """Two lines began "Received" (when, then how): one says both now, as `followup show`."""
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        table = screen.query_one("#followup-table", DataTable)
        await until(lambda: table.row_count == 2)
        refs = [str(table.get_cell(key, "ref")) for key in table.rows]
        table.move_cursor(row=refs.index("OTR-0001"))
        detail = screen.query_one("#followup-detail")
        await until(lambda: "OTR-0001" in str(detail.render()))
        lines = str(detail.render()).splitlines()
        received = [line for line in lines if line.lower().startswith("received")]
        assert len(received) == 1 and received[0].startswith("Received in person, "), lines
        assert "Category: About a member of staff, stage 1" in lines


async def test_the_kind_question_says_its_numbers_pick(office: Path, make_app: AppFactory) -> None:
    """N's "What kind of follow-up?" is answered by a number at once: its hint says so (a new
    adviser's trial read only "Arrows and Enter" there), as the letter-keyed lists do theirs."""
    from textual.widgets import Static

    from oss_desk.domain.counter import choice_hint

    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_followups(app, pilot)
        kinds = await pressed_to(pilot, ChoiceDialog, "n")
        hint = str(kinds.query_one(".hint", Static).render())
        assert hint.startswith("A number, or arrows and Enter")
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, FollowupsScreen))
    assert choice_hint([("w", "W  wheelchair"), ("n", "N  no answer")]).startswith("A letter")
    assert choice_hint([("0", "0  All"), ("r", "R  ring-backs")]).startswith("A number or letter")
    arrows = "Arrows and Enter · Esc: back"
    assert choice_hint([("desk-1", "Desk 1"), ("desk-2", "Desk 2")]) == arrows
    assert choice_hint([("5", "C001  fetching a document")]) == arrows  # an id, not shown
