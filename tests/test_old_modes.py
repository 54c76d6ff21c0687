"""Engineers' notes, round 11: folders and files made before oss-desk made them 0700 and 0600
(the data, demo, log and backups folders at 0755; the database, backups and logs at 0644)
stayed so. Opening the office tightens what is oss-desk's own; what is not (the folder a --db
path is in, the folders above the data folder) is left alone and ``doctor`` says the chmod."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from .conftest import Cli, site_toml


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _as_an_old_version_left_it(paths: dict[Path, int]) -> None:
    for path, mode in paths.items():
        if mode & 0o100:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.touch()
        os.chmod(path, mode)


def test_opening_an_office_tightens_the_folders_and_files_oss_desk_made_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "xdg-data"  # XDG_DATA_HOME (tests/conftest.py)
    data = share / "oss-desk"
    db = data / "oss-desk.sqlite"
    config = tmp_path / "site.toml"
    config.write_text(site_toml(), encoding="utf-8")
    cli = Cli(db, monkeypatch)
    assert cli("init", "--config", str(config)).code == 0
    old = {
        share: 0o755,  # a shared parent: not oss-desk's
        data: 0o755,
        data / "demo": 0o755,
        data / "log": 0o755,
        data / "backups": 0o755,
        data / "log" / "worker.log": 0o644,
        data / "log" / "fault-desk-20261101T090000-42.txt": 0o644,
        data / "backups" / "oss-desk-20261101T020000Z.sqlite": 0o644,
        data / "backups" / "oss-desk-20261101T020000Z.sqlite.head": 0o640,
        data / "demo" / "printer.bin": 0o644,
        db: 0o644,
    }
    _as_an_old_version_left_it(old)
    before = cli("doctor")
    modes = next(x for x in before.out.splitlines() if "file modes" in x)
    assert modes.startswith("fail") and "readable by every user" in modes, modes
    fix = modes.partition("(to fix: ")[2]
    assert fix.startswith(f"chmod 600 {data / 'backups'}") and f" {db} " in fix, modes
    assert f"; chmod 700 {data} {data / 'backups'} " in fix and str(share) + " " not in fix

    opened = cli("init", "--config", str(config))  # opens (and checks) the office
    assert opened.code == 0, opened.err
    assert {p: _mode(p) for p in old} == {
        p: 0o755 if p == share else 0o700 if mode & 0o100 else 0o600 for p, mode in old.items()
    }
    after = cli("doctor")
    assert "ok    file modes: oss-desk.sqlite 0600" in after.out.splitlines(), after.out


def test_a_db_in_a_folder_of_the_users_is_left_as_it_is_and_the_doctor_says_the_chmod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = tmp_path / "office"
    office.mkdir(mode=0o755)
    os.chmod(office, 0o755)
    db = office / "office.sqlite"
    config = tmp_path / "site.toml"
    config.write_text(site_toml(), encoding="utf-8")
    cli = Cli(db, monkeypatch)
    assert cli("init", "--config", str(config)).code == 0
    backups = office / "backups"  # beside it: maybe the user's own (~/backups)
    backup = backups / "office-20261101T020000Z.sqlite"
    theirs = backups / "holiday-photos.txt"
    _as_an_old_version_left_it({backups: 0o755, backup: 0o644, theirs: 0o644, db: 0o644})

    assert cli("desks", "list").code == 0  # an open that does not check leaves things alone
    assert _mode(db) == 0o644
    assert cli("init", "--config", str(config)).code == 0
    # The database's files and its backups are tightened; the folders and others' files not.
    assert [_mode(p) for p in (office, backups, theirs)] == [0o755, 0o755, 0o644]
    assert (_mode(db), _mode(backup)) == (0o600, 0o600)
    result = cli("doctor", "--json")
    modes = next(c for c in result.json() if c["check"] == "file modes")
    assert modes["status"] == "warn", modes
    assert modes["detail"] == (
        f"folders other accounts can open: {office} 0755, backups 0755 "
        f"(to fix: chmod 700 {office} if only oss-desk keeps files there; "
        f"chmod 700 {backups} if only oss-desk keeps files there)"
    )
    # Under systemd the database's folder is the unit's state folder: systemd sets its mode.
    result = cli("doctor", "--json", env={"STATE_DIRECTORY": str(office)})
    modes = next(c for c in result.json() if c["check"] == "file modes")
    assert modes["detail"].endswith(
        f"; StateDirectoryMode=0700 in the units ({office} is systemd's to set))"
    ), modes  # and its backups folder, made by oss-desk there, was tightened on opening
    assert cli("init", "--config", str(config), env={"STATE_DIRECTORY": str(office)}).code == 0
    assert _mode(backups) == 0o700
