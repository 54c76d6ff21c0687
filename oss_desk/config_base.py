"""What the configuration's sections share: identifiers, the section model, uniqueness, and
fields checked by the domain's own parsers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from oss_desk.domain.calendar import WEEKDAYS
from oss_desk.errors import InvalidInput

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")

Identifier = Annotated[
    str,
    Field(
        pattern=IDENTIFIER.pattern,
        description="lower-case letters, digits, '-' and '_', up to 32 characters",
    ),
]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what}: {value!r} appears twice")
        seen.add(value)


Parse = Callable[[str], object]


def _check(parse: Parse, text: str) -> None:
    """The domain parser's refusal as pydantic's ValueError (its message, as it is)."""
    try:
        parse(text)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def checked(parse: Parse) -> AfterValidator:
    """A text field that ``parse`` must accept."""

    def check(value: str) -> str:
        _check(parse, value)
        return value

    return AfterValidator(check)


def checked_or_none(parse: Parse) -> AfterValidator:
    """An optional text field (left empty: none) that ``parse`` must accept."""

    def check(value: str | None) -> str | None:
        if value is None or value == "":
            return None
        _check(parse, value)
        return value

    return AfterValidator(check)


def each_checked(parse: Parse) -> AfterValidator:
    """A list whose every entry ``parse`` must accept."""

    def check(value: list[str]) -> list[str]:
        for text in value:
            _check(parse, text)
        return value

    return AfterValidator(check)


def weekdays_checked(parse: Parse) -> AfterValidator:
    """A table of weekday = text (``mon = "09:00-17:00"``), every text one ``parse`` accepts."""

    def check(value: dict[str, str]) -> dict[str, str]:
        for day, text in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday (use {', '.join(WEEKDAYS)})")
            _check(parse, text)
        return value

    return AfterValidator(check)


def table_checked(
    most: int, hint: str, entry: Callable[[Any, Any], None], *, ordered: bool = False
) -> AfterValidator:
    """A table (``key = value``) of one to ``most`` entries (else ``hint``), each of which
    ``entry`` accepts (it raises ValueError); ``ordered``: kept in the order of its keys."""

    def check(value: dict[Any, Any]) -> dict[Any, Any]:
        if not 1 <= len(value) <= most:
            raise ValueError(hint)
        for key, item in value.items():
            entry(key, item)
        return dict(sorted(value.items())) if ordered else value

    return AfterValidator(check)
