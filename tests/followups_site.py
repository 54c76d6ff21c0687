"""A small office for the follow-up tests: every role, back offices, the default categories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import Cli, CliResult, make_db

STAFF = {
    "gil": ("Gil Greeter", "meet-and-greet"),
    "ana": ("Ana Adviser", "adviser"),
    "bob": ("Bob Adviser", "adviser"),
    "tl": ("Tia Leader", "team-leader"),
    "adm": ("Ada Admin", "admin"),
}


def office_toml(
    *,
    nation: str = "ENG",
    closures: tuple[str, ...] = (),
    printer: str = "",
    extra: str = "",
) -> str:
    staff = "".join(
        f'\n[[staff]]\nid = "{sid}"\nname = "{name}"\nrole = "{role}"\nappointments = []\n'
        for sid, (name, role) in STAFF.items()
    )
    greet_printer = f'printer = "{printer}"\n' if printer else ""
    return f"""
[council]
name = "Test Council"

[[sites]]
id = "hq"
name = "Civic Centre"
nation = "{nation}"
closures = {json.dumps(list(closures))}

[[services]]
code = "C"
name = "Council Tax"

[[services]]
code = "H"
name = "Housing - homelessness"
label = "Housing"

[[services]]
code = "W"
name = "Waste"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"
person = "gil"
{greet_printer}
[[desks]]
id = "desk-1"
person = "ana"

[[desks]]
id = "desk-2"
person = "bob"
{staff}
[access]
unlisted_role = "none"
user_override = "anyone"  # acts as many people from one login

[[followups.back_offices]]
id = "revenues"
name = "Revenues"
sla_working_days = 5
contact = "ext 4100"

[[followups.back_offices]]
id = "housing"
name = "Housing options"
sla_working_days = 3
contact = "ext 4300"
{extra}
"""


def make_office(tmp_path: Path, **kwargs: Any) -> Path:
    return make_db(tmp_path, office_toml(**kwargs))


def ok(result: CliResult) -> CliResult:
    """A command that must succeed (else the test fails with its stderr)."""
    assert result.code == 0, result.err
    return result


def run_json(cli: Cli, *args: str, now: str) -> Any:
    """The JSON a command that must succeed prints with ``--json``."""
    return json.loads(ok(cli(*args, "--json", now=now)).out)
