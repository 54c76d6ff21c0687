"""The site configuration: a TOML file, overridable setting by setting from the environment.

``oss-desk init --config FILE`` validates a file and stores it in the database, so every desk
process of the office shares one configuration. Each process then reads that stored document and
applies ``OSS_DESK_<SECTION>__<KEY>`` environment variables on top (for example
``OSS_DESK_BOARD__URL`` or ``OSS_DESK_QUEUE__RECALL_CAP``). Passing ``--config FILE`` (or
``OSS_DESK_CONFIG``) to any other command reads that file instead of the stored copy.

Every field documents itself: the README's configuration table is checked against this model.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from oss_desk import files
from oss_desk.config_base import (
    CROSS_REFERENCED,
    IDENTIFIER,
    Identifier,
    Problems,
    Section,
    checked,
    checked_or_none,
    cross_reference_problems,
    each_checked,
    weekdays_checked,
)
from oss_desk.config_delivery import (
    EmailSettings,
    MessageSettings,
    NotifySettings,
    WorkerSettings,
)
from oss_desk.config_followups import FollowupSettings
from oss_desk.config_methods import DeskMethods, ServiceMethods, SettingsMethods, StaffMethods
from oss_desk.config_resident import (
    BoardSettings,
    PrintingSettings,
    ScreenSettings,
    TextsSettings,
    TurnTextSettings,
)
from oss_desk.config_scorecard import (
    CallsSettings,
    FeedbackSettings,
    ReportSettings,
    SignpostingSettings,
)
from oss_desk.config_sections import (
    ENV_PREFIX,
    AccessSettings,
    BackupSettings,
    DeskSessionSettings,
    RetentionSettings,
    ServeSettings,
)
from oss_desk.domain.calendar import WEEKDAYS, parse_hours, zone
from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.models import DeskKind, Role
from oss_desk.domain.wording import ENGLISH
from oss_desk.errors import ConfigError, InvalidInput

__all__ = [
    "ENV_PREFIX",
    "IDENTIFIER",
    "AccessSettings",
    "BackupSettings",
    "CallsSettings",
    "DeskSessionSettings",
    "RetentionSettings",
    "ServeSettings",
    "Settings",
    "build_settings",
    "load_file",
    "read_toml",
]


def _skill(text: str) -> object:
    from oss_desk.domain.needs import parse_skill  # only when someone has skills

    return parse_skill(text)


def _work_pattern(text: str) -> object:
    from oss_desk.domain.slots import parse_pattern

    return parse_pattern(text)


def _reminder(text: str) -> object:
    from oss_desk.domain.reminders import parse_schedule

    return parse_schedule(text)


class CouncilConfig(Section):
    name: str = Field("Council", min_length=1, max_length=60)
    """The council's name, printed at the top of tickets and slips."""
    name_cy: str | None = Field(None, max_length=60)
    """The council's name in Welsh (shown first in a bilingual office)."""


class SiteConfig(Section):
    id: Identifier
    """Short identifier of the office, used in commands and reports."""
    name: str = Field(min_length=1, max_length=80)
    """The office's name as residents know it."""
    address: str = ""
    """Where the office is (printed on appointment slips)."""
    timezone: Annotated[str, checked(zone)] = "Europe/London"
    """IANA timezone: decides the business day and local hours."""
    nation: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    """Whose bank holidays apply: England, Wales, Scotland or Northern Ireland."""
    opening_hours: Annotated[dict[str, str], weekdays_checked(parse_hours)] = Field(
        default_factory=lambda: {d: "09:00-17:00" for d in WEEKDAYS[:5]}
    )
    """Hours per weekday, e.g. mon = "09:00-17:00"; a missing day is closed."""
    closures: list[str] = Field(default_factory=list)
    """Local closure days (YYYY-MM-DD) on top of the bank holidays."""
    language: Literal["en", "cy+en"] | None = None
    """What residents read: "en", or "cy+en" (Welsh first); default "cy+en" in Wales."""
    name_cy: str | None = Field(None, max_length=80)
    """The office's name in Welsh."""
    address_cy: str | None = None
    """Its address in Welsh (appointment slips)."""

    @field_validator("closures")
    @classmethod
    def _dates(cls, value: list[str]) -> list[str]:
        from datetime import date

        for text in value:
            try:
                date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
        return value


