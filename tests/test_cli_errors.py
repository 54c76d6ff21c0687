"""Every bad input to every command: one line on stderr, a non-zero exit, no traceback, and the
database left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .cli_here import run_cli_here
from .conftest import Cli, db_content, make_db, office_for_the_file, run_cli_process, site_toml

NOW = "2026-11-23T10:00:00Z"
LONG = "C" * 10_000

# (name, arguments, extra environment, a fragment of the expected message)
CASES: list[tuple[str, list[str], dict[str, str], str]] = [
    ("unknown service", ["ticket", "issue", "--service", "Z"], {}, "unknown service 'Z'"),
    ("empty service", ["ticket", "issue", "--service", ""], {}, "is not a service code"),
    (
        "sql as service",
        ["ticket", "issue", "--service", "C'; DROP TABLE tickets;--"],
        {},
        "is not a service code",
    ),
    ("huge service", ["ticket", "issue", "--service", LONG], {}, "is not a service code"),
    ("missing service", ["ticket", "issue"], {}, "Missing option '--service'"),
    (
        "unknown option",
        ["ticket", "issue", "--service", "C", "--colour", "red"],
        {},
        "No such option '--colour'",
    ),
    ("unknown command", ["ticket", "print"], {}, "No such command 'print'"),
    (
        "unknown desk",
        ["ticket", "issue", "--service", "C", "--desk", "desk-99"],
        {},
        "unknown desk 'desk-99'",
    ),
    ("sql as desk", ["ticket", "call-next", "--desk", "desk-1' OR '1'='1"], {}, "unknown desk"),
    (
        "control chars",
        ["ticket", "call-next", "--desk", "desk\x1b[31m"],
        {},
        "unknown desk 'desk?[31m'",
    ),
    (
        "unknown site",
        ["ticket", "issue", "--service", "C", "--site", "mars"],
        {},
        "unknown site 'mars'",
    ),
    (
        "bad need",
        ["ticket", "issue", "--service", "C", "--needs", "wheelchairs"],
        {},
        "unknown need 'wheelchairs'",
    ),
    (
        "empty interpreter",
        ["ticket", "issue", "--service", "C", "--needs", "bsl,interpreter:"],
        {},
        "an interpreter need names the language, e.g. interpreter:polish",
    ),
    (
        "stray comma",
        ["ticket", "issue", "--service", "C", "--needs", "bsl,,wheelchair"],
        {},
        "stray comma",
    ),
    (
        "bad printer url",
        ["ticket", "issue", "--service", "C", "--print-to", "lpt1"],
        {},
        "printer URL 'lpt1' must start with",
    ),
    (
        "private room nowhere",
        ["ticket", "issue", "--service", "C", "--needs", "private-room"],
        {},
        "no desk with a private room serves Council Tax",
    ),
    ("missing desk", ["ticket", "call-next"], {}, "Missing option '--desk'"),
    ("desk on break", ["ticket", "call-next", "--desk", "desk-4"], {}, "Desk 4 is on a break"),
    (
        "unknown ticket code",
        ["ticket", "finish", "C999", "--outcome", "resolved"],
        {},
        "no ticket C999 today",
    ),
    ("unknown ticket id", ["ticket", "no-show", "99999"], {}, "no ticket with id 99999"),
    (
        "sql as ticket",
        ["ticket", "finish", "1 OR 1=1", "--outcome", "resolved"],
        {},
        "is not a ticket",
    ),
    (
        "unknown outcome",
        ["ticket", "finish", "C002", "--outcome", "sorted"],
        {},
        "unknown outcome 'sorted'",
    ),
    (
        "finish a waiting ticket",
        ["ticket", "finish", "C001", "--outcome", "resolved"],
        {},
        "C001 is waiting: only a called or serving ticket can be finished",
    ),
    (
        "recall a waiting ticket",
        ["ticket", "recall", "C001"],
        {},
        "only a called ticket can be recalled",
    ),
    ("no-show a waiting ticket", ["ticket", "no-show", "C001"], {}, "use cancel"),
    ("start a finished ticket", ["ticket", "start", "B001"], {}, "B001 is finished"),
    ("transfer nowhere", ["ticket", "transfer", "C001"], {}, "say where to transfer to"),
    (
        "transfer to unknown",
        ["ticket", "transfer", "C001", "--service", "Z"],
        {},
        "unknown service 'Z'",
    ),
    (
        "transfer to same",
        ["ticket", "transfer", "C001", "--service", "C"],
        {},
        "already in that service",
    ),
    (
        "cancel reason",
        ["ticket", "cancel", "C001", "--reason", "bored"],
        {},
        "Invalid value for '--reason'",
    ),
    (
        "call out of service",
        ["ticket", "call", "C001", "--desk", "room-1"],
        {},
        "Interview room does not serve Council Tax",
    ),
    (
        "quick bad outcome",
        ["visit", "quick", "--service", "W", "--outcome", "maybe"],
        {},
        "unknown outcome 'maybe'",
    ),
    (
        "quick unknown service",
        ["visit", "quick", "--service", "Q", "--outcome", "resolved"],
        {},
        "unknown service 'Q'",
    ),
    ("queue unknown site", ["queue", "--site", "mars"], {}, "unknown site 'mars'"),
    (
        "bad date",
        ["report", "daily", "--date", "2026-13-45"],
        {},
        "--date '2026-13-45' is not a date",
    ),
    ("word date", ["report", "daily", "--date", "yesterday"], {}, "is not a date"),
    ("bad format", ["report", "daily", "--format", "pdf"], {}, "Invalid value for '--format'"),
    (
        "bad month",
        ["report", "monthly", "--month", "2026-13"],
        {},
        "--month '2026-13' is not a month (expected YYYY-MM)",
    ),
    ("word month", ["report", "monthly", "--month", "october"], {}, "is not a month"),
    ("day as month", ["report", "monthly", "--month", "2026-10-01"], {}, "is not a month"),
    ("report unknown site", ["report", "daily", "--site", "mars"], {}, "unknown site 'mars'"),
    ("monthly unknown site", ["report", "monthly", "--site", "mars"], {}, "unknown site 'mars'"),
    (
        "monthly bad format",
        ["report", "monthly", "--format", "xlsx"],
        {},
        "Invalid value for '--format'",
    ),
    (
        "missing include",
        ["report", "daily", "--include", "/nonexistent/north.sqlite"],
        {},
        "no database at /nonexistent/north.sqlite",
    ),
    ("desk status unknown desk", ["desks", "open", "desk-99"], {}, "unknown desk 'desk-99'"),
    (
        "now not a time",
        ["ticket", "issue", "--service", "C"],
        {"OSS_DESK_NOW": "tomorrow"},
        "OSS_DESK_NOW 'tomorrow' is not an ISO 8601 instant",
    ),
    (
        "now without offset",
        ["ticket", "issue", "--service", "C"],
        {"OSS_DESK_NOW": "2026-11-23T09:00:00"},
        "has no UTC offset",
    ),
    (
        "env setting not a number",
        ["ticket", "recall", "C002"],
        {"OSS_DESK_QUEUE__RECALL_CAP": "lots"},
        "OSS_DESK_QUEUE__RECALL_CAP (environment): queue.recall_cap: Input should be a valid "
        "integer",
    ),
    (
        "env target zero",
        ["queue"],
        {"OSS_DESK_QUEUE__TARGET_MINUTES": "0"},
        "queue.target_minutes: Input should be greater than 0",
    ),
    ("demo and config", ["init", "--demo", "--config", "x.toml"], {}, "either --demo or --config"),
    ("import calls missing file", ["import", "calls", "no-such-calls.csv"], {}, "no such file"),
    ("import calls a folder", ["import", "calls", "/"], {}, "/: is a directory"),
    ("import calls no file", ["import", "calls"], {}, "Missing argument 'FILE'"),
    (
        "import calls bad mapping",
        ["import", "calls", "x.csv", "--mapping", "wait"],
        {},
        "--mapping 'wait': expected KEY=COLUMN",
    ),
    (
        "import calls unknown mapping key",
        ["import", "calls", "x.csv", "--mapping", "caller=Caller"],
        {},
        "unknown key 'caller'",
    ),
    (
        "import calls unknown site",
        ["import", "calls", "x.csv", "--site", "mars"],
        {},
        "unknown site 'mars'",
    ),
    (
        "import calls bad time format",
        ["import", "calls", "x.csv"],
        {"OSS_DESK_CALLS__TIME_FORMAT": '["%Q"]'},
        "time format '%Q' is not a strftime format",
    ),
]


def _prepare(cli: Cli) -> list[str]:
    """A day in progress: C001 waiting, C002 called, B001 done, desk-4 on a break."""
    for args in (
        ["ticket", "issue", "--service", "C"],
        ["ticket", "issue", "--service", "C"],
        ["ticket", "issue", "--service", "B"],
        ["ticket", "call", "B001", "--desk", "desk-1"],
        ["ticket", "finish", "B001", "--outcome", "resolved"],
        ["ticket", "call", "C002", "--desk", "desk-2"],
        ["desks", "break", "desk-4"],
    ):
        result = cli(*args, now=NOW)
        assert result.code == 0, (args, result.err)
    return db_content(cli.db)


@pytest.fixture(scope="module")
def day_in_progress(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The office with its day in progress (:func:`_prepare`), made once for the file: each
    test works on a copy of it (:func:`prepared`)."""
    folder = tmp_path_factory.mktemp("day-in-progress")
    with office_for_the_file(folder) as m:
        _prepare(Cli(make_db(folder, site_toml()), m))
    return folder / "office.sqlite"


