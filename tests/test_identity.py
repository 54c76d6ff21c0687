"""Real identities: who acts is the login's own person; naming someone else needs an admin's
login (or an office that allows it for training); a refusal is recorded; every event records
the account and the person."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.config import build_settings
from oss_desk.errors import Forbidden
from oss_desk.services.session import (
    PROXY_USER_ENV,
    IdentityRefused,
    open_session,
    process_account,
    resolve_identity,
)
from oss_desk.storage.events import process_account as os_account

from .conftest import MONDAY_0930, Cli, make_db

NOW = "2026-11-23T10:00:00Z"
ME = os_account()  # the account these tests run as


def office_toml(*, user_override: str | None = None, me_as: str = "adviser") -> str:
    """A real office's configuration (strict unless told): this login is Ben, an adviser (or
    an admin); Amina leads the team; Chloe greets."""
    access = f'[access]\nuser_override = "{user_override}"\n' if user_override else ""
    return f"""{access}
[[sites]]
id = "hq"
name = "Civic Centre"

[[services]]
code = "C"
name = "Council Tax"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"
person = "chloe"

[[desks]]
id = "desk-1"
person = "ben"

[[staff]]
id = "ben"
name = "Ben Walker"
role = "{me_as}"
login = "{ME}"

[[staff]]
id = "amina"
name = "Amina Khan"
role = "team-leader"
login = "amina.k"

[[staff]]
id = "chloe"
name = "Chloe Price"
role = "meet-and-greet"
login = "chloe.p"
"""


def events(db: Path, kind: str) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [
            (str(r[0]), str(r[1]), str(r[2]))
            for r in conn.execute(
                "SELECT actor, account, data FROM events WHERE kind = ? ORDER BY id", [kind]
            )
        ]
    finally:
        conn.close()


def test_the_login_acts_as_its_own_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path, office_toml())
    cli = Cli(db, monkeypatch)
    assert cli("desks", "login", "desk-1", now=NOW).code == 0  # only a staffed desk calls
    result = cli("ticket", "call-next", "--desk", "desk-1", now=NOW)
    assert result.code == 0, result.err
    assert cli("--user", "ben", "desks", "break", "desk-1", now=NOW).code == 0  # naming oneself
    status = events(db, "desk_status")
    assert status == [("ben", ME, status[0][2])]  # the person and the account


def test_naming_someone_else_from_a_non_admin_login_is_refused_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml())
    cli = Cli(db, monkeypatch)
    for how in (("--user", "amina"), ()):
        env = {} if how else {"OSS_DESK_USER": "amina.k"}
        result = cli(*how, "ticket", "issue", "--service", "C", now=NOW, env=env)
        assert result.code == 9, result.err
        assert result.out == "" and result.err.count("\n") == 1
        assert f"the login '{ME}' may not act as 'amina'" in result.err
        # The same line says how a script run from this login is let through (trial 10 C2):
        # this login is Ben's, so Ben's entry is made an admin's (a second [[staff]] entry with
        # the same login, the advice it gave before, is refused by init: an IT officer's trial).
        assert 'give ben (Ben Walker) role = "admin" in the configuration' in result.err
        assert "[[staff]] entry with login" not in result.err
    # The desk.person setting is a claim like any other.
    result = cli("queue", now=NOW, env={"OSS_DESK_DESK__PERSON": "chloe"})
    assert result.code == 9 and "may not act as 'chloe'" in result.err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    conn.close()
    refused = events(db, "identity_refused")
    assert [(actor, account) for actor, account, _ in refused] == [("ben", ME)] * 3
    assert [data for *_, data in refused] == [
        '{"asked_for":"amina"}',
        '{"asked_for":"amina"}',
        '{"asked_for":"chloe"}',
    ]
    # The chain holds the refusals like every other event.
    assert cli("db", "check", now=NOW).code == 0


def test_an_admins_login_may_act_for_someone_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(me_as="admin"))
    cli = Cli(db, monkeypatch)
    result = cli("--user", "chloe", "ticket", "issue", "--service", "C", now=NOW)
    assert result.code == 0, result.err
    assert [(a, acc) for a, acc, _ in events(db, "ticket_issued")] == [("chloe", ME)]
    assert events(db, "identity_refused") == []


def test_training_offices_allow_anyone_to_name_anyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(user_override="anyone"))
    cli = Cli(db, monkeypatch)
    assert cli("--user", "chloe", "ticket", "issue", "--service", "C", now=NOW).code == 0
    assert [(a, acc) for a, acc, _ in events(db, "ticket_issued")] == [("chloe", ME)]


def test_in_a_training_office_a_listed_login_at_a_desk_acts_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training (anyone may name anyone): the team leader's own login, naming nobody, cancels
    and marks no-show a ticket at Ben's desk as the team leader, never as Ben (whose role may
    not cancel); only a login not on the staff list acts as the person at the desk."""
    text = (
        office_toml(user_override="anyone")
        .replace(f'login = "{ME}"', 'login = "ben.w"')
        .replace('login = "amina.k"', f'login = "{ME}"')
    )
    db = make_db(tmp_path, text)
    cli = Cli(db, monkeypatch)
    assert cli("--user", "ben", "desks", "login", "desk-1", now=NOW).code == 0
    for _ in range(2):
        issued = cli("--user", "chloe", "ticket", "issue", "--service", "C", now=NOW)
        assert issued.code == 0, issued.err
    for code, command in (("C001", "cancel"), ("C002", "no-show")):
        assert cli("--user", "ben", "ticket", "call-next", "--desk", "desk-1", now=NOW).code == 0
        result = cli("ticket", command, code, now=NOW)
        assert result.code == 0, result.err
    assert [a for a, *_ in events(db, "called")] == ["ben", "ben"]
    assert [a for a, *_ in events(db, "cancelled")] == ["amina"]
    assert [a for a, *_ in events(db, "no_show")] == ["amina"]
    # The desk's own command from this login is the team leader's too.
    settings = build_settings(tomllib.loads(text), "office.toml")
    here = resolve_identity(settings, "desk-1", None, account=ME, logged_in="ben")
    assert here.person == "amina"
    assert resolve_identity(settings, "desk-1", None, account="kiosk").person == "ben"


