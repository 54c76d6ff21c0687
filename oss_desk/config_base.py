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
    if found := twice(what, values):
        raise ValueError(found[0])


def twice(what: str, values: list[str]) -> list[str]:
    """Each value of ``values`` that appears more than once, said once: ``sites: 'hq' appears
    twice``."""
    seen: set[str] = set()
    said: list[str] = []
    for value in values:
        if value in seen and f"{what}: {value!r} appears twice" not in said:
            said.append(f"{what}: {value!r} appears twice")
        seen.add(value)
    return said


class Problems(ValueError):
    """Several problems found by one check (:func:`cross_reference_problems`): pydantic keeps
    the exception in its error, so each is said on its own (``describe_validation_error``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


CROSS_REFERENCED = frozenset({"sites", "services", "desks", "staff", "board", "screen"})
"""The sections :func:`cross_reference_problems` reads."""


def _listed(document: dict[str, Any], section: str) -> list[Any]:
    """The list ``section`` (``[[desks]]``) as given (anything else: an empty one)."""
    found = document.get(section)
    return found if isinstance(found, list) else []


def _entries(document: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The tables of the list ``section``."""
    return [e for e in _listed(document, section) if isinstance(e, dict)]


def _texts(entries: list[dict[str, Any]], key: str) -> list[str]:
    return [e[key] for e in entries if isinstance(e.get(key), str)]


def _codes(value: Any) -> list[str]:
    """A ``services``-like list of codes ("*", or anything not a list: none to check)."""
    return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []


def cross_reference_problems(document: dict[str, Any]) -> list[str]:
    """Every problem of the references between sections (a desk's site, services and person,
    a person's services, the board's and the screen's site, ids given twice), each its own
    line, read from a plain ``document``: the validated settings' (so all are said at once),
    or the file's as written when other settings are wrong too (so the next run does not find
    a new one). What is not yet a list of tables or a text is left to the settings' own
    checks."""
    sites, services = _entries(document, "sites"), _entries(document, "services")
    desks, staff = _entries(document, "desks"), _entries(document, "staff")
    site_ids, codes = set(_texts(sites, "id")), set(_texts(services, "code"))
    staff_ids = set(_texts(staff, "id"))
    logins = [s["login"] for s in staff if isinstance(s.get("login"), str) and s["login"]]
    problems = [
        *twice("sites", _texts(sites, "id")),
        *twice("services", _texts(services, "code")),
        *twice("desks", _texts(desks, "id")),
        *twice("staff", _texts(staff, "id")),
        *twice("staff logins", logins),
    ]
    for section in ("board", "screen"):
        table = document.get(section)
        site = table.get("site") if isinstance(table, dict) else None
        if isinstance(site, str) and site not in site_ids:
            problems.append(f"{section}.site: unknown site {site!r}")
    for index, desk in enumerate(_listed(document, "desks")):
        if not isinstance(desk, dict):
            continue
        name = f"desks[{index}] ({desk.get('id')})"
        site = desk.get("site")
        if site is None and len(sites) > 1:
            problems.append(f"{name}: say which site it is in")
        if isinstance(site, str) and site not in site_ids:
            problems.append(f"{name}: unknown site {site!r}")
        problems += [
            f"{name}: unknown service {c!r}" for c in _codes(desk.get("services")) if c not in codes
        ]
        person = desk.get("person")
        if isinstance(person, str) and staff_ids and person not in staff_ids:
            problems.append(f"{name}: unknown person {person!r}")
    for index, person in enumerate(_listed(document, "staff")):
        if isinstance(person, dict):
            name = f"staff[{index}] ({person.get('id')})"
            problems += [
                f"{name}: unknown service {c!r}"
                for c in _codes(person.get("appointments"))
                if c not in codes
            ]
    return problems


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
