"""deploy/ stays true: units that parse and stay sandboxed, commands that exist, a wrapper that
gives an SSH account its desk and nothing else."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from oss_desk.cli import cli

from .conftest import ROOT

DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
INSTALLED_BIN = "/opt/oss-desk/.venv/bin/oss-desk"
UNITS = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in (".service", ".timer"))
SERVICES = [u for u in UNITS if u.endswith(".service")]
HARDENING = SYSTEMD / "oss-desk-.service.d" / "10-hardening.conf"


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def exec_lines(path: Path) -> list[list[str]]:
    """Every ExecStart= of a unit, split as systemd would (a leading '-' or '@' dropped)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            found.append(shlex.split(line.split("=", 1)[1].lstrip("-@+!")))
    return found


def parse_command(argv: list[str]) -> click.Command:
    """Parse ``oss-desk ARGS`` as the real CLI would (options and all); return the command."""
    command: click.Command = cli
    ctx = cli.make_context("oss-desk", list(argv), resilient_parsing=False)
    while isinstance(command, click.Group):
        args = [*ctx._protected_args, *ctx.args]
        assert args, f"`oss-desk {' '.join(argv)}` names no command"
        name, sub, rest = command.resolve_command(ctx, args)
        assert sub is not None, f"`oss-desk {' '.join(argv)}`: no command {name!r}"
        ctx = sub.make_context(name or "", rest, parent=ctx)
        command = sub
    return command


def require_db_group() -> None:
    if "db" not in cli.commands:
        pytest.skip("`oss-desk db` (backup, purge) is not in this build yet")


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_parses(unit: str, tmp_path: Path) -> None:
    parsed = read_unit(SYSTEMD / unit)
    assert parsed.has_section("Unit") and parsed.get("Unit", "Description")
    if unit.endswith(".service"):
        assert parsed.get("Service", "ExecStart", fallback=None), f"{unit} runs nothing"
        assert parsed.get("Service", "Type") in ("simple", "oneshot")
    else:
        assert parsed.get("Timer", "OnCalendar") and parsed.get("Install", "WantedBy")
        assert (SYSTEMD / unit.replace(".timer", ".service")).exists()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the structural check above is all this machine can do
    # systemd's own parser, on a copy whose ExecStart is this checkout's oss-desk (it checks
    # that the program exists), with the hardening drop-in beside it.
    shutil.copytree(SYSTEMD, tmp_path / "units")
    for path in (tmp_path / "units").glob("*.service"):
        path.write_text(
            path.read_text().replace(INSTALLED_BIN, str(Path(sys.executable).parent / "oss-desk"))
        )
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "units" / unit)],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path / 'units'}:"},
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_sandboxed(service: str, tmp_path: Path) -> None:
    hardening = read_unit(HARDENING)
    assert hardening.get("Service", "User") == "oss-desk"
    assert hardening.get("Service", "UMask") == "0077"
    assert hardening.get("Service", "ProtectSystem") == "strict"
    assert hardening.get("Service", "NoNewPrivileges") == "yes"
    assert hardening.get("Service", "ReadWritePaths") == "/var/lib/oss-desk"
    # The drop-in folder's name makes systemd apply it to this unit.
    assert service.startswith("oss-desk-")
    assert "OSS_DESK_DB=/var/lib/oss-desk/" in (SYSTEMD / service).read_text()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    shutil.copytree(SYSTEMD, tmp_path / "units")
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(tmp_path / "units" / service)],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path / 'units'}:", "SYSTEMD_COLORS": "0"},
        timeout=60,
    )
    report = result.stdout + result.stderr
    for setting in ("NoNewPrivileges=", "ProtectSystem=", "ProtectHome=", "User=/DynamicUser="):
        assert re.search(rf"✓ {re.escape(setting)}", report), f"{service}: {setting} not in force"
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", report)
    assert exposure, report
    assert float(exposure.group(1)) <= 2.0, f"{service} exposure {exposure.group(1)}"


@pytest.mark.parametrize("service", SERVICES)
def test_units_run_real_commands(service: str) -> None:
    lines = exec_lines(SYSTEMD / service)
    assert lines
    for argv in lines:
        assert argv[0] == INSTALLED_BIN
        if argv[1:2] == ["db"]:
            require_db_group()
        parse_command(argv[1:])


