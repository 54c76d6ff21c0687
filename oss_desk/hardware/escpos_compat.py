"""Importing python-escpos 3.1 safely.

On import it calls ``logging.basicConfig()`` (whose handler writes to the real stderr, on top of
the desk app), makes a new temporary folder for its capability cache, and some of its methods
``print()`` warnings. So: give the root logger a handler first (``basicConfig`` is then a no-op),
point the cache at our own folder, and silence stdout around rendering.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

from oss_desk import files
from oss_desk.errors import DeviceError

DEFAULT_PROFILE = "TM-T88V"
PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
"""python-escpos's capability cache folder (oss-desk's own cache folder unless already set)."""


@lru_cache(maxsize=1)
def escpos_printer() -> ModuleType:
    """``escpos.printer``, imported with its side effects contained."""
    preset = os.environ.get(PICKLE_DIR_ENV)
    if preset:  # where python-escpos writes its cache: its lock and its recovery look there
        cache = Path(preset)
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        cache = Path(platformdirs.user_cache_dir("oss-desk")) / "escpos"
        files.make_private_dir(cache)
        os.environ[PICKLE_DIR_ENV] = str(cache)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    logging.getLogger("escpos").setLevel(logging.WARNING)
    import pickle  # (only for its error: the worker imports this module, not escpos, at start)

    with _cache_turn(cache), contextlib.redirect_stdout(io.StringIO()):
        try:
            import escpos.printer
        except (EOFError, pickle.UnpicklingError):
            # A cache left half written (a process killed while writing it): made again.
            for name in [n for n in sys.modules if n == "escpos" or n.startswith("escpos.")]:
                del sys.modules[name]
            for stale in cache.glob("*.capabilities.pickle"):
                stale.unlink(missing_ok=True)
            import escpos.printer

    module: ModuleType = escpos.printer
    return module


@contextlib.contextmanager
def _cache_turn(cache: Path) -> Iterator[None]:
    """One process at a time imports python-escpos: on its first import it writes its capability
    cache (a pickle) in place, and another process importing it meanwhile read it half written
    (EOFError: two printer lanes, or a worker and a desk app standing in, started together).
    A lock on a file in the cache folder, dropped by the kernel however the process ends."""
    fd = os.open(cache / ".import.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """python-escpos ``print()``s warnings (media width, renderer choice): keep them off screen."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


@lru_cache(maxsize=1)
def known_profiles() -> list[str]:
    escpos_printer()
    from escpos.capabilities import CAPABILITIES

    return sorted(CAPABILITIES["profiles"])


def capabilities(profile: str) -> dict[str, Any]:
    """python-escpos's capability data of ``profile`` (features, fonts, media, code pages)."""
    escpos_printer()
    from escpos.capabilities import CAPABILITIES

    data: dict[str, Any] = CAPABILITIES["profiles"].get(profile, {})
    return data


def dummy(profile: str = DEFAULT_PROFILE):  # type: ignore[no-untyped-def]
    """A byte-building printer for ``profile`` (an unknown name is a DeviceError)."""
    module = escpos_printer()
    if profile not in known_profiles():
        raise DeviceError(
            f"unknown printer profile {profile!r}: use one of python-escpos's profiles, "
            "e.g. TM-T88V or TM-T20II"
        )
    with quiet():
        return module.Dummy(profile=profile)
