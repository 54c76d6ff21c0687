"""Two sites, and today's ticket codes on the command line (trial 11, C2). Both sites start at
C001 each day, so ``ticket start C001`` from the shell was refused at every one ("exists at
several sites today: give the ticket id instead", exit 2) and only ``--json`` showed the id.
A code is now looked up at the site the command acts for: its ``--site``, else its desk's, else
the site of the desk the person logged in to today. Where nothing says which, the refusal names
the sites, their tickets' ids, and ``--site``."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from .test_site_dropped import MONDAY, office, ok


def test_a_code_is_the_one_at_the_site_the_command_acts_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, _, _ = office(tmp_path, monkeypatch)
    issue = ("--user", "tl", "ticket", "issue", "--service", "C", "--json")
    at_hq = cli(*issue, "--desk", "greet-1", now=MONDAY)
    at_library = cli(*issue, "--desk", "lib-1", now=MONDAY)
    assert (at_hq.json()["code"], at_library.json()["code"]) == ("C001", "C001")
    hq_id, library_id = at_hq.json()["id"], at_library.json()["id"]

    # The adviser logged in at the Library today: C001 is the Library's, for every command.
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    assert ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "lib-1", now=MONDAY) == (
        f"C001 (id {library_id}) -> Library desk\n"
    )
    ok(cli, "--user", "adv", "ticket", "recall", "C001", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "start", "C001", now=MONDAY)
    shown = cli("--user", "adv", "ticket", "show", "C001", "--json", now=MONDAY)
    assert (shown.json()["id"], shown.json()["status"]) == (library_id, "serving")
    ok(cli, "--user", "adv", "ticket", "finish", "C001", "--outcome", "resolved", now=MONDAY)
    assert "finished" in ok(cli, "--user", "adv", "ticket", "history", "C001", now=MONDAY)

    # Nobody logged in, no desk: the refusal names both sites, the ids and --site.
    unsaid = cli("--user", "tl", "ticket", "show", "C001", now=MONDAY)
    assert (unsaid.code, unsaid.out) == (2, "")
    assert unsaid.err == (
        f"oss-desk: C001 exists today at Civic Centre (id {hq_id}) and Library (id "
        f"{library_id}): say which site, or give the ticket id (--site hq|library)\n"
    )
    said = cli("--user", "tl", "ticket", "show", "C001", "--site", "hq", "--json", now=MONDAY)
    assert said.json()["id"] == hq_id
    # A command with a desk: its site's C001; the team leader now logged in at the Civic
    # Centre: theirs, unless --site says otherwise.
    ok(cli, "--user", "tl", "desks", "login", "desk-1", now=MONDAY)
    called = ok(cli, "--user", "tl", "ticket", "call", "C001", "--desk", "desk-1", now=MONDAY)
    assert called == f"C001 (id {hq_id}) -> Desk 1\n"
    ok(cli, "--user", "tl", "ticket", "no-show", "C001", now=MONDAY)
    gone = cli("--user", "tl", "ticket", "show", str(hq_id), "--json", now=MONDAY)
    assert gone.json()["status"] == "no_show"
    other = cli("--user", "tl", "ticket", "show", "C001", "--site", "library", "--json", now=MONDAY)
    assert (other.json()["id"], other.json()["status"]) == (library_id, "done")
    # A code only the other site has today: where it is, and how to ask for it.
    ok(cli, *issue, "--desk", "greet-1", now=MONDAY)
    elsewhere = cli("--user", "adv", "ticket", "show", "C002", now=MONDAY)
    assert (elsewhere.code, elsewhere.err) == (
        5,
        "oss-desk: no ticket C002 today at Library; Civic Centre has one (--site hq)\n",
    )
    unknown = cli("--user", "tl", "ticket", "show", "C001", "--site", "nowhere", now=MONDAY)
    assert (unknown.code, unknown.err) == (
        5,
        "oss-desk: unknown site 'nowhere' (sites: hq, library)\n",
    )


def test_every_ticket_command_on_a_ref_takes_site() -> None:
    from oss_desk.cli.tickets import ticket

    on_a_ref = {
        name: command
        for name, command in ticket.commands.items()
        if any(p.name == "ref" for p in command.params)
    }
    assert {"start", "finish", "no-show", "recall", "transfer", "show", "history"} <= set(on_a_ref)
    for name, command in on_a_ref.items():
        with click.Context(command, info_name=name) as ctx:
            said = " ".join(command.get_help(ctx).split())
        assert "--site ID The site whose code REF is" in said, name


def test_call_next_and_queue_text_show_the_ids_at_an_office_of_two_sites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial 11, C2: both sites start at C001, so the text that tells a person which ticket to
    act on next shows the id beside the code (only --json showed it); the id shown is a REF
    that needs no --site. --json is as it was."""
    cli, _, _ = office(tmp_path, monkeypatch)
    issue = ("--user", "tl", "ticket", "issue", "--service", "C", "--json")
    hq = cli(*issue, "--desk", "greet-1", now=MONDAY).json()["id"]
    first = cli(*issue, "--desk", "lib-1", now=MONDAY).json()["id"]
    second = cli(*issue, "--desk", "lib-1", now=MONDAY).json()["id"]
    waiting = ok(cli, "--user", "tl", "queue", "--site", "library", now=MONDAY).splitlines()
    assert [line.split("  Council Tax")[0] for line in waiting[3:5]] == [
        f"    1. C001 (id {first})",
        f"    2. C002 (id {second})",
    ]
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    said = ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "lib-1", now=MONDAY)
    assert said == f"C001 (id {first}) -> Library desk\n"
    # The names after the codes line up as they did before the ids.
    shown = ok(cli, "--user", "tl", "queue", "--site", "library", now=MONDAY).splitlines()
    at_desk, next_up = shown[3], shown[6]
    assert at_desk.startswith(f"  C001 (id {first})  Council Tax")
    assert next_up.startswith(f"    1. C002 (id {second})  Council Tax")
    assert at_desk.index("Council Tax") + 5 == next_up.index("Council Tax")  # as before
    # The id said is enough to act on, from any shell, with no --site.
    ok(cli, "--user", "tl", "ticket", "start", str(first), now=MONDAY)
    started = cli("--user", "tl", "ticket", "show", str(first), "--json", now=MONDAY).json()
    assert (started["code"], started["status"]) == ("C001", "serving")
    # --json is unchanged: the ticket's own fields, its code without the id.
    listed = cli("--user", "tl", "queue", "--site", "library", "--json", now=MONDAY).json()
    assert [(t["id"], t["code"]) for t in listed] == [(first, "C001"), (second, "C002")]
    assert hq not in (first, second)


