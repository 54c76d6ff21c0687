"""A small office for the appointment tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise

# Monday 23 November 2026, 10:00 in London (GMT).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def office_toml(
    smtp_url: str = "", notify_url: str = "", key_file: str = "", extra: str = "", printer: str = ""
) -> str:
    email = (
        f'[email]\nsmtp_url = "{smtp_url}"\nfrom_address = "appointments@test.example"\n'
        if smtp_url
        else ""
    )
    notify = (
        f'[notify]\nbase_url = "{notify_url}"\napi_key_file = "{key_file}"\n'
        'email_template = "11111111-1111-1111-1111-111111111111"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        if notify_url
        else ""
    )
    greet_printer = f'printer = "{printer}"\n' if printer else ""
    return f"""
[council]
name = "Test Council"

[access]
user_override = "anyone"  # acts as many people from one login
name_unlisted = true  # and as people not on the staff list

[[sites]]
id = "hq"
name = "Civic Centre"
address = "Market Street, Testtown"
nation = "ENG"

[[services]]
code = "C"
name = "Council Tax"
appointment_minutes = 20
checklist = ["Your bill", "Photo ID"]

[[services]]
code = "H"
name = "Housing - homelessness"
label = "Housing"
appointment_minutes = 45
private_room = true
checklist = ["ID for everyone in the household", "Proof of address"]

[[services]]
code = "W"
name = "Waste"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"
{greet_printer}
[[desks]]
id = "desk-1"
name = "Desk 1"

[[desks]]
id = "room-1"
name = "Interview room 1"
kind = "interview-room"
services = ["H", "C"]

[[staff]]
id = "ana"
name = "Ana Adviser"
role = "adviser"
appointments = ["C", "H"]
works = {{ mon = "09:00-12:30,13:30-17:00" }}

[[staff]]
id = "bob"
name = "Bob Adviser"
role = "adviser"
appointments = ["C"]
works = {{ wed = "off" }}

[[staff]]
id = "tl"
name = "Team Leader"
role = "team-leader"

[queue]
staffed_desks_only = false

[appointments]
grace_minutes = 15
keep_contacts_days = 30

{email}
{notify}
{extra}
"""


def make_office(tmp_path: Path, now: datetime = NOW, **kwargs: str) -> Path:
    config = tmp_path / "office.toml"
    config.write_text(office_toml(**kwargs))
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(now), config_path=config)
    return db


def service_at(
    db: Path, clock: FixedClock, desk: str | None = "greet-1", person: str = "tl"
) -> tuple[AppointmentService, Session]:
    session = open_session(db=db, clock=clock, person=person, desk_id=desk)
    return AppointmentService(session), session
