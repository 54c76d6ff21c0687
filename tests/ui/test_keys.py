"""A key row says who may press it: the screens' role checks are built from their keys."""

from __future__ import annotations

import pytest
from textual.binding import Binding, BindingType

from oss_desk.domain.access import Action
from oss_desk.ui.keys import Keys, role_actions
from oss_desk.ui.screens.greet import GreetScreen

key = Keys("test")


def test_the_role_check_is_read_off_the_keys() -> None:
    rows: list[BindingType] = [
        key("b", "book", "Book", "Book one", may=Action.BOOK_APPOINTMENT),
        key(
            "enter", "screen.issue", "Issue", "Issue a ticket", id="issue", may=Action.ISSUE_TICKET
        ),
        key("[", "shift(-1)", "Earlier", "The day before", id="earlier", may=Action.VIEW_REPORTS),
        key("slash", "search", "Search", "Anyone may search"),
        Binding("escape", "clear", "Clear"),
        key.find_ticket(),
    ]
    assert role_actions(rows) == {
        "book": Action.BOOK_APPOINTMENT,
        "issue": Action.ISSUE_TICKET,
        "shift": Action.VIEW_REPORTS,
        "find": Action.FIND_TICKET,
    }


def test_one_action_asks_for_one_permission() -> None:
    same = [key("r", "reprint", "Reprint", "Again", may=Action.REPRINT)]
    twice = [key("p", "reprint", "Reprint", "Again", id="again", may=Action.REPRINT)]
    assert role_actions(same, twice) == {"reprint": Action.REPRINT}
    other = [key("p", "reprint", "Reprint", "Again", id="again", may=Action.VIEW_REPORTS)]
    with pytest.raises(ValueError, match="reprint"):
        role_actions(same, other)


def test_a_key_of_a_widget_counts_for_its_screen() -> None:
    # Enter on the service list issues the ticket (``screen.issue``): the greeting screen's
    # role check covers it.
    assert GreetScreen.ROLE_ACTIONS["issue"] is Action.ISSUE_TICKET
    assert "search" not in GreetScreen.ROLE_ACTIONS
