"""The team leader's Z is named for what it does: where a desk opens only when someone logs in
there (``queue.staffed_desks_only``), "Close desk" (it said "Close/open desk", and opening was
refused: "it opens when someone logs in there"); elsewhere "Close/open desk". The key bar and
F1 say it the same way (``key_bar.key_words``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.ui.widgets.key_bar import key_words

from .conftest import AppFactory, leader_queue


@pytest.mark.parametrize(
    ("fixture", "said"),
    [("counter_office", "Close desk"), ("office", "Close/open desk")],
)
async def test_z_says_what_it_does(
    fixture: str, said: str, make_app: AppFactory, request: pytest.FixtureRequest
) -> None:
    db: Path = request.getfixturevalue(fixture)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(160, 36), notifications=True) as pilot:
        await leader_queue(pilot, 4)
        active = app.screen.active_bindings["z"]
        assert key_words(active.node, active.binding) == said