def test_an_office_of_one_site_shows_codes_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One site: a code names one ticket all day, and the text stays as it was."""
    from .conftest import Cli, make_db, site_toml

    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", now=MONDAY)
    assert (
        ok(cli, "--user", "tl", "queue", now=MONDAY)
        .splitlines()[3]
        .startswith("    1. C001  Council Tax")
    )
    said = ok(cli, "--user", "tl", "ticket", "call-next", "--desk", "desk-1", now=MONDAY)
    assert said == "C001 -> Desk 1\n"


def test_ticket_issue_names_the_ticket_as_the_queue_and_the_calls_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At two sites `ticket issue` said "C001  Council Tax ..." while `queue` and `call-next`
    said "C001 (id 4)" (a review): the code it gave was no REF the next command could take
    alone. Its line and its JSON (``code_said``) now name it the one way."""
    cli, _, _ = office(tmp_path, monkeypatch)
    issue = ("--user", "tl", "ticket", "issue", "--service", "C")
    ok(cli, *issue, "--desk", "lib-1", now=MONDAY)  # the Library's C001
    line = ok(cli, *issue, "--desk", "greet-1", now=MONDAY)
    data = cli(*issue, "--desk", "greet-1", "--json", now=MONDAY).json()
    assert data["code"] == "C002" and data["code_said"] == f"C002 (id {data['id']})"
    listed = ok(cli, "--user", "tl", "queue", "--site", "hq", now=MONDAY)
    said = line.split("  ")[0]
    assert said.startswith("C001 (id ") and f" {said}  Council Tax" in listed, (line, listed)
    assert f" {data['code_said']}  Council Tax" in listed
    shown = cli("--user", "tl", "ticket", "show", "C002", "--site", "hq", now=MONDAY)
    assert shown.out.startswith(f"{data['code_said']}  Council Tax  waiting"), shown.out
    ok(cli, "--user", "adv", "desks", "login", "desk-1", now=MONDAY)
    called = ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "desk-1", now=MONDAY)
    assert called.startswith(f"{said} -> "), (called, said)


def test_at_one_site_the_code_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import Cli, make_db, site_toml

    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    line = cli("ticket", "issue", "--service", "C", "--no-print", now=MONDAY).out
    assert line.startswith("C001  Council Tax  ("), line
    data = cli("ticket", "issue", "--service", "C", "--no-print", "--json", now=MONDAY).json()
    assert (data["code"], data["code_said"]) == ("C002", "C002")


def test_ticket_history_names_the_ticket_as_every_other_line_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review 21: at two sites `ticket history` headed "Visit of C001" (a C001 at each)."""
    cli, _, _ = office(tmp_path, monkeypatch)
    issue = ("--user", "tl", "ticket", "issue", "--service", "C")
    ok(cli, *issue, "--desk", "lib-1", now=MONDAY)  # the Library's C001
    data = cli(*issue, "--desk", "greet-1", "--json", now=MONDAY).json()
    history = ok(cli, "--user", "tl", "ticket", "history", str(data["id"]), now=MONDAY)
    assert history.splitlines()[0] == f"Visit of {data['code_said']}", history
