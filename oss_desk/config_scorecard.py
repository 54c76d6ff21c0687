"""Settings of the council's scorecard: how the figures are rated and laid out, where residents
are signposted, the counter's feedback page, and how the telephone system's export is read.

Sections of :class:`oss_desk.config.Settings` (kept here so that ``config.py`` stays small);
every field documents itself and the README's configuration table is checked against them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from oss_desk.config_base import IDENTIFIER, Section, checked_or_none, each_checked, table_checked
from oss_desk.domain.calendar import zone
from oss_desk.domain.calls import (
    DEFAULT_ABANDONED,
    DEFAULT_ANSWERED,
    DEFAULT_COLUMNS,
    DEFAULT_TIME_FORMATS,
    check_columns,
    check_time_format,
)
from oss_desk.domain.scorecard import DEFAULT_CALL_TARGETS
from oss_desk.errors import InvalidInput

ORGANISATION_ID = IDENTIFIER
DEFAULT_ORGANISATIONS = {
    "county": "The county council",
    "citizens-advice": "Citizens Advice",
    "dwp": "DWP (Jobcentre Plus)",
    "nhs": "NHS or GP",
    "police": "Police (non-emergency)",
    "other": "Another organisation",
}


def _call_target(seconds: int, target: int) -> None:
    if not 1 <= seconds <= 3600:
        raise ValueError(f"{seconds} seconds: a limit is 1 to 3600 seconds")
    if not 0 <= target <= 100:
        raise ValueError(f"{seconds} seconds: the target {target} is not a percentage")


def _organisation(key: str, name: str) -> None:
    if not ORGANISATION_ID.match(key):
        raise ValueError(f"{key!r}: an id is lower-case letters, digits, '-' and '_' (up to 32)")
    if not 1 <= len(name.strip()) <= 60:
        raise ValueError(f"{key}: the name must have 1 to 60 characters")


class ReportSettings(Section):
    amber_points: float = Field(10, ge=0, le=100)
    """A standard is amber (not red) when its figure is at most this many points below target."""
    punctual_minutes: int = Field(5, ge=0, le=60)
    """An appointment is seen on time when called no later than this after its booked time."""
    year_start_month: int = Field(4, ge=1, le=12)
    """The month the reporting year starts in (4: the UK financial year, April to March; 1: the
    calendar year); quarters are counted from it."""
    calls_answer_within: Annotated[
        dict[int, int],
        table_checked(
            4, "give one to four limits, e.g. {20 = 80, 45 = 90}", _call_target, ordered=True
        ),
    ] = Field(default_factory=lambda: dict(DEFAULT_CALL_TARGETS))
    """Telephone standards: seconds -> the share (%) of calls to be answered within them, e.g.
    {20 = 80, 45 = 90}."""
    send_to: list[str] = Field(default_factory=list, max_length=20)
    """Who `oss-desk report send` emails the daily summary and the monthly dashboard to (work
    addresses); empty: every team leader with an `email` in `[[staff]]`."""

    @field_validator("send_to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        from oss_desk.domain.appointments import normalise_email

        try:
            return list(dict.fromkeys(normalise_email(text) for text in value))
        except InvalidInput as exc:
            raise ValueError(exc.message) from None


class SignpostingSettings(Section):
    organisations: Annotated[
        dict[str, str], table_checked(40, "give 1 to 40 organisations, id = name", _organisation)
    ] = Field(default_factory=lambda: dict(DEFAULT_ORGANISATIONS))
    """Where residents can be signposted: id = name (the id is recorded and reported)."""


class FeedbackSettings(Section):
    window_minutes: int = Field(10, ge=1, le=120)
    """How long after a visit finishes at a desk the counter's feedback page offers to rate it."""
    text_delay_minutes: int = Field(120, ge=0, le=24 * 60)
    """Minutes after a visit finishes when the follow-up text asking how it went is sent (to a
    resident who consented and did not rate the visit at the desk or on the tablet)."""
    text_earliest_hour: int = Field(9, ge=0, le=23)
    """Follow-up texts are not sent before this hour (local time): one due earlier waits."""
    text_latest_hour: int = Field(20, ge=1, le=24)
    """Follow-up texts are not sent from this hour on (local time): one due later goes at
    text_earliest_hour the next morning."""
    text_answer_days: int = Field(7, ge=1, le=60)
    """Days the link in a follow-up text takes an answer after the text was sent."""

    @model_validator(mode="after")
    def _text_hours(self) -> FeedbackSettings:
        if self.text_latest_hour <= self.text_earliest_hour:
            raise ValueError("feedback.text_latest_hour must be after text_earliest_hour")
        return self


class CallsSettings(Section):
    columns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    """Which export column is what: started, answered, wait_seconds (needed), talk_seconds and
    call_id (optional); given keys replace the defaults one by one."""
    time_format: Annotated[list[str], each_checked(check_time_format)] = Field(
        default_factory=lambda: list(DEFAULT_TIME_FORMATS)
    )
    """How call start times are written, tried in order: "iso" (ISO 8601) or strftime formats."""
    timezone: Annotated[str | None, checked_or_none(zone)] = None
    """Timezone of times without an offset in the export (default: the site's)."""
    answered_values: list[str] = Field(default_factory=lambda: list(DEFAULT_ANSWERED))
    """Values of the answered column that mean answered (any case)."""
    abandoned_values: list[str] = Field(default_factory=lambda: list(DEFAULT_ABANDONED))
    """Values that mean abandoned (any case); [] for "every other value"."""
    delimiter: str = Field(",", min_length=1, max_length=1)
    """The CSV field separator ("," or ";" or "\\t")."""
    durations: Literal["auto", "seconds", "hh:mm:ss"] = "auto"
    """How waits and talk times are written: seconds, HH:MM:SS (or MM:SS), or either."""

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        merged = {**DEFAULT_COLUMNS, **value}
        try:
            check_columns(merged)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return merged

    @field_validator("time_format", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("time_format")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one time format")
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if value in ('"', "\r", "\n"):
            raise ValueError("the delimiter cannot be a quote or a line break")
        return value

    @model_validator(mode="after")
    def _values(self) -> CallsSettings:
        if not self.answered_values:
            raise ValueError("answered_values: give at least one value")
        both = {v.strip().casefold() for v in self.answered_values} & {
            v.strip().casefold() for v in self.abandoned_values
        }
        if both:
            raise ValueError(f"{sorted(both)[0]!r} cannot mean both answered and abandoned")
        return self
