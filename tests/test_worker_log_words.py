"""The worker log says of a print job what the desks say of it (trial 6: P6): a printer that
cannot be asked (a device file, CUPS, ``status=off``) ends "sent to the printer", never
"printed"; one that confirmed it, "printed"."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import JOB_WORDS, PrintState
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, Cli, make_db, site_toml


@pytest.mark.parametrize(
    ("scheme", "state"), [("file", PrintState.SENT), ("capture", PrintState.PRINTED)]
)
def test_the_worker_log_uses_the_job_s_own_state_words(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    scheme: str,
    state: PrintState,
) -> None:
    paper = tmp_path / "lp0"
    paper.touch()
    db = make_db(tmp_path, site_toml(greet_printer=f"{scheme}://{paper}"))
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    worker = open_session(db=db, clock=clock, person="worker")
    try:
        ticket = QueueService(desk).issue("C").ticket
        with caplog.at_level(logging.INFO, logger="oss_desk.worker"):
            assert PrintDelivery(worker).deliver_due().printed == 1
    finally:
        worker.close()
        desk.close()
    assert paper.stat().st_size > 0
    words = JOB_WORDS[state]
    logged = [r.getMessage() for r in caplog.records if "(ticket," in r.getMessage()]
    assert len(logged) == 1 and logged[0].startswith(f"job 1 {words} (ticket, "), logged
    shown = Cli(db, monkeypatch)(
        "--user", "tl", "ticket", "show", ticket.code, now=MONDAY_0930.isoformat()
    )
    assert f"print job 1: {words}" in shown.out, shown.out
