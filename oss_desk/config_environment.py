"""An ``OSS_DESK_*`` variable that cannot be read, named: pydantic-settings reads a list or a
section given in the environment as JSON, and one that is not JSON fails with only its field's
name ("error parsing value for field "reports" from source "EnvSettingsSource""). This finds
the variable and says what it needs, in one line."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

LISTS = (list, tuple, set, frozenset)


def _needs(annotation: Any) -> str | None:
    """``a JSON list`` or ``a JSON object`` for a setting that the environment gives as JSON;
    None for one it gives as plain text (a string, a number, a flag)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        found = [_needs(arg) for arg in get_args(annotation) if arg is not type(None)]
        return next((needs for needs in found if needs is not None), None)
    if origin in LISTS or annotation in LISTS:
        return "a JSON list"
    if origin is dict or annotation is dict:
        return "a JSON object"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a JSON object"
    return None


def _annotation(model: type[BaseModel], path: list[str]) -> Any:
    """The annotation of the setting at ``path`` (lower-case names) of ``model``, else None."""
    annotation: Any = model
    for part in path:
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        field = annotation.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
    return annotation


def unreadable_variable(
    error: Exception, model: type[BaseModel], prefix: str, environ: Mapping[str, str]
) -> str | None:
    """The line that names the ``OSS_DESK_*`` variable pydantic-settings could not parse
    (``error``) and what it needs: ``OSS_DESK_REPORTS__SEND_TO (environment): needs a JSON list,
    e.g. ["one", "two"]; it is not JSON``; None when it is not such an error or none is
    found. The value is never repeated (it may be secret)."""
    field = re.search(r'error parsing value for field "([^"]+)"', str(error))
    if field is None:
        return None
    head = prefix + field.group(1).upper()
    for name in sorted(environ):
        upper = name.upper()
        if upper != head and not upper.startswith(head + "__"):
            continue
        path = [p.lower() for p in upper.removeprefix(prefix).split("__")]
        needs = _needs(_annotation(model, path))
        if needs is None:
            continue
        try:
            json.loads(environ[name])
        except ValueError:
            example = '["one", "two"]' if needs == "a JSON list" else '{"key": "value"}'
            return f"{name} (environment): needs {needs}, e.g. {example}; it is not JSON"
    return None
