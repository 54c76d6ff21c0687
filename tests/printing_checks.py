"""Checks on what a printer was given, shared by the printing tests."""

from __future__ import annotations

import time
from datetime import timedelta

from oss_desk.clock import FixedClock
from oss_desk.worker.printing import PrintDelivery

from .escpos_decoder import decode, text_lines
from .hardware.fakes import HEALTHY, FakePrinter


def paper_in_prints_once_without_copy(
    printer: FakePrinter, delivery: PrintDelivery, clock: FixedClock, code: str = "C001"
) -> None:
    """Paper is put back in and the retry falls due: the ticket prints once, not marked COPY
    (no byte left the first time, so it is no copy)."""
    printer.replies = dict(HEALTHY)
    clock.set(clock.now() + timedelta(seconds=5))
    assert delivery.deliver_due().printed == 1
    # The worker records the job printed on the printer's confirmation; the fake printer keeps
    # it once the connection has closed, a moment later.
    deadline = time.monotonic() + 20
    while not printer.jobs:
        assert time.monotonic() < deadline, "the printer never kept the ticket"
        time.sleep(0.01)
    ((job,),) = [printer.jobs]
    lines = text_lines(decode(job))
    assert code in lines and "COPY" not in lines, lines
