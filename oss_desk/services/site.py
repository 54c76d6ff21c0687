"""Creating the office database and loading its site configuration."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from oss_desk.clock import Clock
from oss_desk.config import Settings, build_settings, load_file
from oss_desk.domain.models import Actor
from oss_desk.services.session import resolve_person
from oss_desk.storage.database import Store, open_store, schema_version
from oss_desk.storage.site import load_config

DEMO_SOURCE = "built-in demo site"


def demo_toml(demo_dir: Path) -> str:
    text = (resources.files("oss_desk") / "data" / "demo-site.toml").read_text(encoding="utf-8")
    escaped = str(demo_dir).replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("{demo_dir}", escaped)


def demo_document(demo_dir: Path) -> dict[str, Any]:
    return tomllib.loads(demo_toml(demo_dir))


def demo_settings(demo_dir: Path) -> Settings:
    return build_settings(demo_document(demo_dir), DEMO_SOURCE)


@dataclass(frozen=True, slots=True)
class InitResult:
    path: Path
    migrations: list[str]
    loaded: str | None
    settings: Settings | None


def initialise(
    db_path: Path,
    *,
    clock: Clock,
    config_path: Path | None = None,
    demo_dir: Path | None = None,
    person: str | None = None,
) -> InitResult:
    """Create or migrate the database, then load the demo site or a configuration file.

    The configuration is validated before the database is touched, so a bad file changes
    nothing.
    """
    settings: Settings | None = None
    source: str | None = None
    if demo_dir is not None:
        settings, source = demo_settings(demo_dir), DEMO_SOURCE
    elif config_path is not None:
        settings, source = load_file(config_path), str(config_path)
    if settings is not None:
        from oss_desk.services.wording import check_texts

        check_texts(settings)  # a council's wording files: a mistake is one line now
    store = open_store(db_path, create=True)
    try:
        applied = schema_version(store)
        if settings is not None and source is not None:
            load_into(store, settings, source=source, clock=clock, person=person)
        return InitResult(path=db_path, migrations=applied, loaded=source, settings=settings)
    finally:
        store.close()


def load_into(
    store: Store, settings: Settings, *, source: str, clock: Clock, person: str | None
) -> int:
    actor = Actor(person=resolve_person(settings, None, person))
    with store.write() as conn:
        return load_config(conn, settings, source=source, actor=actor, now=clock.now())
