"""The demo's ready message counts the residents the live queue shows waiting (as ``oss-desk
queue`` does), not the tickets the demo meant to leave: at 11:00 on a weekday the residents
with appointments due soon have checked in as well."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Cli


@pytest.mark.parametrize("now", ["2026-11-27T11:00:00Z", "2026-11-28T16:50:00Z"])
def test_the_ready_message_counts_what_the_queue_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str
) -> None:
    """A Friday morning and a Saturday afternoon (the office closed)."""
    cli = Cli(tmp_path / "demo" / "oss-desk-demo.sqlite", monkeypatch)
    built = cli("--db", str(cli.db), "demo", "--no-app", "--days", "2", now=now)
    assert built.code == 0, built.err
    said = re.search(r"(\d+) residents? waiting now", built.out)
    assert said is not None, built.out
    queue = cli("--db", str(cli.db), "queue", now=now)
    assert queue.code == 0, queue.err
    shown = re.search(r"^Waiting \((\d+)\)$", queue.out, re.M)
    assert shown is not None, queue.out
    assert said.group(1) == shown.group(1)
