"""What the configuration's sections share: identifiers, the section model, uniqueness."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

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
