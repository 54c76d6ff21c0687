"""What the configuration's sections answer beyond their fields (a desk's name on the board, the
services a desk calls, a person's role when unlisted...), written once, without pydantic.

The models in ``oss_desk.config*`` inherit these, and so do the plain sections that
:mod:`oss_desk.config_cache` reads back from its validated copy of the settings: a command served
from that copy answers the same questions by the same code without building the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, TypeVar

from oss_desk.domain.models import DeskKind, Role

# The fields each method reads (read-only views of a model's or a plain section's fields).


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_Identified)
I_co = TypeVar("I_co", bound=_Identified, covariant=True)
J_co = TypeVar("J_co", bound=_Identified, covariant=True)
C = TypeVar("C", bound=_Coded)
C_co = TypeVar("C_co", bound=_Coded, covariant=True)


class _ServiceFields(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str | None: ...


class _DeskFields(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> DeskKind: ...
    @property
    def private_room(self) -> bool | None: ...
    @property
    def facilities(self) -> Sequence[str]: ...
    @property
    def board_name(self) -> str | None: ...
    @property
    def name_cy(self) -> str | None: ...
    @property
    def board_name_cy(self) -> str | None: ...


class _StaffFields(Protocol):
    @property
    def role(self) -> Role: ...
    @property
    def appointments(self) -> list[str] | Literal["*"] | None: ...


class _AccessFields(Protocol):
    @property
    def unlisted_role(self) -> str: ...

    @property
    def user_override(self) -> str: ...


class _FollowupFields(Protocol[I_co, J_co]):
    @property
    def back_offices(self) -> Sequence[I_co]: ...
    @property
    def categories(self) -> Sequence[J_co]: ...


class _DeskPlace(Protocol):
    @property
    def site(self) -> str | None: ...
    @property
    def services(self) -> Sequence[str] | Literal["*"]: ...


class _Retention(Protocol):
    @property
    def contacts_days(self) -> int | None: ...


class _Appointments(Protocol):
    @property
    def keep_contacts_days(self) -> int: ...


class _BoardPlace(Protocol):
    @property
    def url(self) -> str | None: ...
    @property
    def site(self) -> str | None: ...


class _SettingsFields(Protocol[C_co]):
    @property
    def sites(self) -> Sequence[_Identified]: ...
    @property
    def services(self) -> Sequence[C_co]: ...
    @property
    def retention(self) -> _Retention: ...
    @property
    def appointments(self) -> _Appointments: ...
    @property
    def board(self) -> _BoardPlace: ...


# The methods ---------------------------------------------------------------------------------


class ServiceMethods:
    @property
    def public_label(self: _ServiceFields) -> str:
        return self.label or self.name


class DeskMethods:
    @property
    def display_name(self: _DeskFields) -> str:
        return self.name or self.id

    @property
    def board_names(self: _DeskFields) -> tuple[str, str | None]:
        """The desk's names on the display board: in English (its ``board_name``, else its
        name), and in Welsh (its ``board_name_cy``, else its ``name_cy``; None: none)."""
        return self.board_name or self.name or self.id, self.board_name_cy or self.name_cy

    @property
    def has_private_room(self: _DeskFields) -> bool:
        if "private-room" in self.facilities:
            return True
        if self.private_room is None:
            return self.kind is DeskKind.INTERVIEW_ROOM
        return self.private_room


class StaffMethods:
    def takes_appointments(self: _StaffFields) -> list[str] | Literal["*"]:
        if self.appointments is not None:
            return self.appointments
        return "*" if self.role is Role.ADVISER else []


class AccessMethods:
    def role(self: _AccessFields) -> Role | None:
        return None if self.unlisted_role == "none" else Role(self.unlisted_role)

    def training(self: _AccessFields) -> bool:
        """A training office (the demo, training, tests): ``user_override = "anyone"``, which
        README says is never for a real office. Only there may OSS_DESK_NOW act unannounced."""
        return self.user_override == "anyone"


class FollowupMethods:
    def back_office(self: _FollowupFields[ItemT, _Identified], office_id: str) -> ItemT | None:
        return next((b for b in self.back_offices if b.id == office_id), None)

    def category(self: _FollowupFields[_Identified, ItemT], category_id: str) -> ItemT | None:
        return next((c for c in self.categories if c.id == category_id), None)


class SettingsMethods:
    """The convenience lookups of :class:`oss_desk.config.Settings`."""

    def site_of(self: _SettingsFields[_Coded], desk: _DeskPlace) -> str:
        return desk.site or self.sites[0].id

    def board_site(self: _SettingsFields[_Coded]) -> str | None:
        """The site whose calls the display board shows: ``board.site``, else the first site
        (None: no board)."""
        if not self.board.url:
            return None
        return self.board.site or self.sites[0].id

    def desk_services(self: _SettingsFields[_Coded], desk: _DeskPlace) -> list[str]:
        if desk.services == "*":
            return [s.code for s in self.services]
        return list(desk.services)

    def service(self: _SettingsFields[C], code: str) -> C | None:
        return next((s for s in self.services if s.code == code), None)

    @property
    def contacts_days(self: _SettingsFields[_Coded]) -> int:
        """Days contact details are kept: ``retention.contacts_days``, else the older
        ``appointments.keep_contacts_days``."""
        if self.retention.contacts_days is not None:
            return self.retention.contacts_days
        return self.appointments.keep_contacts_days
