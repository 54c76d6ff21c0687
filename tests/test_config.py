"""Configuration: files, the copy stored by init, environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_every_setting_is_documented() -> None:
    def walk(model: type, prefix: str) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            if not field.description:
                missing.append(prefix + name)
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                missing += walk(annotation, f"{prefix}{name}.")
        return missing

    from oss_desk import config

    assert walk(Settings, "") == []
    for section in (config.SiteConfig, config.ServiceConfig, config.DeskConfig, config.StaffConfig):
        assert walk(section, section.__name__ + ".") == []
