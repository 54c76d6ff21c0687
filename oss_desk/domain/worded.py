"""String enums whose members carry their words (a label, a description, a phrase).

A member is declared ``NAME = "value", "words"``: its value is stored and typed as before, and
its words stand beside it, written once, instead of in a second table that has to list every
member again and agree with the enum.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Worded(StrEnum):
    """A :class:`~enum.StrEnum` whose members say what they are in ``words``."""

    words: str
    """The member in words, as the enum declares it beside the member."""

    def __new__(cls, value: str, words: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.words = words
        return member
