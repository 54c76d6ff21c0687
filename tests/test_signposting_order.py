"""The signposting list keeps the configured order (the stored copy of the settings once sorted
its keys, which put "Another organisation" before "Police"): by default it ends with "Another
organisation", and a council's own order is kept as written."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.config_scorecard import DEFAULT_ORGANISATIONS
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, make_db, site_toml


def organisations(db: Path) -> list[str]:
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        return list(session.settings.signposting.organisations.values())
    finally:
        session.close()


def test_another_organisation_is_last_by_default(tmp_path: Path) -> None:
    shown = organisations(make_db(tmp_path, site_toml()))
    assert shown == list(DEFAULT_ORGANISATIONS.values())
    assert shown[-2:] == ["Police (non-emergency)", "Another organisation"]


def test_a_councils_own_order_is_kept(tmp_path: Path) -> None:
    extra = '\n[signposting.organisations]\nzz = "Zeta Trust"\naa = "Alpha Aid"\nmm = "Mid"\n'
    shown = organisations(make_db(tmp_path, site_toml().replace("[queue]", extra + "\n[queue]")))
    assert shown == ["Zeta Trust", "Alpha Aid", "Mid"]
