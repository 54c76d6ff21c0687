"""Settings of the council's scorecard: how the figures are rated and laid out, where residents
are signposted, and the counter's feedback page.

Sections of :class:`oss_desk.config.Settings` (kept here so that ``config.py`` stays small);
every field documents itself and the README's configuration table is checked against them.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from oss_desk.domain.scorecard import DEFAULT_CALL_TARGETS

ORGANISATION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DEFAULT_ORGANISATIONS = {
    "county": "The county council",
    "citizens-advice": "Citizens Advice",
    "dwp": "DWP (Jobcentre Plus)",
    "nhs": "NHS or GP",
    "police": "Police (non-emergency)",
    "other": "Another organisation",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class ReportSettings(_Section):
    amber_points: float = Field(10, ge=0, le=100)
    """A standard is amber (not red) when its figure is at most this many points below target."""
    punctual_minutes: int = Field(5, ge=0, le=60)
    """An appointment is seen on time when called no later than this after its booked time."""
    year_start_month: int = Field(4, ge=1, le=12)
    """The month the reporting year starts in (4: the UK financial year, April to March; 1: the
    calendar year); quarters are counted from it."""
    calls_answer_within: dict[int, int] = Field(default_factory=lambda: dict(DEFAULT_CALL_TARGETS))
    """Telephone standards: seconds -> the share (%) of calls to be answered within them, e.g.
    {20 = 80, 45 = 90}."""

    @field_validator("calls_answer_within")
    @classmethod
    def _call_targets(cls, value: dict[int, int]) -> dict[int, int]:
        if not value or len(value) > 4:
            raise ValueError("give one to four limits, e.g. {20 = 80, 45 = 90}")
        for seconds, target in value.items():
            if not 1 <= seconds <= 3600:
                raise ValueError(f"{seconds} seconds: a limit is 1 to 3600 seconds")
            if not 0 <= target <= 100:
                raise ValueError(f"{seconds} seconds: the target {target} is not a percentage")
        return dict(sorted(value.items()))


class SignpostingSettings(_Section):
    organisations: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ORGANISATIONS))
    """Where residents can be signposted: id = name (the id is recorded and reported)."""

    @field_validator("organisations")
    @classmethod
    def _organisations(cls, value: dict[str, str]) -> dict[str, str]:
        if not value or len(value) > 40:
            raise ValueError("give 1 to 40 organisations, id = name")
        for key, name in value.items():
            if not ORGANISATION_ID.match(key):
                raise ValueError(
                    f"{key!r}: an id is lower-case letters, digits, '-' and '_' (up to 32)"
                )
            if not 1 <= len(name.strip()) <= 60:
                raise ValueError(f"{key}: the name must have 1 to 60 characters")
        return value


class FeedbackSettings(_Section):
    window_minutes: int = Field(10, ge=1, le=120)
    """How long after a visit finishes at a desk the counter's feedback page offers to rate it."""
