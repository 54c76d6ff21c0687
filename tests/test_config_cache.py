"""The validated copy of the settings beside the database (oss_desk.config_cache): a warm
start-up reads it back without pydantic, and it is never served stale, torn or in place of an
error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oss_desk import config_cache
from oss_desk.config import Settings, settings_in_environment
from oss_desk.config_cache import NOT_SETTINGS, PlainSection, cache_path
from oss_desk.errors import ConfigError
from oss_desk.services.session import open_session

from .conftest import ROOT, make_db, site_toml
from .test_startup_imports import FIRST_FRAME, first_frame_imports, imported, python


def settings_of(db: Path, config: Path | None = None) -> Settings:
    session = open_session(db=db, config=config, person="tl")
    try:
        return session.settings
    finally:
        session.close()


def same(plain: object, real: object, where: str = "settings") -> None:
    """Every field of the real model, at every depth, has the same value in the plain copy."""
    fields: dict[str, Any] | None = getattr(type(real), "model_fields", None)
    if fields is None:
        if isinstance(real, list):
            assert isinstance(plain, list) and len(plain) == len(real), where
            for i, (p, r) in enumerate(zip(plain, real, strict=True)):
                same(p, r, f"{where}[{i}]")
            return
        assert plain == real and type(plain) is type(real), where
        return
    assert isinstance(plain, PlainSection), where
    assert type(plain).__name__ == type(real).__name__, where
    for name in fields:
        same(getattr(plain, name), getattr(real, name), f"{where}.{name}")


def test_the_second_process_reads_the_copy_and_it_holds_what_validation_gave(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    cache_path(db).unlink()  # as after `oss-desk init`, before any command (make_db keeps one)
    real = settings_of(db)  # no copy yet: validated (and the copy written)
    assert not isinstance(real, PlainSection)
    assert cache_path(db).is_file()
    assert cache_path(db).stat().st_mode & 0o077 == 0
    plain = settings_of(db)
    assert isinstance(plain, PlainSection)
    same(plain, real)
    # The methods are the models' own (oss_desk.config_methods), answering alike.
    desk, real_desk = plain.desks[0], real.desks[0]
    assert (desk.display_name, desk.has_private_room) == (
        real_desk.display_name,
        real_desk.has_private_room,
    )
    assert [d.has_private_room for d in plain.desks] == [d.has_private_room for d in real.desks]
    assert plain.site_of(desk) == real.site_of(real_desk)
    assert plain.desk_services(desk) == real.desk_services(real_desk)
    found = plain.service("C")
    assert found is not None and found.public_label == real.service("C").public_label  # type: ignore[union-attr]
    assert plain.contacts_days == real.contacts_days
    assert plain.access.role() == real.access.role()
    assert [s.takes_appointments() for s in plain.staff] == [
        s.takes_appointments() for s in real.staff
    ]
    category = real.followups.categories[0].id
    assert plain.followups.category(category) == real.followups.category(category)
    # Anything else is the real model's, validated on first need.
    assert plain.file_document() == real.file_document()
    changed = plain.queue.model_copy(update={"target_minutes": 11})
    assert changed.target_minutes == 11 and plain.queue.target_minutes == real.queue.target_minutes
    with pytest.raises(AttributeError):
        plain.queue.target_minutes = 3  # type: ignore[misc]  # frozen: the point of the check


def test_a_warm_queue_command_imports_no_pydantic(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "HOME": str(tmp_path)}
    cache_path(db).unlink(missing_ok=True)
    cold = imported("-m", "oss_desk", "queue", env=env)
    assert "pydantic" in cold  # the check can fail: without the copy, it validates
    assert cache_path(db).is_file()
    warm = imported("-m", "oss_desk", "queue", env=env)
    assert "oss_desk.services.session" in warm  # it ran against the office
    assert not [n for n in warm if n.split(".")[0] in ("pydantic", "pydantic_core")]
    assert "oss_desk.config" not in warm and "pydantic_settings" not in warm


def test_an_edit_a_variable_or_an_upgrade_is_never_served_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    config = tmp_path / "given.toml"
    config.write_text(site_toml(recall_cap=3), encoding="utf-8")
    settings_of(db, config)
    assert settings_of(db, config).queue.recall_cap == 3
    assert isinstance(settings_of(db, config), PlainSection)
    config.write_text(site_toml(recall_cap=5), encoding="utf-8")  # the file is edited
    assert settings_of(db, config).queue.recall_cap == 5
    monkeypatch.setenv("OSS_DESK_QUEUE__RECALL_CAP", "7")  # a setting in the environment
    assert settings_of(db, config).queue.recall_cap == 7
    monkeypatch.setenv("oss_desk_queue__recall_cap", "8")  # any case names a setting
    monkeypatch.delenv("OSS_DESK_QUEUE__RECALL_CAP")
    assert settings_of(db, config).queue.recall_cap == 8
    monkeypatch.delenv("oss_desk_queue__recall_cap")
    assert settings_of(db, config).queue.recall_cap == 5
    warm = settings_of(db, config)
    assert isinstance(warm, PlainSection)
    monkeypatch.setattr(config_cache, "__version__", "99.0")  # an upgrade
    assert not isinstance(settings_of(db, config), PlainSection)
    assert isinstance(settings_of(db, config), PlainSection)


def test_the_stored_configuration_changed_by_init_is_read_again(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(recall_cap=3))
    settings_of(db)
    assert settings_of(db).queue.recall_cap == 3
    config = tmp_path / "new.toml"
    config.write_text(site_toml(recall_cap=6), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "oss_desk", "--db", str(db), "init", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")},
    )
    assert done.returncode == 0, done.stderr
    assert settings_of(db).queue.recall_cap == 6


def test_a_bad_configuration_gets_the_same_error_with_a_warm_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    config = tmp_path / "given.toml"
    config.write_text(site_toml(), encoding="utf-8")
    settings_of(db, config)
    assert isinstance(settings_of(db, config), PlainSection)
    config.write_text(site_toml(recall_cap=99), encoding="utf-8")
    with pytest.raises(ConfigError) as warm:
        settings_of(db, config)
    cache_path(db).unlink()
    with pytest.raises(ConfigError) as cold:
        settings_of(db, config)
    assert str(warm.value) == str(cold.value) and "queue.recall_cap" in str(warm.value)
    config.write_text(site_toml(), encoding="utf-8")
    settings_of(db, config)
    monkeypatch.setenv("OSS_DESK_QUEUE__RECALL_CAP", "lots")
    with pytest.raises(ConfigError, match="OSS_DESK_QUEUE__RECALL_CAP"):
        settings_of(db, config)


def test_a_variable_the_file_system_cannot_write_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A byte that is not UTF-8 in a variable (Python reads it as a lone surrogate) cannot go
    into the copy: the copy is skipped, and validation says what is wrong (exit 2, not 70)."""
    db = make_db(tmp_path, site_toml())
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env["OSS_DESK_DESK__PERSON"] = "\udcff"
    done = subprocess.run(
        [sys.executable, "-m", "oss_desk", "--db", str(db), "report", "daily"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={k: os.fsencode(v) for k, v in env.items()},
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "login must be printable" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.tmp")), "no half-written copy is left behind"


def test_a_torn_foreign_or_unwritable_copy_only_means_validating(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    copy = cache_path(db)
    copy.unlink()  # make_db keeps one: here the settings are validated, as the real ones
    real = settings_of(db)
    assert not isinstance(real, PlainSection)
    for junk in (b"", b'{"key": "', b"[1, 2]", b'{"key": 1}', b"\xff\xfe"):
        copy.write_bytes(junk)
        assert not isinstance(settings_of(db), PlainSection)
        assert isinstance(settings_of(db), PlainSection)  # replaced by a good copy
    text = json.loads(copy.read_text())
    text["settings"]["fields"]["desks"] = {"$enum": "os:system", "value": "true"}
    copy.write_text(json.dumps(text))  # a copy that names code outside oss-desk is not used
    assert not isinstance(settings_of(db), PlainSection)
    text["settings"]["fields"]["desks"] = {"$enum": "oss_desk.files:tighten", "value": "x"}
    copy.write_text(json.dumps(text))  # nor one that names anything but an enumeration
    assert not isinstance(settings_of(db), PlainSection)
    copy.unlink()
    copy.mkdir()  # the copy cannot be written (as on a read-only or full disk)
    found = settings_of(db)
    assert not isinstance(found, PlainSection) and found == real
    assert not isinstance(settings_of(db), PlainSection)


def test_processes_starting_together_all_get_the_settings(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    cache_path(db).unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env["OSS_DESK_DB"] = str(db)
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "queue", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        for _ in range(6)
    ]
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert json.loads(out) == []
    assert json.loads(cache_path(db).read_text())["key"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", sorted(NOT_SETTINGS))
def test_the_variables_left_out_of_the_key_never_name_a_setting(name: str) -> None:
    assert not settings_in_environment({name: "1"})
    assert settings_in_environment({"OSS_DESK_QUEUE__RECALL_CAP": "1"})


def test_a_warm_desk_shows_its_first_frame_without_pydantic(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    warm = first_frame_imports(db, tmp_path / "warm.json", "greet-1")  # after a command kept it
    assert not [n for n in warm if n.split(".")[0] in ("pydantic", "pydantic_core")]
    cache_path(db).unlink()  # no copy kept: the desk validates the settings itself
    cold = tmp_path / "cold.json"
    env = {"OSS_DESK_DB": str(db), "HOME": str(tmp_path)}
    python("-c", FIRST_FRAME, str(cold), "-", "desk", "--desk", "greet-1", env=env)
    assert "pydantic" in json.loads(cold.read_text())  # the check can fail


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="acting as a second account needs root"
)
def test_two_accounts_sharing_a_database_folder_keep_a_copy_each() -> None:
    """An account cannot read another's copy (0600): it keeps its own beside it, and never
    replaces the other's (which made both validate every time, each replacing the other's)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="two-accounts-"))
    try:
        folder.chmod(0o777)  # a folder both accounts may write, as a shared office folder
        config = folder / "site.toml"
        config.write_text(site_toml(), encoding="utf-8")
        db = folder / "office.sqlite"
        assert not isinstance(config_cache.file_settings(config, db), PlainSection)
        ours = cache_path(db)
        before = ours.stat()
        other = 65534  # nobody: this process acts as that account for a moment
        os.setegid(other)
        os.seteuid(other)
        try:
            first = config_cache.file_settings(config, db)
            second = config_cache.file_settings(config, db)
        finally:
            os.seteuid(0)
            os.setegid(0)
        assert not isinstance(first, PlainSection), "this account's copy cannot be read"
        assert isinstance(second, PlainSection), "the other account reads its own copy"
        theirs = cache_path(db, other)
        assert theirs != ours and theirs.stat().st_uid == other
        after = ours.stat()
        assert (after.st_ino, after.st_uid, after.st_mtime_ns) == (
            before.st_ino,
            before.st_uid,
            before.st_mtime_ns,
        ), "the other account left this account's copy alone"
        assert isinstance(config_cache.file_settings(config, db), PlainSection)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