@pytest.fixture
def prepared(day_in_progress: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A copy of the office with its day in progress, for one test: the same file as
    :func:`_prepare` leaves, without making the office and its day again for each test."""
    db = tmp_path / "office.sqlite"
    shutil.copy2(day_in_progress, db)
    return Cli(db, monkeypatch)


def assert_one_line_error(code: int, out: str, err: str, fragment: str) -> None:
    assert code != 0
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    assert err.startswith("oss-desk: ")
    assert fragment in err, err


@pytest.mark.parametrize(("name", "args", "env", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(
    prepared: Cli, name: str, args: list[str], env: dict[str, str], fragment: str
) -> None:
    cli, before = prepared, db_content(prepared.db)
    result = cli(*args, now=env.pop("OSS_DESK_NOW", NOW), env=env)
    assert_one_line_error(result.code, result.out, result.err, fragment)
    assert db_content(cli.db) == before


def _config_cases(tmp_path: Path) -> list[tuple[str, Path, str]]:
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('[council]\nname = "Unclosed\n')
    value = tmp_path / "value.toml"
    value.write_text(
        '[[sites]]\nid = "hq"\nname = "HQ"\n[[services]]\ncode = "CT"\nname = "Council Tax"\n'
        '[[desks]]\nid = "d1"\n'
    )
    crossref = tmp_path / "crossref.toml"
    crossref.write_text(
        '[[sites]]\nid = "hq"\nname = "HQ"\n[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[desks]]\nid = "d1"\nservices = ["C", "Z"]\n'
    )
    typo = tmp_path / "typo.toml"
    typo.write_text(
        '[[sites]]\nid = "hq"\nname = "HQ"\nopening_hour = {}\n[[services]]\ncode = "C"\n'
        'name = "Council Tax"\n[[desks]]\nid = "d1"\n'
    )
    mail = tmp_path / "mail.toml"  # a colon missing: it was sent to localhost:587, unexplained
    mail.write_text(
        '[[sites]]\nid = "hq"\nname = "HQ"\n[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[desks]]\nid = "d1"\n[email]\nsmtp_url = "smtp//127.0.0.1:8025"\n'
    )
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    return [
        ("syntax", syntax, f"{syntax}: invalid TOML: "),
        ("value", value, f"{value}: services[0].code: String should match pattern"),
        ("crossref", crossref, "desks[0] (d1): unknown service 'Z'"),
        ("typo", typo, f"{typo}: sites[0].opening_hour: unknown setting (check the spelling)"),
        (
            "mail",
            mail,
            f"{mail}: email.smtp_url: mail server 'smtp//127.0.0.1:8025' must start with one of "
            "smtp://, smtps://, capture://",
        ),
        ("binary", binary, "not a text file"),
        ("missing", tmp_path / "nowhere.toml", "no such configuration file"),
        ("directory", tmp_path, "is a directory, not a configuration file"),
    ]


def test_bad_call_exports(prepared: Cli, tmp_path: Path) -> None:
    cli, before = prepared, db_content(prepared.db)
    header = "Call Start,Answered,Queue Time\n"
    cases = [
        ("empty.csv", b"", "empty.csv: is empty"),
        ("binary.csv", b"\x00\x01\x02PK", "not a text file"),
        ("bad-row.csv", (header + "01/10/2026 09:00,Y,abc\n").encode(), "line 2: 'Queue Time'"),
        ("columns.csv", b"Start,Wait\n", "the file has: 'Start', 'Wait'"),
    ]
    for name, content, fragment in cases:
        path = tmp_path / name
        path.write_bytes(content)
        for extra in ([], ["--json"]):
            result = cli("import", "calls", str(path), *extra, now=NOW)
            assert_one_line_error(result.code, result.out, result.err, fragment)
    assert db_content(cli.db) == before


def test_bad_configuration_files(prepared: Cli, tmp_path: Path) -> None:
    cli, before = prepared, db_content(prepared.db)
    for name, path, fragment in _config_cases(tmp_path):
        for args in (["--config", str(path), "queue"], ["init", "--config", str(path)]):
            result = cli(*args, now=NOW)
            assert_one_line_error(result.code, result.out, result.err, fragment)
            assert db_content(cli.db) == before, name


def test_bad_database_paths(prepared: Cli, tmp_path: Path) -> None:
    cli, before = prepared, db_content(prepared.db)
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    cases = [
        (["--db", str(text), "queue"], "is not an SQLite database"),
        (["--db", str(text), "init", "--demo"], "is not an SQLite database"),
        (["--db", str(tmp_path / "none.sqlite"), "queue"], "no database at"),
        (["--db", str(blocker / "x.sqlite"), "init"], "cannot create"),
        (["--db", str(tmp_path), "queue"], "is a directory"),
    ]
    for args, fragment in cases:
        result = cli(*args, now=NOW)
        assert_one_line_error(result.code, result.out, result.err, fragment)
    assert text.read_text() == "shopping list\n"
    assert not (tmp_path / "none.sqlite").exists()
    assert db_content(cli.db) == before


def test_bad_include_files(prepared: Cli, tmp_path: Path) -> None:
    """Another office's database that is not one: one line, and nothing written anywhere."""
    import sqlite3

    cli, before = prepared, db_content(prepared.db)
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\n")
    foreign = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    foreign_bytes = foreign.read_bytes()
    cases = [
        (text, "is not an SQLite database"),
        (foreign, "is not an oss-desk database"),
        (tmp_path, "is a directory"),
        (tmp_path / "none.sqlite", "no database at"),
        (cli.db, "is included twice (or is this office)"),
    ]
    for report in (["daily"], ["monthly"]):
        for path, fragment in cases:
            result = cli("report", *report, "--include", str(path), now=NOW)
            assert_one_line_error(result.code, result.out, result.err, fragment)
    assert text.read_text() == "shopping list\n"
    assert foreign.read_bytes() == foreign_bytes
    assert not (tmp_path / "none.sqlite").exists()
    assert db_content(cli.db) == before


def test_errors_from_a_real_process(db_path: Path) -> None:
    """What a script sees: exit status and exactly one line, from the installed command."""
    env = {"OSS_DESK_DB": str(db_path), "OSS_DESK_NOW": NOW}
    for args, fragment, status in [
        (["ticket", "issue", "--service", "Z"], "unknown service 'Z'", 5),
        (["ticket", "issue"], "Missing option '--service'", 2),
        (["report", "daily", "--date", "soon"], "is not a date", 2),
    ]:
        proc = run_cli_process(*args, env=env)
        assert proc.returncode == status
        assert_one_line_error(proc.returncode, proc.stdout, proc.stderr, fragment)


def test_a_global_option_after_the_command_says_where_it_goes(db_path: Path) -> None:
    """`--user`, `--db` and `--config` belong before the command: given after it, the one line
    says so, with the command line to type, rather than click's bare "No such option"; an
    option unknown everywhere still gets click's words. Exit 2 and nothing changed."""
    env = {"OSS_DESK_DB": str(db_path), "OSS_DESK_NOW": NOW}
    before = db_content(db_path)
    for args, said in [
        (
            ["ticket", "call-next", "--desk", "desk-2", "--user", "dev"],
            "--user is a global option: put it before the command (oss-desk --user dev ticket ...)",
        ),
        (
            ["report", "daily", "--db=/tmp/other.sqlite"],
            "--db is a global option: put it before the command "
            "(oss-desk --db /tmp/other.sqlite report ...)",
        ),
        (
            ["queue", "--config"],
            "--config is a global option: put it before the command "
            "(oss-desk --config FILE queue ...)",
        ),
        (["report", "monthly", "--bogus"], "No such option '--bogus'"),
    ]:
        proc = run_cli_here(*args, env=env)
        assert_one_line_error(proc.returncode, proc.stdout, proc.stderr, said)
        assert proc.returncode == 2, proc.stderr
    assert db_content(db_path) == before


def test_a_group_typed_alone_shows_its_commands(db_path: Path) -> None:
    """`oss-desk desks` on its own is a person asking what it can do: the group's help, as
    `--help` prints it (one command a line), not the help folded into one error line."""
    env = {"OSS_DESK_DB": str(db_path), "OSS_DESK_NOW": NOW}
    alone = run_cli_here("desks", env=env)
    asked = run_cli_here("desks", "--help", env=env)
    assert alone.returncode == 0 and alone.stderr == ""
    assert alone.stdout == asked.stdout
    assert "close-day" in alone.stdout and alone.stdout.count("\n") > 5


def test_json_output_is_one_value(cli: Cli) -> None:
    import json

    for args in (
        ["ticket", "issue", "--service", "C", "--json"],
        ["ticket", "call-next", "--desk", "desk-1", "--json"],
        ["queue", "--json"],
        ["report", "daily", "--format", "json"],
        ["report", "monthly", "--format", "json"],
        ["report", "daily", "--json"],
        ["desks", "break", "desk-3", "--json"],
        ["report", "monthly", "--json"],
        ["ticket", "call-next", "--desk", "desk-2", "--json"],
    ):
        result = cli(*args, now=NOW)
        assert result.code == 0 and result.err == ""
        assert result.out.endswith("\n") and result.out.count("\n") == 1
        json.loads(result.out)
    # --json is --format json.
    assert (
        cli("report", "daily", "--json", now=NOW).out
        == cli("report", "daily", "--format", "json", now=NOW).out
    )


def test_after_the_demo_a_command_without_db_says_where_the_demo_is(tmp_path: Path) -> None:
    """`oss-desk demo` builds its office in a database of its own; a new user's next command
    (`oss-desk queue` in another terminal) finds no database at the default path: the one line
    says where the demo office is, and that path works."""
    data = tmp_path / "data"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(data), "OSS_DESK_NOW": NOW}
    env["STATE_DIRECTORY"] = ""
    bare = run_cli_here("queue", env=env)
    assert_one_line_error(bare.returncode, bare.stdout, bare.stderr, "run `oss-desk init --demo`")
    demo = data / "oss-desk" / "demo" / "oss-desk-demo.sqlite"
    built = run_cli_here("--db", str(demo), "init", "--demo", env=env)
    assert built.returncode == 0, built.stderr
    after = run_cli_here("queue", env=env)
    assert after.returncode == bare.returncode == 4
    assert_one_line_error(after.returncode, after.stdout, after.stderr, f"pass --db {demo}")
    shown = run_cli_here("--db", str(demo), "queue", env=env)
    assert shown.returncode == 0, shown.stderr
    assert not (data / "oss-desk" / "oss-desk.sqlite").exists()  # nothing made at the default
