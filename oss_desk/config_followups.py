"""Settings of the follow-up register: the working-day clocks, the back offices referrals go
to, and the categories of comments, compliments and complaints.

A section of :class:`oss_desk.config.Settings` (kept here so that ``config.py`` stays small);
every field documents itself and the README's configuration table is checked against them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from oss_desk.config_base import Identifier, Section, unique
from oss_desk.config_methods import FollowupMethods


class BackOfficeConfig(Section):
    id: Identifier
    """Short identifier, e.g. revenues (used by `oss-desk followup add --back-office ID`)."""
    name: str = Field(min_length=1, max_length=60)
    """What staff call the back office."""
    sla_working_days: int = Field(ge=0, le=120)
    """Its service level: working days from the referral to done."""
    contact: str = Field("", max_length=120)
    """How the desk reaches it (an extension, a mailbox): shown to staff, never to residents."""


class CategoryConfig(Section):
    id: Identifier
    """Short identifier, e.g. staff (used by `oss-desk followup add --category ID`)."""
    name: str = Field(min_length=1, max_length=60)
    """What the category is called in the reports."""
    monitor: Literal["staff", "unequal"] | None = None
    """Complaints monitored on their own: "staff" (about a member of staff; justified ones
    should stay under 2%) or "unequal" (unequal or impolite service)."""


def _default_categories() -> list[CategoryConfig]:
    return [
        CategoryConfig(id="service", name="Quality of service"),
        CategoryConfig(id="delay", name="Delay or no reply"),
        CategoryConfig(id="policy", name="Council policy or decision"),
        CategoryConfig(id="unequal", name="Unequal or impolite service", monitor="unequal"),
        CategoryConfig(id="staff", name="About a member of staff", monitor="staff"),
        CategoryConfig(id="other", name="Other"),
    ]


class FollowupSettings(Section, FollowupMethods):
    ringback_working_days: int = Field(1, ge=0, le=30)
    """A ring-back is due by the end of this many working days after it was asked for."""
    acknowledge_working_days: int = Field(5, ge=0, le=60)
    """Comments, compliments and complaints are acknowledged within this many working days."""
    respond_working_days: int = Field(15, ge=0, le=120)
    """... and answered in full within this many."""
    day_ends: Literal["closing", "midnight"] = "closing"
    """When a day stops counting as the day of receipt: "closing" (after the office's closing
    time the clock starts on the next working day) or "midnight"."""
    back_offices: list[BackOfficeConfig] = Field(default_factory=list)
    """The back offices referrals go to, each with its SLA and contact."""
    categories: list[CategoryConfig] = Field(default_factory=_default_categories)
    """Categories of comments, compliments and complaints."""

    @model_validator(mode="after")
    def _unique_ids(self) -> FollowupSettings:
        unique("followups.back_offices", [b.id for b in self.back_offices])
        unique("followups.categories", [c.id for c in self.categories])
        if not self.categories:
            raise ValueError("followups.categories: give at least one category")
        if self.respond_working_days < self.acknowledge_working_days:
            raise ValueError(
                "followups.respond_working_days is shorter than acknowledge_working_days"
            )
        return self
