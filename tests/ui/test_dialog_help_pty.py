"""F1 in a dialog at the real desk, in a pseudo-terminal, the keys as a terminal's bytes (F1 is
ESC O P): typed in one write with the key that opens the box, and followed by Esc and a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import rows
from .test_key_bursts_pty import Desk, desk, office, status, until

pytestmark = pytest.mark.slow

__all__ = ["desk", "office"]  # the fixtures, used here by name


def test_f_and_f1_then_escape_and_1_each_in_one_write(office: Path, desk: Desk) -> None:
    """F and F1 in one write show the finish box's help (F1 waited for the box the F opened);
    Esc and 1 in one write close the help and finish the visit as resolved in the box."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("f\x1bOP")  # F, then F1
    desk.wait_for("Help: Finish C001")
    desk.type("\x1b1")  # Esc, then 1
    finished = "SELECT status, outcome FROM tickets WHERE id = 1"
    until(
        lambda: rows(office, finished) == [("done", "resolved")],
        20,
        f"not finished:\n{desk.text()[-1500:]}",
    )
