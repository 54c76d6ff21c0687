"""Who gets which desk in a browser: the rules of oss_desk.services.browser_desks."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.cli.serve import is_loopback
from oss_desk.config import Settings, load_file
from oss_desk.errors import NotFound, PermissionDenied
from oss_desk.services.browser_desks import NotSignedIn, choose_browser_desk, choose_desk

from .conftest import make_db, site_toml

STAFF = """
[[staff]]
id = "greeter"
name = "Gail Greeter"
role = "meet-and-greet"
login = "gail"

[[staff]]
id = "adv"
name = "Adam Adviser"
role = "adviser"
login = "ADAM@council.example"

[[staff]]
id = "own"
name = "Olu Owner"
role = "adviser"
login = "olu"

[[staff]]
id = "nologin"
name = "No Login"
role = "admin"
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    toml = site_toml(desks=2).replace(
        '[[desks]]\nid = "desk-2"', '[[desks]]\nid = "desk-2"\nperson = "own"'
    )
    path = tmp_path / "site.toml"
    path.write_text(toml.replace("[queue]", STAFF + "\n[queue]"), encoding="utf-8")
    return load_file(path)


def test_the_login_must_be_a_staff_login(settings: Settings) -> None:
    for login in (None, "", "   "):
        with pytest.raises(NotSignedIn, match="no signed-in user"):
            choose_desk(settings, login, None)
    with pytest.raises(NotSignedIn, match="not on this office's staff list") as unknown:
        choose_desk(settings, "mallory", None)
    # Signed in, but not one of ours: the page says so, not "Not signed in".
    assert unknown.value.title == "Not on the staff list"
    # The staff id is not a login; logins are matched exactly.
    with pytest.raises(NotSignedIn):
        choose_desk(settings, "adv", None)
    with pytest.raises(NotSignedIn):
        choose_desk(settings, "adam@council.example", None)
    with pytest.raises(NotSignedIn):
        choose_desk(settings, "nologin", None)
    with pytest.raises(NotSignedIn, match="not valid"):
        choose_desk(settings, "gail\x00", None)
    with pytest.raises(NotSignedIn, match="not valid"):
        choose_desk(settings, "g" * 65, None)
    assert choose_desk(settings, " ADAM@council.example ", "desk-1").person == "adv"


def test_the_desk_follows_the_role_and_the_person(settings: Settings) -> None:
    # Only one meet-and-greet desk: it is Gail's without asking.
    greeter = choose_desk(settings, "gail", None)
    assert (greeter.person, greeter.desk) == ("greeter", "greet-1")
    assert [d.id for d in greeter.allowed] == ["greet-1"]
    # An adviser with no desk of their own chooses among adviser desks and interview rooms.
    adviser = choose_desk(settings, "ADAM@council.example", None)
    assert adviser.desk is None
    assert [d.id for d in adviser.allowed] == ["room-1", "desk-1", "desk-2"]
    # A desk whose person they are is theirs by default; another may still be chosen.
    assert choose_desk(settings, "olu", None).desk == "desk-2"
    assert choose_desk(settings, "olu", "desk-1").desk == "desk-1"
    # Outside the role: refused; unknown desk: not found.
    with pytest.raises(PermissionDenied, match="adviser staff cannot use desk 'greet-1'"):
        choose_desk(settings, "olu", "greet-1")
    with pytest.raises(PermissionDenied, match="meet-and-greet staff cannot use desk"):
        choose_desk(settings, "gail", "desk-1")
    with pytest.raises(NotFound, match="unknown desk"):
        choose_desk(settings, "gail", "desk-99")


def test_team_leaders_may_use_every_desk(settings: Settings) -> None:
    tl = settings.model_copy(
        update={
            "staff": [
                *settings.staff,
                settings.staff[0].model_copy(
                    update={"id": "tl2", "login": "tl", "role": "team-leader"}
                ),
            ]
        }
    )
    choice = choose_desk(tl, "tl", None)
    assert choice.desk is None and len(choice.allowed) == len(settings.desks)
    assert choose_desk(tl, "tl", "greet-1").desk == "greet-1"


def test_the_header_is_a_setting_read_from_the_office_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml().replace("[queue]", STAFF + "\n[queue]"))
    choice, _ = choose_browser_desk(
        db=db, config=None, headers={"X-Remote-User": "gail"}, requested=None
    )
    assert choice.desk == "greet-1"
    monkeypatch.setenv("OSS_DESK_SERVE__USER_HEADER", "X-Forwarded-User")
    with pytest.raises(NotSignedIn):
        choose_browser_desk(db=db, config=None, headers={"X-Remote-User": "gail"}, requested=None)
    choice, _ = choose_browser_desk(
        db=db, config=None, headers={"X-Forwarded-User": "gail"}, requested=None
    )
    assert choice.person == "greeter"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("desks.example", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
