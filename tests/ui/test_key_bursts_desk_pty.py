"""Trial 10, W4, as tmux sent it: keys written to the real desk's terminal in one write right
after a key that changes the desk's state act on the state it made: "ns" starts the resident N
called, and "f14n" finishes, records the resident's rating 4, then calls the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import rows
from .test_key_bursts_pty import Desk, desk, office, status, until

pytestmark = pytest.mark.slow

__all__ = ["desk", "office"]  # the fixtures, used here by name


def test_n_s_then_f_1_4_n_each_in_one_write(office: Path, desk: Desk) -> None:
    desk.type("ns")
    until(lambda: status(office, 1) == "serving", 20, f"S lost:\n{desk.text()[-1500:]}")
    assert "Nobody is at" not in desk.text()
    desk.type("f14n")
    until(lambda: status(office, 2) == "called", 20, f"N lost:\n{desk.text()[-1500:]}")
    until(lambda: rows(office, "SELECT rating FROM visit_ratings") == [(4,)], 10, "not rated")
    assert status(office, 1) == "done"


def test_escape_and_a_key_read_together_close_the_dialog_then_act(office: Path, desk: Desk) -> None:
    """Trial 10, P5: Esc then N, 0.15 s apart, did nothing to a box open at a desk busy for a
    moment: the terminal's bytes for Esc and N, read together, are what a terminal sends for
    Alt+N, a key the desk has no use for. They are Esc and N: the box closes, then N acts."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("x")
    desk.wait_for("the resident has not come?")
    desk.type("\x1br")  # Esc, then R (call again), in one write
    recalls = "SELECT recalls FROM tickets WHERE id = 1"
    until(lambda: rows(office, recalls) == [(1,)], 20, f"R lost:\n{desk.text()[-1500:]}")
    assert status(office, 1) == "called"


OUTCOME_ASKED = "what was the outcome?"
"""The finish box's question (F)."""


def test_escape_then_3_in_one_write_closes_the_form_then_rates_3(office: Path, desk: Desk) -> None:
    """Review 16, 1: Esc then 3, read together, were one key (``pound_sign``: the bytes of
    macOS's Option+3), and both were lost. Finished as a ring-back (5), Esc closes the ring-back
    form, then 3 is the resident's rating."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("f5")
    desk.wait_for("needed to ring back")
    desk.type("\x1b3")
    rated = "SELECT rating FROM visit_ratings"
    until(lambda: rows(office, rated) == [(3,)], 20, f"not rated:\n{desk.text()[-1500:]}")
    assert rows(office, "SELECT count(*) FROM followups") == [(0,)]


def test_escape_then_f_in_one_write_closes_the_box_then_finishes(office: Path, desk: Desk) -> None:
    """Esc then F, read together, were Ctrl+Right (a key the desk does not use): both lost.
    Esc closes the no-show box, then F opens the finish box."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("x")
    desk.wait_for("the resident has not come?")
    desk.type("\x1bf")
    desk.wait_for(OUTCOME_ASKED)
    desk.type("1")
    until(lambda: status(office, 1) == "done", 20, f"not finished:\n{desk.text()[-1500:]}")


def test_escape_then_enter_in_one_write_closes_the_box_without_confirming(
    office: Path, desk: Desk
) -> None:
    """Esc then Enter, read together, were Enter alone: the Esc was lost and Enter picked the
    outcome highlighted in the box the adviser meant to close. Esc closes the finish box (no
    outcome), Enter does nothing at the desk, and R then calls the resident again."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("f")
    desk.wait_for(OUTCOME_ASKED)
    desk.type("\x1b\r")
    desk.type("r")
    recalls = "SELECT recalls FROM tickets WHERE id = 1"
    until(lambda: rows(office, recalls) == [(1,)], 20, f"R lost:\n{desk.text()[-1500:]}")
    assert status(office, 1) == "called"
