"""A desk app's worker logs to the log folder while its standby runs, and puts the worker's
logger back as it was when the standby closes: a process that ran a desk app's standby (a test,
or a desk app's later life) still hears the worker's log lines where it heard them before
(round 14: a test after one that started a desk app's standby captured nothing)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from oss_desk.paths import log_dir
from oss_desk.services.session import open_session
from oss_desk.worker.standby import desk_standby

from .conftest import make_db, site_toml


def test_a_desk_app_s_worker_log_is_put_back_as_it_was_when_its_standby_closes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("oss_desk.worker")
    before = (list(logger.handlers), logger.level, logger.propagate)
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, person="ben", desk_id="desk-1")
    standby = desk_standby(session, config=None, desk_id="desk-1")
    assert standby is not None
    try:
        assert standby.owning.wait(20)
        # While it runs, the desk's worker writes to its own log file, not the desk's screen.
        assert logger.propagate is False and len(logger.handlers) == len(before[0]) + 1
    finally:
        standby.close()
        session.close()
    assert "owns the devices" in (log_dir() / "worker.log").read_text(encoding="utf-8")
    assert (list(logger.handlers), logger.level, logger.propagate) == before
    with caplog.at_level(logging.INFO, logger="oss_desk.worker"):
        logger.info("heard after the standby closed")
    assert "heard after the standby closed" in caplog.messages
