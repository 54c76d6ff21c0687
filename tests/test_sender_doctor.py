"""``doctor`` grades the mail server and Notify no better than the worker last found them: a
Notify that answers here but refused the worker's key is a failure, not "ok"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import format_instant

from .appointments_site import NOW
from .conftest import Cli
from .messaging import NotifyServer
from .test_messages import book_text, deliver, notify_office


def doctor_line(db: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    result = Cli(db, monkeypatch)("doctor", now=format_instant(NOW + timedelta(minutes=5)))
    (line,) = [x for x in result.out.splitlines() if x.split()[1:2] == [name]]
    return line


@pytest.mark.parametrize(
    ("answer", "level", "found"),
    [
        ("403", "fail", "Notify refused the key or the clock is over 30 s out (403) since 10:00"),
        ("429", "warn", "Notify's rate limit (429) since 10:00 (1 waiting)"),
        ("201", "ok", "ok"),
    ],
)
def test_doctor_grades_notify_by_what_the_worker_last_found(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    level: str,
    found: str,
) -> None:
    db = notify_office(tmp_path, notify)
    book_text(db)
    notify.state.script = [answer]
    deliver(db, NOW)
    line = doctor_line(db, monkeypatch, "notify")
    assert line.split()[0] == level, line
    assert line.endswith(f"reachable; the worker last found: {found}"), line
