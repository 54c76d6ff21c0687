"""The settings a process runs with, from a validated copy kept beside the database when it is
current: a short command does not pay for pydantic.

Importing pydantic and building the settings models is most of a short command's start-up
(``python -X importtime oss-desk queue``). So the first process to load a configuration validates
it as ever (:func:`oss_desk.config.build_settings`) and writes what came out, field by field, to
``<database>.settings.<uid>.json``; the processes after it read that copy back into plain sections
with the same fields and the same methods (:mod:`oss_desk.config_methods`), and import pydantic
only when the copy is missing, stale or unreadable. Anything else asked of a plain section (a
model method such as ``model_copy``) is answered by the real model, validated on first need.

The copy is used only when its key matches: a digest of the configuration (the stored document,
or the bytes of the ``--config`` file), every ``OSS_DESK_*`` variable of the environment that may
name a setting, the Python and oss-desk versions and the installed files the result depends on
(oss-desk's configuration and domain modules, pydantic's). A config edit, a changed variable or an
upgrade therefore validates again, and a bad configuration gets the same error as ever (errors
are never cached). The copy is replaced atomically (a temporary file, then a rename), so
concurrent processes read a whole copy or none; a read-only or full disk only means the next
process validates again. The copy holds no more than the database holds, and is written with
the database's folder's permissions left alone and its own mode 0600. Each operating-system
account keeps its own copy (the name holds its user id): two accounts sharing one database folder
would otherwise each find the other's copy unreadable and replace it, and both validate every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Callable
from enum import Enum
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from oss_desk import __version__, files

if TYPE_CHECKING:
    import logging

    from oss_desk.config import Settings


def _log() -> logging.Logger:
    """This module's logger (:mod:`logging` is imported only when the copy is not used)."""
    import logging

    return logging.getLogger("oss_desk.config")


SUFFIX = ".json"
FORMAT = 1

NOT_SETTINGS = frozenset(
    {
        "OSS_DESK_DB",
        "OSS_DESK_CONFIG",
        "OSS_DESK_NOW",
        "OSS_DESK_USER",
        "OSS_DESK_PROXY_USER",
        "OSS_DESK_BUSY_TIMEOUT",
    }
)
"""``OSS_DESK_*`` variables that never name a setting (paths, the clock, who acts): left out of
the key so that they do not invalidate the copy. Every other ``OSS_DESK_*`` variable is in it."""

MAX_CACHE_BYTES = 4 << 20


def cache_path(db: Path, uid: int | None = None) -> Path:
    """This account's copy for ``db`` (``uid``: another account's)."""
    if uid is None:
        uid = os.geteuid() if hasattr(os, "geteuid") else 0
    return db.with_name(f"{db.name}.settings.{uid}{SUFFIX}")


# Loading ------------------------------------------------------------------------------------


