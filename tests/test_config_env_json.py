"""A list or section given in the environment must be JSON (pydantic-settings reads it so):
one that is not is named, as its variable, with what it needs, in one line and exit 3 (trial
36). Before, the line blamed "the configuration stored in ..." with pydantic's words ("error
parsing value for field "reports" from source "EnvSettingsSource"") and sent the reader to the
configuration file. The real command in its own process, on a real database file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import make_db, run_cli_process, site_toml


def _send_due(tmp_path: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    """`report send due` on a new office, in its own process, with ``env`` set, on a Monday
    evening."""
    db = make_db(tmp_path, site_toml())
    env = {**env, "OSS_DESK_NOW": "2026-11-23T18:00:00Z"}
    return run_cli_process("--db", str(db), "report", "send", "due", *extra, env=env)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "OSS_DESK_REPORTS__SEND_TO",
            "nobody",
            'OSS_DESK_REPORTS__SEND_TO (environment): needs a JSON list, e.g. ["one", "two"]; '
            "it is not JSON",
        ),
        (
            "OSS_DESK_REPORTS",
            "nobody",
            'OSS_DESK_REPORTS (environment): needs a JSON object, e.g. {"key": "value"}; it is '
            "not JSON",
        ),
    ],
)
def test_a_variable_that_is_not_json_is_named_with_what_it_needs(
    tmp_path: Path, variable: str, value: str, said: str
) -> None:
    done = _send_due(tmp_path, {variable: value})
    assert done.returncode == 3
    assert done.stderr == f"oss-desk: {said}\n"
    assert "Traceback" not in done.stderr and value not in done.stderr


def test_the_list_written_as_json_is_taken(tmp_path: Path) -> None:
    send_to = {
        "OSS_DESK_REPORTS__SEND_TO": '["leader@council.example"]',
        "OSS_DESK_EMAIL__SMTP_URL": "smtp://127.0.0.1:1?starttls=off",
    }
    done = _send_due(tmp_path, send_to, "--json")
    assert done.returncode == 0, done.stderr
    assert '"to": "leader@council.example"' in done.stdout
