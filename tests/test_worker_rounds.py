"""Each worker round that is not a device's lane is never fatal, from the building of its
service on: a fault while a round's service is being built (its senders made from the settings,
the report's offices opened) is logged and the round skipped, as a fault in its work is; it
never escapes the round (it did for the referral messages and the daily rollup, built before
the guard)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import ConfigError
from oss_desk.services.followup_messages import Sent
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TextReport
from oss_desk.worker import rounds

from .conftest import MONDAY_0930, make_db, site_toml


@pytest.mark.parametrize(
    ("built", "round_", "default"),
    [
        ("FollowupMessageDelivery", rounds.referral_messages, Sent()),
        ("TurnTexts", rounds.turn_texts, TextReport()),
        ("ReportService", rounds.fill_rollup, None),
    ],
)
def test_a_fault_while_a_rounds_service_is_built_is_not_fatal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    built: str,
    round_: Any,
    default: object,
) -> None:
    real = getattr(rounds, built)

    class Faulty(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise ConfigError("a setting it is built from is wrong")

    monkeypatch.setattr(rounds, built, Faulty)
    # A desk app's standby in this process may have sent the worker's log to its own file only.
    monkeypatch.setattr(logging.getLogger("oss_desk.worker"), "propagate", True)
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="worker", host=True)
    try:
        with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
            assert round_(session) == default
    finally:
        session.close()
    assert "a setting it is built from is wrong" in caplog.text
