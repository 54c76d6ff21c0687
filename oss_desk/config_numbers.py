"""Numbers written as text or as true/false in a configuration file (``appointment_minutes =
"20"``, ``keep_days = true``): the settings are validated in pydantic's lax mode everywhere,
as the ``OSS_DESK_*`` variables that override them are text, so such a value is accepted (true
as 1); ``init`` warns of each, naming the setting and what to write, rather than refusing a
file an office may already have stored."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel


def loose_numbers(document: dict[str, Any]) -> list[str]:
    """One line per number in ``document`` given as text or as true/false, by its path."""
    from oss_desk.config import Settings

    return _in_model(document, Settings, "")


def _in_model(values: dict[str, Any], model: type[BaseModel], at: str) -> list[str]:
    found: list[str] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in values:
            found += _in_value(values[key], field.annotation, f"{at}{key}")
    return found


def _in_value(value: Any, annotation: Any, at: str) -> list[str]:
    kinds = _kinds(annotation)
    if isinstance(value, dict):
        models = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
        return _in_model(value, models[0], f"{at}.") if models else []
    if isinstance(value, list):
        items = [a for k in kinds if get_origin(k) is list for a in get_args(k)]
        found: list[str] = []
        for i, item in enumerate(value):
            found += _in_value(item, items[0], f"{at}[{i}]") if items else []
        return found
    numeric = any(k in (int, float) for k in kinds) and not any(k in (str, bool) for k in kinds)
    if numeric and isinstance(value, bool | str):
        if isinstance(value, bool):
            read = int(value)
            return [
                f"{at} = {str(value).lower()} is not a number (it is read as {read}): write one"
            ]
        return [f'{at} = "{value}" is text, not a number: write it without the quotes']
    return []


def _kinds(annotation: Any) -> list[Any]:
    """The types a field's annotation allows (``Annotated`` and ``X | None`` undone)."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return [k for a in get_args(annotation) for k in _kinds(a)]
    if origin is not None and hasattr(annotation, "__metadata__"):  # Annotated[X, ...]
        return _kinds(get_args(annotation)[0])
    return [annotation]
