"""Configuration: files, the copy stored by init, environment overrides."""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

from oss_desk.config import Settings, build_settings, load_file
from oss_desk.errors import ConfigError
from oss_desk.services.site import demo_settings

from .conftest import Cli, make_db, site_toml


def test_demo_site_has_the_contract_services_and_desks(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    codes = {s.code: s.name for s in settings.services}
    assert {"C", "B", "H", "W", "T", "Q"} <= set(codes)
    assert codes["C"] == "Council Tax" and codes["T"] == "Travel passes"
    desks = {d.id: d for d in settings.desks}
    assert desks["greet-1"].kind.value == "meet-and-greet"
    for i in range(1, 5):
        assert desks[f"desk-{i}"].services == "*"
    assert any(d.kind.value == "interview-room" for d in settings.desks)
    hours = settings.sites[0].opening_hours
    assert hours == {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    for svc in settings.services:
        if svc.appointment_minutes:
            assert svc.checklist, svc.code
    assert str(tmp_path) in (desks["greet-1"].printer or "")


def test_environment_overrides_the_stored_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml(recall_cap=3))
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T10:00:00Z"
    cli("ticket", "issue", "--service", "C", now=now)
    cli("ticket", "call-next", "--desk", "desk-1", now=now)
    env = {"OSS_DESK_QUEUE__RECALL_CAP": "1"}
    assert cli("ticket", "recall", "C001", now=now, env=env).code == 0
    second = cli("ticket", "recall", "C001", now=now, env=env)
    assert second.code != 0 and "the limit is 1" in second.err
    assert cli("ticket", "recall", "C001", now=now).code == 0  # stored value: 3


def test_config_file_at_runtime_and_reinit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path, site_toml(desks=2))
    cli = Cli(db, monkeypatch)
    bigger = tmp_path / "bigger.toml"
    bigger.write_text(site_toml(desks=3))
    now = "2026-11-23T10:00:00Z"
    assert "desk-3" not in cli("desks", "list", "--json", now=now).out
    result = cli("init", "--config", str(bigger), now=now)
    assert result.code == 0 and "5 desks" in result.out
    desks = [d["id"] for d in cli("desks", "list", "--json", now=now).json()]
    assert "desk-3" in desks
    smaller = tmp_path / "smaller.toml"
    smaller.write_text(site_toml(desks=1))
    assert cli("init", "--config", str(smaller), now=now).code == 0
    desks = [d["id"] for d in cli("desks", "list", "--json", now=now).json()]
    assert "desk-2" not in desks and "desk-1" in desks  # deactivated, never deleted


def test_file_and_field_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(site_toml().replace('code = "W"', 'code = "w"'))
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert str(info.value).startswith(f"{path}: services[3].code:")
    assert "\n" not in str(info.value)


def test_duplicate_and_dangling_references() -> None:
    base = {
        "sites": [{"id": "hq", "name": "HQ"}],
        "services": [{"code": "C", "name": "Council Tax"}, {"code": "C", "name": "Again"}],
        "desks": [{"id": "d1"}],
    }
    with pytest.raises(ConfigError, match="services: 'C' appears twice"):
        build_settings(base, "x.toml")
    base["services"] = [{"code": "C", "name": "Council Tax"}]
    base["desks"] = [{"id": "d1", "site": "elsewhere"}]
    with pytest.raises(ConfigError, match=r"desks\[0\] \(d1\): unknown site 'elsewhere'"):
        build_settings(base, "x.toml")


def attribute_docstrings(model: type) -> dict[str, str]:
    """The string under each field of a settings model (and of its bases), read from the source:
    how every setting is documented. (The models do not collect them at run time: parsing
    their source cost every command part of its start-up.)"""
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if not issubclass(klass, BaseModel) or klass.__module__.startswith("pydantic"):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        body = tree.body[0].body  # type: ignore[attr-defined]
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = following.value.value
    return docs


def test_every_setting_is_documented() -> None:
    def walk(model: type, prefix: str) -> list[str]:
        missing = []
        docs = attribute_docstrings(model)
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            if not (field.description or docs.get(name, "").strip()):
                missing.append(prefix + name)
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                missing += walk(annotation, f"{prefix}{name}.")
        return missing

    from oss_desk import config

    assert walk(Settings, "") == []
    for section in (config.SiteConfig, config.ServiceConfig, config.DeskConfig, config.StaffConfig):
        assert walk(section, section.__name__ + ".") == []


def test_the_environment_is_read_only_when_it_names_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oss_desk.config import settings_in_environment

    paths_and_clock = {"OSS_DESK_DB": "x", "OSS_DESK_NOW": "y", "OSS_DESK_CONFIG": "z"}
    assert not settings_in_environment(paths_and_clock)
    assert not settings_in_environment({"OSS_DESK_DESKSX": "1", "OTHER_QUEUE__X": "1"})
    for name in (
        "OSS_DESK_DESK__ID",
        "oss_desk_queue__recall_cap",
        "OSS_DESK_DESKS",
        "OSS_DESK_QUEUE",
    ):
        assert settings_in_environment({name: "1"}), name

    document = Settings.model_validate(demo_settings(tmp_path).file_document()).file_document()
    monkeypatch.setenv("OSS_DESK_QUEUE__RECALL_CAP", "1")
    from_env = build_settings(document, "test")
    assert isinstance(from_env, Settings) and from_env.queue.recall_cap == 1
    plain = build_settings(document, "test", environment=False)
    assert plain.queue.recall_cap == document["queue"]["recall_cap"] != 1
    assert from_env.model_dump(exclude={"queue"}) == plain.model_dump(exclude={"queue"})
    monkeypatch.setenv("OSS_DESK_QUEUE__RECALL_CAP", "many")
    with pytest.raises(ConfigError, match=r"OSS_DESK_QUEUE__RECALL_CAP \(environment\)"):
        build_settings(document, "test")


def test_a_mistyped_section_in_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``OSS_DESK_RETENTON__NOTES_DAYS=1`` (an IT administrator's trial) was passed over, exit 0:
    a retention the administrator believed in force was not. Now exit 3 naming the variable, as
    a mistyped key in a known section (``OSS_DESK_BACKUP__KEEPDAYS``) already was."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    env = {"OSS_DESK_RETENTON__NOTES_DAYS": "1", "OSS_DESK_BACKUP__KEEP_DAYS": "3"}
    refused = cli("db", "purge", "--dry-run", env=env)
    assert (refused.code, refused.out) == (3, "")
    assert refused.err == (
        "oss-desk: OSS_DESK_RETENTON__NOTES_DAYS (environment): retenton: unknown section "
        "(check the spelling)\n"
    )
    assert cli("db", "purge", "--dry-run", env={"OSS_DESK_RETENTION__NOTES_DAYS": "1"}).code == 0