def test_a_login_not_on_the_staff_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not staff (a script, a kiosk): it acts as itself, or at a desk as the desk's person (no
    one has signed in there); naming anyone else is refused."""
    text = office_toml().replace(f'login = "{ME}"', 'login = "someone.else"')
    db = make_db(tmp_path, text)
    settings = build_settings(tomllib.loads(text), "office.toml")
    assert resolve_identity(settings, None, None, account="kiosk").person == "kiosk"
    assert resolve_identity(settings, "greet-1", None, account="kiosk").person == "chloe"
    assert resolve_identity(settings, None, "amina", account="kiosk").refused == "amina"
    cli = Cli(db, monkeypatch)
    refused = cli("--user", "amina", "queue", now=NOW)
    assert refused.code == 9


def test_sudo_and_the_proxy_name_the_account_only_for_the_databases_owner(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, office_toml())
    others = str(os.geteuid() + 1)
    # The database's owner (the service account) started by sudo or by the proxy.
    assert process_account(db, {"SUDO_USER": "amina.k", "SUDO_UID": others}) == "amina.k"
    assert process_account(db, {PROXY_USER_ENV: "chloe.p"}) == "chloe.p"
    # sudo to oneself changes nothing.
    assert process_account(db, {"SUDO_USER": "amina.k", "SUDO_UID": str(os.geteuid())}) == ME
    # Anyone else who sets the variables is still themselves.
    if os.geteuid() == 0:
        os.chown(db, 65534, 65534)
        try:
            assert process_account(db, {"SUDO_USER": "amina.k", "SUDO_UID": others}) == ME
            assert process_account(db, {PROXY_USER_ENV: "chloe.p"}) == ME
        finally:
            os.chown(db, 0, 0)


def test_a_session_records_the_sudo_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path, office_toml())
    monkeypatch.setenv("SUDO_USER", "amina.k")
    monkeypatch.setenv("SUDO_UID", str(os.geteuid() + 1))
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), desk_id="desk-1")
    try:
        assert session.actor.person == "amina" and session.account == "amina.k"
    finally:
        session.close()
    with pytest.raises(IdentityRefused):
        open_session(db=db, clock=FixedClock(MONDAY_0930), person="chloe").close()
    assert isinstance(IdentityRefused("x"), Forbidden)


def test_the_refusal_names_the_entry_the_login_was_matched_to_by_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login that is a staff member's id (no ``login`` on the entry) acts as that member; the
    refusal's advice names that same entry (a review: it told the admin to add a second entry
    with that login, then, once added, to make an admin of the entry that was one already)."""
    toml = (
        office_toml()
        .replace(f'login = "{ME}"\n', "")
        .replace('id = "ben"', f'id = "{ME}"')
        .replace('person = "ben"', f'person = "{ME}"')
    )
    db = make_db(tmp_path, toml)
    result = Cli(db, monkeypatch)("--user", "amina", "queue", now=NOW)
    assert result.code == 9, result.err
    assert f'give {ME} (Ben Walker) role = "admin" in the configuration' in result.err