class ServiceConfig(Section, ServiceMethods):
    code: str = Field(pattern=r"^[A-Z]$")
    """One capital letter: the first character of every ticket code of the service."""
    name: str = Field(min_length=1, max_length=60)
    """What staff call the service."""
    label: str | None = Field(None, min_length=1, max_length=30)
    """Neutral public label for tickets and the board (defaults to the name): never a sensitive
    reason such as "homelessness"."""
    label_cy: str | None = Field(None, min_length=1, max_length=30)
    """The public label in Welsh."""
    appointment_minutes: int | None = Field(None, gt=0, le=480, multiple_of=5)
    """Length of an appointment; leave out for walk-in-only services."""
    private_room: bool = False
    """Appointments for this service need a private interview room."""
    checklist: list[str] = Field(default_factory=list)
    """What to bring, one item per entry (sent in reminders, ticked at check-in)."""
    checklist_cy: list[str] = Field(default_factory=list)
    """What to bring, in Welsh (the same items in the same order)."""
    typical_minutes: float | None = Field(None, gt=0, le=240)
    """Typical time at the desk, used for wait estimates until real times are known."""

    @field_validator("checklist_cy")
    @classmethod
    def _same_items(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """A Welsh checklist says each item of the English one, no more and no fewer: a list
        of another length would pair items wrongly or leave some English in the Welsh."""
        english = info.data.get("checklist")
        if value and english is not None and len(value) != len(english):
            from oss_desk.domain.plurals import counted

            raise ValueError(
                f"{counted(len(value), 'item')} where checklist has "
                f"{counted(len(english), 'item')}: give the same items in the same order, in Welsh"
            )
        return value


class DeskConfig(Section, DeskMethods):
    id: Identifier
    """Short identifier, e.g. desk-1 (used by `oss-desk desk --desk ID`)."""
    name: str = ""
    """Shown on the board ("Desk 3"); defaults to the id."""
    kind: DeskKind = DeskKind.ADVISER
    """meet-and-greet, adviser or interview-room."""
    site: str | None = None
    """The office the desk is in (may be left out when there is one office)."""
    services: list[str] | Literal["*"] = "*"
    """Service codes the desk calls, or "*" for every service."""
    private_room: bool | None = None
    """Whether residents can be seen in private here (default: true for interview rooms)."""
    printer: Annotated[str | None, checked_or_none(parse_printer_url)] = None
    """Device URL of the desk's ticket printer (see the device URLs)."""
    fallback_printer: Annotated[str | None, checked_or_none(parse_printer_url)] = None
    """Printer to use when the desk's own printer is out of order."""
    person: str | None = None
    """Who is at this desk when nobody logs in (a staff id)."""
    facilities: list[Literal["hearing-loop", "step-free", "private-room"]] = Field(
        default_factory=list
    )
    """What the desk offers: "hearing-loop", "step-free", "private-room" (call next routes by
    them)."""

    board_name: str | None = Field(None, max_length=20)
    """Short name on the display board ("Room 1"); defaults to the name."""
    name_cy: str | None = Field(None, max_length=20)
    """The desk's name in Welsh ("Desg 3"), on the waiting-room screen and in texts."""
    board_name_cy: str | None = Field(None, max_length=20)
    """Short name in Welsh on the display board ("Ystafell 1"); defaults to name_cy."""


def _work_email(value: str) -> str:
    from oss_desk.domain.appointments import normalise_email

    try:
        return normalise_email(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


class StaffConfig(Section, StaffMethods):
    id: Identifier
    """Short identifier recorded in the event log."""
    name: str = Field(min_length=1, max_length=80)
    """Full name (shown to colleagues only, never to residents)."""
    role: Role = Role.ADVISER
    """meet-and-greet, adviser, team-leader or admin."""
    login: str | None = None
    """Operating-system or proxy login that identifies this person."""
    appointments: list[str] | Literal["*"] | None = None
    """Services they take appointments for ("*" for all); default: all for advisers, none else."""
    works: Annotated[dict[str, str], weekdays_checked(_work_pattern)] = Field(default_factory=dict)
    """Working hours per weekday, e.g. mon = "09:00-12:30,13:30-17:00", tue = "off"; a day not
    given follows the office's opening hours."""
    skills: Annotated[list[str], each_checked(_skill)] = Field(default_factory=list, max_length=20)
    """What they can offer residents: "bsl" (they sign) and the languages they speak, any name
    ("Polish", "Portuguese (Brazil)"); call next routes by them."""
    email: str | None = None
    """Their work email address: a team leader's gets the reports `oss-desk report send` emails
    (unless `reports.send_to` names others)."""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _work_email(value) if value else None


class QueueSettings(Section):
    recall_cap: int = Field(3, ge=0, le=20)
    """How many times a called ticket may be recalled before it must be marked no-show."""
    target_minutes: int = Field(15, gt=0, le=240)
    """The service standard: seen within this many minutes of arrival (red past it)."""
    amber_minutes: int = Field(10, ge=0, le=240)
    """A waiting resident's wait shows amber from this many minutes, on every screen."""
    default_service_minutes: float = Field(8.0, gt=0, le=240)
    """Assumed time at the desk when a service has no recent history."""
    estimate_sample: int = Field(20, ge=1, le=500)
    """How many recent finished tickets of a service set its typical time."""
    staffed_desks_only: bool = True
    """Only a desk someone is logged in to calls residents and counts in wait estimates; false:
    an open desk does whether or not anyone has logged in (scripts that never log in)."""


class AppointmentSettings(Section):
    step_minutes: int = Field(15, ge=5, le=120, multiple_of=5)
    """Appointments start on this grid from opening time."""
    days_ahead: int = Field(56, ge=1, le=366)
    """How far ahead appointments can be booked."""
    grace_minutes: int = Field(15, ge=0, le=240)
    """An appointment not checked in this long after its start becomes a no-show."""
    early_check_in_minutes: int = Field(60, ge=0, le=600)
    """How long before the start a resident can check in (their ticket jumps the queue)."""
    reminders: Annotated[list[str], each_checked(_reminder)] = Field(
        default_factory=lambda: ["2 working days before at 09:00"]
    )
    """When reminders go out: "N working days before at HH:MM" or "N hours before"."""
    min_notice_working_days: int = Field(1, ge=0, le=30)
    """Notice the council must give when it cancels; less is recorded as a breach."""
    keep_contacts_days: int = Field(30, ge=0, le=3650)
    """Days after the appointment when the resident's name, email and phone are deleted."""
    change_line: str = Field(ENGLISH["message.change_line"], max_length=200)
    """How to change or cancel (a telephone number, web page or address): printed on slips and
    sent in every message but a cancellation. The default gives no way to reach the council:
    ``init`` and ``doctor`` say so while it is in force."""
    change_line_cy: str | None = Field(None, max_length=200)
    """The same in Welsh (a bilingual office)."""


class Settings(BaseModel, SettingsMethods):
    """The whole configuration of an office.

    ``OSS_DESK_*`` environment variables override it (``OSS_DESK_QUEUE__AMBER_MINUTES=8``):
    :func:`build_settings` reads them through pydantic-settings when any is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    council: CouncilConfig = CouncilConfig()
    """Who runs the office."""
    sites: list[SiteConfig] = Field(min_length=1)
    """The offices in this database (usually one)."""
    services: list[ServiceConfig] = Field(min_length=1)
    """The catalogue of services, each with its letter."""
    desks: list[DeskConfig] = Field(min_length=1)
    """Meet-and-greet desks, adviser desks and interview rooms."""
    staff: list[StaffConfig] = Field(default_factory=list)
    """The people who use oss-desk."""
    queue: QueueSettings = QueueSettings()
    """Queue rules."""
    board: BoardSettings = BoardSettings()
    """The queue display board."""
    printing: PrintingSettings = PrintingSettings()
    """Tickets and the device worker."""
    appointments: AppointmentSettings = AppointmentSettings()
    """Booking rules and reminders."""
    reports: ReportSettings = ReportSettings()
    """Report figures and how they are rated against the standards."""
    email: EmailSettings = EmailSettings()
    """Appointment emails through a mail server."""
    notify: NotifySettings = NotifySettings()
    """Texts (and emails, without a mail server) through GOV.UK Notify."""
    messages: MessageSettings = MessageSettings()
    """How long messages are retried, and when staff are alerted."""
    worker: WorkerSettings = WorkerSettings()
    """Who drives the printers, the board and the outbox."""
    access: AccessSettings = AccessSettings()
    """Who may do what (roles)."""
    backup: BackupSettings = BackupSettings()
    """Backups of the database (`oss-desk db backup`)."""
    retention: RetentionSettings = RetentionSettings()
    """How long personal data is kept (`oss-desk db purge`, and hourly by the worker)."""
    calls: CallsSettings = CallsSettings()
    """Importing the telephone system's call export (`oss-desk import calls`)."""
    signposting: SignpostingSettings = SignpostingSettings()
    """Where residents are signposted (reported by organisation)."""
    feedback: FeedbackSettings = FeedbackSettings()
    """Residents' ratings of their visit (the counter's feedback page)."""
    followups: FollowupSettings = Field(default_factory=FollowupSettings)
    """Ring-backs, referrals to back offices, comments, compliments and complaints."""

    serve: ServeSettings = ServeSettings()
    """Browser desks (`oss-desk serve`)."""
    texts: TextsSettings = TextsSettings()
    """Corrections to the wording residents read."""
    screen: ScreenSettings = ScreenSettings()
    """The waiting-room screen (`oss-desk screen`) and the phone page."""
    turn_texts: TurnTextSettings = TurnTextSettings()
    """Texts to residents' phones when it is nearly their turn."""
    desk: DeskSessionSettings = DeskSessionSettings()
    """Per-process desk settings (usually given in the environment)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Desk app keys to change: binding id = "key", e.g. "desk.call_next" = "space"."""

    @model_validator(mode="after")
    def _cross_references(self) -> Settings:
        """Every reference between sections, all problems at once (:class:`Problems`)."""
        problems = cross_reference_problems(self.model_dump(include=set(CROSS_REFERENCED)))
        if problems:
            raise Problems(problems)
        return self

    # (The convenience lookups, site_of, desk_services, service and contacts_days, are
    # SettingsMethods': the plain settings read back from the cache answer them too.)

    def file_document(self) -> dict[str, Any]:
        """The configuration as a plain document (what ``init`` stores in the database)."""
        return self.model_dump(mode="json", exclude={"desk"})


# Loading -------------------------------------------------------------------------------------


MAX_CONFIG_BYTES = 1 << 20
"""A configuration file is a regular file under 1 MiB (a real one is a few KiB)."""


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML document in ``path``: a regular file under 1 MiB (never a device, a pipe or a
    huge file: ``/dev/zero`` is refused at once), UTF-8, valid TOML."""
    text = read_small_text(path, MAX_CONFIG_BYTES, "configuration file", ConfigError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def read_small_text(
    path: Path, limit: int, what: str, error: type[ConfigError] | type[InvalidInput]
) -> str:
    """A small UTF-8 text file: must be a regular file of at most ``limit`` bytes."""
    try:
        data = files.read_bounded(path, limit)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what}") from None
    except files.NotARegularFile:
        raise error(f"{path}: not a regular file (a {what} must be one)") from None
    except files.TooLarge:
        raise error(f"{path}: larger than {limit // 1024} KiB: not a {what}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (expected UTF-8 TOML)") from None


def settings_in_environment(environ: dict[str, str] | None = None) -> bool:
    """Whether an ``OSS_DESK_*`` variable names a setting (``OSS_DESK_DESK__ID``,
    ``OSS_DESK_QUEUE``), as opposed to the paths and the clock (``OSS_DESK_DB``, ...)."""
    names = [ENV_PREFIX + name.upper() for name in Settings.model_fields]
    for key in os.environ if environ is None else environ:
        upper = key.upper()
        if upper.startswith(ENV_PREFIX) and any(
            upper == name or upper.startswith(name + "__") for name in names
        ):
            return True
    return False


def unknown_sections_in_environment(environ: dict[str, str] | None = None) -> list[str]:
    """``OSS_DESK_<SECTION>__<KEY>`` variables whose section is no section of the settings
    (``OSS_DESK_RETENTON__NOTES_DAYS``): pydantic-settings reads only the sections it knows, so a
    mistyped one was passed over, and a retention the administrator set was silently not in
    force. One line each, as an unknown key in a known section is."""
    sections = {name.upper() for name in Settings.model_fields}
    problems = []
    for key in sorted(os.environ if environ is None else environ):
        upper = key.upper()
        if not upper.startswith(ENV_PREFIX) or "__" not in upper:
            continue
        section = upper.removeprefix(ENV_PREFIX).split("__", 1)[0]
        if section not in sections:
            problems.append(
                f"{key} (environment): {section.lower()}: unknown section (check the spelling)"
            )
    return problems


@lru_cache(maxsize=1)
def _with_environment() -> type[Settings]:
    """``Settings`` that also reads ``OSS_DESK_*`` (pydantic-settings: nested ``__`` names,
    JSON for lists and sections, the environment winning over the file). Made on first need:
    the library and what it imports cost a short command about a quarter of its start-up."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class EnvironmentSettings(BaseSettings, Settings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX,
            env_nested_delimiter="__",
            extra="forbid",
            frozen=True,
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # The environment wins over the file (or the copy stored in the database).
            return (env_settings, init_settings)

    EnvironmentSettings.__name__ = EnvironmentSettings.__qualname__ = "Settings"
    return EnvironmentSettings


def build_settings(document: dict[str, Any], source: str, *, environment: bool = True) -> Settings:
    """Validate ``document`` (plus ``OSS_DESK_*`` overrides unless ``environment`` is false)
    or raise a one-line ConfigError."""
    if environment:
        unknown = unknown_sections_in_environment()
        if unknown:
            raise config_error(unknown, source)
    try:
        if environment and settings_in_environment():
            return _with_environment()(**document)
        return Settings(**document)
    except ValidationError as exc:
        raise config_error(validation_problems(exc, source, document), source) from None
    except ValueError as exc:  # e.g. an OSS_DESK_* variable that is not valid JSON
        from oss_desk.config_environment import unreadable_variable

        named = unreadable_variable(exc, Settings, ENV_PREFIX, os.environ)
        raise ConfigError(named or f"{source}: {exc}") from None
    except RecursionError:  # an OSS_DESK_* variable of JSON nested thousands deep
        raise ConfigError(
            f"{source}: a setting (or an OSS_DESK_* variable) is nested too deeply"
        ) from None


def load_file(path: Path) -> Settings:
    return build_settings(read_toml(path), str(path))


def validation_problems(exc: ValidationError, source: str, document: dict[str, Any]) -> list[str]:
    """Every problem of the settings, each one line (``config.toml: desks[2].services: unknown
    service 'Z'``): pydantic's, and the references between sections (the settings' own check,
    or, when other settings were wrong so that it did not run, the same check of the document
    as written): one run names them all."""
    problems: list[str] = []
    referenced = False
    for error in exc.errors(include_url=False):
        found = error.get("ctx", {}).get("error")
        if isinstance(found, Problems):
            referenced = True
            problems += [f"{source}: {problem}" for problem in found.problems]
        else:
            problems.append(_described(error, source))
    if not referenced:  # the document as the settings see it: the environment winning
        merged = _merged(document, _environment_values())
        problems += [f"{source}: {problem}" for problem in cross_reference_problems(merged)]
    return list(dict.fromkeys(" ".join(problem.split()) for problem in problems))


def _environment_values() -> dict[str, Any]:
    """The settings the ``OSS_DESK_*`` variables give, as nested sections (as read)."""
    from pydantic_settings import BaseSettings, EnvSettingsSource

    read = cast("type[BaseSettings]", _with_environment())  # it is one: made in there
    try:
        found = EnvSettingsSource(read, env_prefix=ENV_PREFIX, env_nested_delimiter="__")()
    except Exception:  # a malformed variable is named by pydantic's own errors
        return {}
    return dict(found)


def _merged(document: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(document)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = _merged(below, value)
        else:
            merged[key] = value
    return merged


def config_error(problems: list[str], source: str) -> ConfigError:
    """One problem: its line. Several: a first line that counts them, then one line each (the
    error's one-line message names them all, for the desk's notice and ``doctor``)."""
    if len(problems) == 1:
        return ConfigError(problems[0])
    head = f"{source}: {len(problems)} problems in the configuration"
    each = [problem.removeprefix(f"{source}: ") for problem in problems]
    return ConfigError(f"{head}: {'; '.join(each)}", lines=(f"{head}:", *each))


def _described(error: ErrorDetails, source: str) -> str:
    """``config.toml: sites[0].nation: Input should be 'ENG', ...`` (a setting given in the
    environment is named as its variable)."""
    loc = _format_loc(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting (check the spelling)"
    env_name = ENV_PREFIX + "__".join(str(p).upper() for p in error["loc"] if isinstance(p, str))
    where = f"{env_name} (environment)" if env_name in os.environ and error["loc"] else source
    return f"{where}: {loc + ': ' if loc else ''}{message}"


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out
