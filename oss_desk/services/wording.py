"""The wording residents read, loaded: the built-in catalogues plus a council's corrections.

``wording_for(settings, site_id)`` gives the office's :class:`~oss_desk.domain.wording.Wording`
(its languages, Welsh first where bilingual); the files are read once per change of their
modification time, so a corrected file is used without a restart.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.domain.wording import ENGLISH, Wording, check_catalog, languages_for
from oss_desk.errors import ConfigError

if TYPE_CHECKING:
    import sqlite3

    from oss_desk.config import Settings, SiteConfig
    from oss_desk.services.session import Session


@lru_cache(maxsize=1)
def builtin_welsh() -> dict[str, str]:
    text = (resources.files("oss_desk") / "data" / "texts" / "cy.toml").read_text("utf-8")
    return _strings(tomllib.loads(text), "oss_desk/data/texts/cy.toml")


def _strings(document: Mapping[str, object], source: str) -> dict[str, str]:
    catalog = {}
    for key, value in document.items():
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key}: give the text as a string")
        catalog[key] = value
    problems = check_catalog(catalog, source)
    if problems:
        raise ConfigError(
            problems[0] + (f" (and {len(problems) - 1} more)" if problems[1:] else "")
        )
    return catalog


@lru_cache(maxsize=16)
def _council_file(path: str, mtime_ns: int) -> dict[str, str]:
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file of texts ({exc})") from None
    return _strings(document, path)


def council_catalog(path: str | None) -> dict[str, str]:
    """A council's corrections (``{}`` when it has none). Raises ConfigError."""
    if not path:
        return {}
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return _council_file(path, stamp)


def site_config(settings: Settings, site_id: str | None) -> SiteConfig:
    return next((s for s in settings.sites if s.id == site_id), settings.sites[0])


def site_as_was(session: Session, site_id: str) -> SiteConfig | None:
    """A record's site's settings (an appointment's, a ticket's, a visit's): as configured; for
    a site that left the configuration, as it was last loaded (its own languages, nation,
    Welsh name, address and calendar: never another office's). None: not known (it left
    before the office kept its loads)."""
    return settings_as_was(session.settings, session.store.conn, site_id)


def settings_as_was(
    settings: Settings, conn: sqlite3.Connection, site_id: str
) -> SiteConfig | None:
    """:func:`site_as_was` in an office given by its ``settings`` and database (another
    office's too: a report's ``--include``)."""
    configured = next((s for s in settings.sites if s.id == site_id), None)
    if configured is not None:
        return configured
    from oss_desk.config import SiteConfig
    from oss_desk.storage.site import site_as_loaded

    stored = site_as_loaded(conn, site_id)
    return None if stored is None else SiteConfig.model_validate(stored)


def record_wording(session: Session, site_id: str) -> Wording:
    """The wording of a message about a record at ``site_id`` (an appointment's email, text or
    slip, a turn text, a follow-up text): a site that left the configuration speaks the
    languages it had (:func:`site_as_was`); one not known, the first site's."""
    return wording_for(session.settings, site_id, site_as_was(session, site_id))


def wording_for(
    settings: Settings, site_id: str | None = None, site: SiteConfig | None = None
) -> Wording:
    """The office's wording: English (with the council's corrections), and Welsh first for a
    bilingual office (``site``: its settings, when already read)."""
    site = site or site_config(settings, site_id)
    languages = languages_for(site.language, site.nation)
    catalogs = {"en": {**ENGLISH, **council_catalog(settings.texts.english_file)}}
    if "cy" in languages:
        catalogs["cy"] = {**builtin_welsh(), **council_catalog(settings.texts.welsh_file)}
    return Wording(languages, catalogs)


def check_texts(settings: Settings) -> None:
    """Read the council's wording files now (``init``), so a mistake is one line at once."""
    council_catalog(settings.texts.welsh_file)
    council_catalog(settings.texts.english_file)