def stored_settings(document: dict[str, Any], source: str, db: Path) -> Settings:
    """The settings from the document ``init`` stored (plus ``OSS_DESK_*`` overrides)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))  # order is meaning

    def validate() -> Settings:
        from oss_desk.config import build_settings

        return build_settings(document, source)

    return _cached(db, "stored:" + text, validate)


def file_settings(path: Path, db: Path) -> Settings:
    """The settings from the ``--config`` file ``path`` (plus ``OSS_DESK_*`` overrides)."""

    def load() -> Settings:
        """No copy: load_file itself, its checks and its errors (too large, not text...)."""
        from oss_desk.config import load_file

        return load_file(path)

    try:
        data = files.read_bounded(path, MAX_CACHE_BYTES)
    except OSError:
        return load()  # it says what is wrong, worded as ever

    def validate() -> Settings:
        """The real settings for a plain section's model method: from the bytes the copy was
        keyed by (they validated when the copy was made)."""
        import tomllib

        from oss_desk.config import build_settings

        return build_settings(tomllib.loads(data.decode()), str(path))

    def unchanged() -> bool:
        try:
            return files.read_bounded(path, MAX_CACHE_BYTES) == data
        except OSError:
            return False

    what = f"file:{path.resolve()}:{hashlib.sha256(data).hexdigest()}"
    return _cached(db, what, validate, first=load, still=unchanged)


def _cached(
    db: Path,
    what: str,
    validate: Callable[[], Settings],
    *,
    first: Callable[[], Settings] | None = None,
    still: Callable[[], bool] = lambda: True,
) -> Settings:
    """The settings from the copy when its key matches; else ``first`` (or ``validate``)'s,
    kept for the next process if what they came from is ``still`` as it was."""
    key = cache_key(what)
    found = _read(cache_path(db), key, validate)
    if found is not None:
        return found
    settings = (first or validate)()
    if still():
        _write(cache_path(db), key, settings)
    return settings


def cache_key(what: str, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    variables = sorted(
        (k, v)
        for k, v in env.items()
        if k.upper().startswith("OSS_DESK_") and k.upper() not in NOT_SETTINGS
    )
    digest = hashlib.sha256()
    for part in (
        f"format {FORMAT}",
        f"python {sys.version}",
        f"oss-desk {__version__}",
        _installed(),
        json.dumps(variables),
        what,
    ):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


def _installed() -> str:
    """The installed files the validated settings depend on: oss-desk's top-level modules (the
    settings models) and its domain (their checks and defaults), and pydantic's own version
    file, as names, sizes and modification times (an upgrade or an edit changes them)."""
    here = Path(__file__).parent
    parts: list[str] = []
    for folder in (here, here / "domain"):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        stat = entry.stat()
                        parts.append(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{folder}: unreadable")
    for package in ("pydantic", "pydantic_settings", "pydantic_core"):
        spec = find_spec(package)
        origin = spec.origin if spec is not None else None
        if origin is None:
            parts.append(f"{package}: none")
            continue
        try:
            stat = os.stat(origin)
            parts.append(f"{origin}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{origin}: unreadable")
    return "\n".join(sorted(parts))


def _read(path: Path, key: str, validate: Callable[[], Settings]) -> Settings | None:
    try:
        data = json.loads(files.read_bounded(path, MAX_CACHE_BYTES))
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        root = _Root(validate)
        return cast("Settings", _plain(data["settings"], root, ()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ImportError) as exc:
        # A torn, foreign or outdated copy: validate again (and replace it).
        _log().debug("settings copy %s not used: %s", path, exc)
        return None


def _write(path: Path, key: str, settings: Settings) -> None:
    try:
        text = json.dumps({"key": key, "settings": tagged(settings)}, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        _log().debug("settings not cached: %s", exc)
        return
    import tempfile  # only when writing a copy (it imports shutil and compression modules)

    try:
        fd, name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # a read-only folder, a full disk: the next process validates
        _log().debug("settings not cached: %s", exc)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(name, path)
    except (OSError, UnicodeError) as exc:  # text the file system cannot take: not cached
        _log().debug("settings not cached: %s", exc)
        with contextlib.suppress(OSError):
            os.unlink(name)


# The copy: the validated settings, field by field -----------------------------------------


def tagged(value: object) -> object:
    """``value`` as JSON that :func:`_plain` reads back: models and enums named by their
    class, dictionaries as pairs (their keys need not be text)."""
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict):
        cls = type(value)
        return {
            "$model": cls.__qualname__,
            "$methods": [
                f"{c.__module__}:{c.__qualname__}"
                for c in cls.__mro__
                if c.__module__ == "oss_desk.config_methods"
            ],
            "fields": {name: tagged(getattr(value, name)) for name in fields},
        }
    if isinstance(value, Enum):
        cls = type(value)
        return {"$enum": f"{cls.__module__}:{cls.__qualname__}", "value": value.value}
    if isinstance(value, list):
        return [tagged(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [tagged(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[tagged(k), tagged(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the settings copy")


class _Root:
    """The real (validated) settings, made on first need by a plain section."""

    def __init__(self, validate: Callable[[], Settings]) -> None:
        self.validate = validate
        self.settings: Settings | None = None

    def real(self) -> object:
        if self.settings is None:
            self.settings = self.validate()
        return self.settings


_PATH = "_plain_path"
_ROOT = "_plain_root"


class PlainSection:
    """A section of the settings read back from the copy: its fields as attributes, frozen;
    its methods those of :mod:`oss_desk.config_methods`; anything else the real model's."""

    def __init__(self, fields: dict[str, object], root: _Root, path: tuple[str | int, ...]):
        self.__dict__.update(fields)
        self.__dict__[_ROOT] = root
        self.__dict__[_PATH] = path

    def _real(self) -> object:
        found = self.__dict__[_ROOT].real()
        for step in self.__dict__[_PATH]:
            found = found[step] if isinstance(step, int) else getattr(found, step)
        return found

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in (_PATH, _ROOT):
            raise AttributeError(name)
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def _fields(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in (_PATH, _ROOT)}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlainSection):
            return type(self).__name__ == type(other).__name__ and self._fields() == (
                other._fields()
            )
        return bool(self._real() == other)

    def __hash__(self) -> int:
        return hash(self._real())

    def __repr__(self) -> str:
        inner = " ".join(f"{k}={v!r}" for k, v in self._fields().items())
        return f"{type(self).__name__}({inner})"


_classes: dict[tuple[str, tuple[str, ...]], type[PlainSection]] = {}


def _plain_class(name: str, methods: tuple[str, ...]) -> type[PlainSection]:
    found = _classes.get((name, methods))
    if found is None:
        bases: list[type] = []
        for where in methods:
            module, _, attribute = where.partition(":")
            if module != "oss_desk.config_methods":
                raise ImportError(f"{where} is not a settings method")
            base = getattr(importlib.import_module(module), attribute)
            if not isinstance(base, type):
                raise TypeError(f"{where} is not a class")
            bases.append(base)
        found = cast("type[PlainSection]", type(name, (*bases, PlainSection), {}))
        _classes[(name, methods)] = found
    return found


def _plain(value: object, root: _Root, path: tuple[str | int, ...]) -> object:
    if isinstance(value, list):
        return [_plain(v, root, (*path, i)) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if "$model" in value:
        cls = _plain_class(str(value["$model"]), tuple(value["$methods"]))
        fields = {k: _plain(v, root, (*path, k)) for k, v in value["fields"].items()}
        return cls(fields, root, path)
    if "$enum" in value:
        module, _, name = str(value["$enum"]).partition(":")
        if not module.startswith("oss_desk."):
            raise ImportError(f"{module} is not oss-desk's")
        enum = getattr(importlib.import_module(module), name)
        if not (isinstance(enum, type) and issubclass(enum, Enum)):
            raise TypeError(f"{value['$enum']} is not an enumeration")
        return enum(value["value"])
    if "$tuple" in value:
        return tuple(_plain(v, root, path) for v in value["$tuple"])
    if "$dict" in value:
        return {_plain(k, root, path): _plain(v, root, path) for k, v in value["$dict"]}
    raise ValueError("not a settings copy")