def test_the_named_jobs_run_the_named_commands() -> None:
    assert exec_lines(SYSTEMD / "oss-desk-serve.service") == [
        [INSTALLED_BIN, "serve", "--host", "127.0.0.1", "--port", "8000"]
    ]
    assert [INSTALLED_BIN, "db", "backup"] in exec_lines(SYSTEMD / "oss-desk-backup.service")
    assert exec_lines(SYSTEMD / "oss-desk-retention.service") == [[INSTALLED_BIN, "db", "purge"]]
    assert exec_lines(SYSTEMD / "oss-desk-worker.service") == [[INSTALLED_BIN, "worker"]]


# SSH desks ---------------------------------------------------------------------------------

WRAPPER = DEPLOY / "ssh" / "ssh-desk"


def wrapper_copy(tmp_path: Path, service_user: str) -> tuple[Path, Path]:
    """The wrapper with its fixed paths pointed into ``tmp_path``; ``oss-desk`` and ``sudo``
    are stand-ins that record how they were called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("oss-desk", "sudo"):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\nprintf "%s\\n" "{name}" "$@" > "{tmp_path}/{name}.args"\n')
        stub.chmod(0o755)
    desks = tmp_path / "ssh-desks"
    desks.write_text("# account desk\njbloggs   greet-1\nasmith desk-1 extra\n#evil desk-2\n")
    text = WRAPPER.read_text()
    for old, new in (
        ("DESKS=/etc/oss-desk/ssh-desks", f"DESKS={desks}"),
        ("OSS_DESK=/opt/oss-desk/.venv/bin/oss-desk", f"OSS_DESK={bin_dir / 'oss-desk'}"),
        ("SERVICE_USER=oss-desk", f"SERVICE_USER={service_user}"),
    ):
        assert old in text
        text = text.replace(old, new)
    script = tmp_path / "ssh-desk"
    script.write_text(text)
    script.chmod(0o755)
    return script, bin_dir


def run_wrapper(script: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script)],
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env},
        timeout=30,
    )


def test_the_ssh_wrapper_opens_the_accounts_desk(tmp_path: Path) -> None:
    import getpass

    script, bin_dir = wrapper_copy(tmp_path, getpass.getuser())
    result = run_wrapper(
        script, bin_dir, SUDO_USER="asmith", SSH_ORIGINAL_COMMAND="bash -i", OSS_DESK_DB="/x"
    )
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "oss-desk.args").read_text().splitlines()
    assert argv == ["oss-desk", "--user", "asmith", "desk", "--desk", "desk-1"]
    assert parse_command(argv[1:]) is cli.commands["desk"]


@pytest.mark.parametrize("account", ["", "nobody-here", "evil", "#evil", "greet-1"])
def test_the_ssh_wrapper_refuses_an_account_without_a_desk(tmp_path: Path, account: str) -> None:
    import getpass

    script, bin_dir = wrapper_copy(tmp_path, getpass.getuser())
    result = run_wrapper(script, bin_dir, SUDO_USER=account)
    assert result.returncode == 7
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("oss-desk: ")
    assert not (tmp_path / "oss-desk.args").exists()


def test_the_ssh_wrapper_becomes_the_service_account_first(tmp_path: Path) -> None:
    script, bin_dir = wrapper_copy(tmp_path, "oss-desk-service-account")
    result = run_wrapper(script, bin_dir, SUDO_USER="asmith")
    assert result.returncode == 0, result.stderr
    # Through sudo, with no arguments: what the sudoers rule allows, and nothing else.
    assert (tmp_path / "sudo.args").read_text().splitlines() == [
        "sudo",
        "-n",
        "-u",
        "oss-desk-service-account",
        "/usr/local/lib/oss-desk/ssh-desk",
    ]
    sudoers = (DEPLOY / "ssh" / "oss-desk.sudoers").read_text()
    assert '(oss-desk) NOPASSWD: /usr/local/lib/oss-desk/ssh-desk ""' in sudoers
    sshd = (DEPLOY / "ssh" / "oss-desk.conf").read_text()
    assert "Match Group oss-desk-desks" in sshd
    assert "ForceCommand /usr/local/lib/oss-desk/ssh-desk" in sshd
    assert "AllowTcpForwarding no" in sshd


def test_the_proxy_sets_the_user_header_and_passes_websockets() -> None:
    nginx = (DEPLOY / "nginx" / "oss-desk.conf").read_text()
    assert "proxy_pass http://127.0.0.1:8000;" in nginx
    assert "proxy_set_header X-Remote-User $oss_desk_user;" in nginx
    assert "set $oss_desk_user $remote_user;" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx
    assert "proxy_set_header Connection $connection_upgrade;" in nginx
    assert "listen 443 ssl" in nginx and "auth_basic_user_file" in nginx
