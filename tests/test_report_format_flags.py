"""``--json`` is ``--format json``: given with another ``--format`` it is refused (one line,
exit 2), not silently one of the two; with ``--format json`` (or alone) it is JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Cli, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "daily"),
        ("report", "monthly", "--month", "2026-11"),
        ("report", "quarterly"),
        ("report", "annual"),
        ("report", "period", "--from", "2026-11-23", "--to", "2026-11-23"),
        ("report", "comments"),
    ],
)
def test_two_formats_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    refused = cli(*args, "--format", "csv", "--json", now=NOW)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == "oss-desk: --json and --format csv ask for two formats: give one\n"
    for same in (("--json",), ("--format", "json", "--json"), ("--json", "--format", "json")):
        shown = cli(*args, *same, now=NOW)
        assert shown.code == 0, shown.err
        assert isinstance(json.loads(shown.out), dict)
