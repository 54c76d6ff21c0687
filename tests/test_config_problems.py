"""A configuration with several mistakes names them all in one run (trial 11, P8): ``init
--config bad.toml`` said ``sites[0].nation: Input should be ... (and 1 more problem)`` and the
second mistake (a desk's unknown service) only after the first was fixed. Now a first line
counts them, then one line each, for pydantic's checks and the references between sections
alike; ``doctor --config`` and every other command that loads the file say the same, from the
one place a configuration is validated. Real files; the real command in its own process for
init's list, and through the same entry point in the test's process (tests/cli_here.py) for
the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.config import build_settings
from oss_desk.errors import ConfigError

from .cli_here import run_cli_here
from .conftest import make_db, run_cli_process, site_toml

NATION = "sites[0].nation: Input should be 'ENG', 'WLS', 'SCT' or 'NIR'"


def _bad(tmp_path: Path) -> Path:
    """Four mistakes: a nation, a desk's kind (both pydantic's), a desk's unknown service and
    a person's unknown service (the references between sections)."""
    toml = site_toml().replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nnation = "XX"\n')
    toml = toml.replace('services = ["H", "B"]', 'services = ["H", "B", "Z"]')
    toml = toml.replace('kind = "interview-room"', 'kind = "interview-rooom"')
    toml = toml.replace('role = "team-leader"\n', 'role = "team-leader"\nappointments = ["Y"]\n')
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    return path


def test_init_names_every_mistake_in_one_run(tmp_path: Path) -> None:
    bad = _bad(tmp_path)
    done = run_cli_process(
        "init", "--config", str(bad), env={"OSS_DESK_DB": str(tmp_path / "new.sqlite")}
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"oss-desk: {bad}: 4 problems in the configuration:", done.stderr
    assert lines[1] == f"  {NATION}"
    assert lines[2].startswith("  desks[1].kind: Input should be 'meet-and-greet', ")
    assert lines[3:] == [
        "  desks[1] (room-1): unknown service 'Z'",
        "  staff[0] (tl): unknown service 'Y'",
    ]
    assert "Traceback" not in done.stderr and "more problem" not in done.stderr


def test_doctor_and_other_commands_say_them_all_too(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    bad = _bad(tmp_path)
    env = {"OSS_DESK_DB": str(db)}
    doctor = run_cli_here("--config", str(bad), "doctor", env=env)
    assert doctor.returncode == 1
    [line] = [x for x in doctor.stdout.splitlines() if x.startswith("fail  configuration:")]
    assert line.startswith(f"fail  configuration: {bad}: 4 problems in the configuration: ")
    assert NATION in line and "desks[1] (room-1): unknown service 'Z'" in line
    assert "staff[0] (tl): unknown service 'Y'" in line
    queue = run_cli_here("--config", str(bad), "queue", env=env)
    assert queue.returncode == 3
    assert queue.stderr.splitlines()[0] == f"oss-desk: {bad}: 4 problems in the configuration:"
    assert len(queue.stderr.splitlines()) == 5


def test_the_references_are_all_said_when_every_field_is_right() -> None:
    document = {
        "sites": [{"id": "hq", "name": "HQ"}, {"id": "hq", "name": "Again"}],
        "services": [{"code": "C", "name": "Council Tax"}],
        "desks": [{"id": "d1", "services": ["C", "X"]}, {"id": "d2", "site": "elsewhere"}],
        "board": {"site": "annex"},
    }
    with pytest.raises(ConfigError) as info:
        build_settings(document, "x.toml", environment=False)
    error = info.value
    assert error.lines == (
        "x.toml: 5 problems in the configuration:",
        "sites: 'hq' appears twice",
        "board.site: unknown site 'annex'",
        "desks[0] (d1): say which site it is in",
        "desks[0] (d1): unknown service 'X'",
        "desks[1] (d2): unknown site 'elsewhere'",
    )
    # The one-line message (the desk's notice, doctor's line, a log) names them all as well.
    assert error.message.startswith("x.toml: 5 problems in the configuration: sites: 'hq' ")
    assert error.message.endswith("; desks[1] (d2): unknown site 'elsewhere'")


def test_one_mistake_is_one_line_as_before() -> None:
    document = {
        "sites": [{"id": "hq", "name": "HQ"}],
        "services": [{"code": "C", "name": "Council Tax"}],
        "desks": [{"id": "d1", "services": ["X"]}],
    }
    with pytest.raises(ConfigError) as info:
        build_settings(document, "x.toml", environment=False)
    assert info.value.message == "x.toml: desks[0] (d1): unknown service 'X'"
    assert info.value.lines == ()


def test_a_reference_the_environment_mends_is_not_said_and_one_it_breaks_is(
    tmp_path: Path,
) -> None:
    """Review 19: with another setting wrong, the references were checked in the file as
    written, so one an ``OSS_DESK_*`` variable mended was still named (and one it broke was
    not): they are checked with the environment winning, as the settings see them."""
    bad = _bad(tmp_path)
    bad.write_text(bad.read_text() + '\n[board]\nsite = "nowhere"\n')
    env = {"OSS_DESK_DB": str(tmp_path / "new.sqlite"), "OSS_DESK_BOARD__SITE": "hq"}
    mended = run_cli_here("init", "--config", str(bad), env=env)
    assert mended.returncode == 3, mended.stderr
    assert "4 problems" in mended.stderr.splitlines()[0], mended.stderr
    assert "nowhere" not in mended.stderr
    env["OSS_DESK_BOARD__SITE"] = "elsewhere"
    broken = run_cli_here("init", "--config", str(bad), env=env)
    assert "5 problems" in broken.stderr.splitlines()[0], broken.stderr
    assert "elsewhere" in broken.stderr
