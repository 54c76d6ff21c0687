"""Hostile input to every command: hypothesis draws command lines (every command's options and
arguments), environment variables and configuration files; exit 70 (an internal error) never
happens, nor a traceback. A few of the nastiest run as real processes, whose peak memory stays
under 200 MB (``OSS_DESK_CONFIG=/dev/zero`` used to run out of memory).

In-process (the real entry point, ``oss_desk.cli.run``) for speed; commands that open the desk
app, serve browsers or run until stopped are drawn only in their finite forms (``worker
--once``, ``queue`` without ``--watch``), and anything a command writes goes to the test's own
folder (never to a path the fuzz names outside it).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss_desk.cli import EXIT_INTERNAL, cli, run
from oss_desk.errors import EXIT_USAGE

from .conftest import ROOT, make_db, site_toml

# A terminal app, two servers, the demo's app: tested elsewhere.
SKIPPED = {"desk", "serve", "demo", "screen"}
MEMORY_LIMIT_MB = 200


@dataclass(frozen=True)
class Place:
    root: Path
    db: Path
    paths: tuple[str, ...]
    """Existing things to read: the database, files good and bad, devices, a folder, a FIFO."""
    outputs: tuple[str, ...]
    """Where a command may write (inside the test's folder only)."""


def _hostile_files(root: Path, db: Path) -> tuple[str, ...]:
    files = root / "files"
    files.mkdir()
    good = files / "site.toml"
    good.write_text(site_toml(), encoding="utf-8")
    other = files / "other.toml"
    other.write_text(site_toml().replace('id = "hq"', 'id = "elsewhere"'), encoding="utf-8")
    (files / "bad.toml").write_text('[council]\nname = "Unclosed\n', encoding="utf-8")
    (files / "deep.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    (files / "binary.bin").write_bytes(b"\xff\xfe\x00\x01" * 1000)
    (files / "calls.csv").write_text(
        "Call Start,Answered,Queue Time\n2026-11-20T10:00:00Z,Y,30\n9999-12-31T23:59:59Z,Y,-5\n"
        "0001-01-01T00:00:00Z,N,nan\n"
    )
    (files / "text.txt").write_text("shopping list\n")
    sparse = files / "huge.toml"  # 4 GiB, no blocks used
    with sparse.open("wb") as handle:
        handle.truncate(4 << 30)
    fifo = files / "pipe"
    os.mkfifo(fifo)
    return (
        str(db),
        str(good),
        str(other),
        str(files / "bad.toml"),
        str(files / "deep.toml"),
        str(files / "binary.bin"),
        str(files / "calls.csv"),
        str(files / "text.txt"),
        str(sparse),
        str(fifo),
        str(files),
        str(files / "missing.toml"),
        "/dev/zero",
        "/dev/null",
        "/proc/self/status",
        "/",
        "",
    )


def test_a_nul_in_an_argument_is_a_usage_error() -> None:
    code, out, err = run_in_process(["--db", "x\x00y", "queue"])
    assert (code, out, err) == (2, "", "oss-desk: an argument holds a NUL character\n")


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Place:
    root = tmp_path_factory.mktemp("fuzz")
    db = make_db(root, site_toml(greet_printer=f"capture://{root / 'printer.bin'}"))
    outs = root / "out"
    outs.mkdir()
    outputs = (str(outs / "report.html"), str(outs), str(outs / "backup.sqlite"), str(outs) + "/")
    return Place(root, db, _hostile_files(root, db), outputs)


# Values ---------------------------------------------------------------------------------------

# No NUL (an operating system cannot pass one: the entry point refuses one from a caller in the
# same process, tested once below) and no surrogate but the ones Python uses for bytes that are
# not UTF-8.
CONTROL = "".join(chr(c) for c in (*range(1, 32), 127, 0x85, 0x9B)) + "\u202e\u2066"
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8", blacklist_characters="\x00"), max_size=40),
    st.text(alphabet=CONTROL + "abc;'\"[]{}%$`\\", max_size=20),
    st.sampled_from(["", " ", "x" * 10_000, "C'; DROP TABLE tickets;--", "[b]O[/b]"]),
    # Bytes that are not UTF-8, as Python hands them over from a real command line.
    st.sampled_from(["\udcff", "caf\udce9.toml", "\udcc3("]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.integers(min_value=-3, max_value=400).map(str),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e309", "-0", "0x10", "1_000", "", "٣"]),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            *("9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "2026-11-23"),
            *("2026-11-24", "1999-01-01", "2126-12-31", "yesterday", "٢٠٢٦-١١-٢٣"),
            "2026-11-23T10:00",
        ]
    ),
    TEXT,
)
MONTHS = st.one_of(
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.sampled_from(["0001-01", "9999-12", "1999-01", "2026-00", "2026-11", "2026-1"]),
    TEXT,
)
INSTANTS = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "+05:00"),
    st.sampled_from(
        [
            *("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "2026-11-23T10:00:00Z"),
            *("2026-11-24T10:00:00+00:00", "2026-11-23T10:00:00", "1970-01-01T00:00:00Z"),
            "now",
        ]
    ),
    TEXT,
)
SERVICES = st.one_of(st.sampled_from(["C", "B", "H", "W", "c", "Z", ""]), TEXT)
DESKS = st.one_of(st.sampled_from(["greet-1", "desk-1", "desk-2", "room-1", "desk-99"]), TEXT)
REFS = st.one_of(
    st.sampled_from(["C001", "C002", "B001", "1", "2", "#1", "0", "99999999999999999999"]),
    st.sampled_from(["ABC-DEF", "OSSD-A:ABC-DEF", "c-1", "C0000"]),
    TEXT,
)
NEEDS = st.one_of(
    st.sampled_from(
        ["bsl", "wheelchair,bsl", "interpreter:polish", "interpreter:", ",", "x" * 500]
    ),
    TEXT,
)
OUTCOMES = st.one_of(st.sampled_from(["resolved", "signposted", "referred", "callback"]), TEXT)
PEOPLE = st.one_of(st.sampled_from(["tl", "tester", "nobody", "worker", "demo", ""]), TEXT)


def mostly(good: list[str], hostile: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Usually a sensible value (so that the command gets far), sometimes a hostile one."""
    plausible = st.sampled_from(good)
    return st.one_of(plausible, plausible, hostile)


def urls(place: Place) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                f"capture://{place.root / 'out' / 'p.bin'}",
                "file:///dev/null",
                "tcp://127.0.0.1:1?timeout=0.2",
                "tcp://127.0.0.1:1?timeout=nan",
                "tcp://127.0.0.1:99999",
                f"ascii+capture://{place.root / 'out' / 'b.bin'}",
                "ascii+serial:///dev/null?baudrate=9600",
                "dmd+serial:///dev/null?baudrate=-1",
                "lpt1",
                "cups://",
                "usb://04b8:zzzz",
            ]
        ),
        TEXT,
    )


def value_for(param: click.Parameter, place: Place) -> st.SearchStrategy[str]:
    name = (param.name or "").lower()
    kind = param.type
    if isinstance(kind, click.Choice):
        return mostly([str(c) for c in kind.choices], TEXT)
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return mostly(["1", "2", "7"], NUMBERS)
    if name in ("output", "to"):
        return st.sampled_from(place.outputs)
    if name in ("config_file", "include", "file", "backup_file"):
        return st.one_of(st.sampled_from(place.paths), TEXT)
    if name in ("day", "date", "first", "last", "end") or name.startswith(("from", "to")):
        return mostly(["2026-11-23", "2026-11-24", "2026-11-30", "2026-12-02"], DATES)
    if name == "month":
        return mostly(["2026-11", "2026-10"], MONTHS)
    if name == "start":
        return mostly(["2026-11-24T10:00:00Z", "2026-11-25T14:15:00+00:00"], INSTANTS)
    if name == "service":
        return mostly(["C", "B", "H", "W"], SERVICES)
    if name in ("desk_id", "desk"):
        return mostly(["greet-1", "desk-1", "desk-2", "room-1"], DESKS)
    if name == "ref":
        return mostly(["C001", "C002", "B001", "1", "2"], REFS)
    if name in ("print_to", "url"):
        return urls(place)
    if name == "needs":
        return NEEDS
    if name == "outcome":
        return mostly(["resolved", "referred"], OUTCOMES)
    if name in ("person", "adviser"):
        return PEOPLE
    if name == "site":
        return mostly(["hq"], TEXT)
    if name in ("email",):
        return mostly(["ann@example.org"], TEXT)
    if name in ("phone",):
        return mostly(["07700 900123"], TEXT)
    return TEXT


def commands() -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            if name in SKIPPED:
                continue
            if isinstance(command, click.Group):
                walk(command, (*path, name))
            else:
                found.append(((*path, name), command))

    walk(cli, ())
    return found


COMMANDS = commands()
SETTINGS = [
    "QUEUE__RECALL_CAP",
    "QUEUE__TARGET_MINUTES",
    "QUEUE__DEFAULT_SERVICE_MINUTES",
    "QUEUE__ESTIMATE_SAMPLE",
    "APPOINTMENTS__DAYS_AHEAD",
    "APPOINTMENTS__STEP_MINUTES",
    "APPOINTMENTS__REMINDERS",
    "APPOINTMENTS__KEEP_CONTACTS_DAYS",
    "REPORTS__AMBER_POINTS",
    "RETENTION__NOTES_DAYS",
    "BACKUP__KEEP",
    "ACCESS__UNLISTED_ROLE",
    "ACCESS__USER_OVERRIDE",
    "CALLS__TIME_FORMAT",
    "CALLS__DELIMITER",
    "COUNCIL__NAME",
    "SERVE__MAX_SESSIONS_PER_USER",
    "SERVE__PUBLIC_ORIGIN",
    "BOARD__MESSAGE",
    "DESK__PERSON",
    "KEYMAP",
]
SETTING_VALUES = st.one_of(
    NUMBERS,
    TEXT,
    st.sampled_from(['["%Q"]', '{"a": 1}', "[" * 5000 + "]" * 5000, "none", "anyone", "admin"]),
)


@st.composite
def command_lines(draw: st.DrawFn, place: Place) -> tuple[list[str], dict[str, str]]:
    path, command = draw(st.sampled_from(COMMANDS))
    argv: list[str] = []
    if draw(st.integers(0, 6)) == 0:
        argv += ["--db", draw(st.sampled_from(place.paths[1:]))]
    if draw(st.integers(0, 9)) == 0:
        argv += ["--config", draw(st.sampled_from(place.paths))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--user", draw(PEOPLE)]
    argv += list(path)
    for param in command.params:
        if isinstance(param, click.Argument):
            argv.append(draw(value_for(param, place)))
            continue
        assert isinstance(param, click.Option)
        if param.name in ("watch",) or (path == ("worker",) and param.name == "once"):
            continue
        if not param.required and not draw(st.booleans()):
            continue
        if param.is_flag:
            argv.append(param.opts[0])
        else:
            argv += [param.opts[0], draw(value_for(param, place))]
    if path == ("worker",):
        argv.append("--once")
    env = {"OSS_DESK_NOW": draw(mostly(["2026-11-23T10:00:00Z", "2026-11-24T11:00:00Z"], INSTANTS))}
    if draw(st.integers(0, 9)) == 0:
        env["OSS_DESK_CONFIG"] = draw(st.sampled_from(place.paths))
    if draw(st.integers(0, 5)) == 0:
        env["OSS_DESK_USER"] = draw(PEOPLE)
    if draw(st.integers(0, 9)) == 0:
        env["OSS_DESK_BUSY_TIMEOUT"] = draw(NUMBERS)
    if draw(st.integers(0, 3)) == 0:
        env[f"OSS_DESK_{draw(st.sampled_from(SETTINGS))}"] = draw(SETTING_VALUES)
    return argv, env


@contextlib.contextmanager
def environment(place: Place, extra: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name.startswith("OSS_DESK_"):
                del os.environ[name]
        os.environ["OSS_DESK_DB"] = str(place.db)
        for name, value in extra.items():
            os.environ[name] = value.replace("\x00", "")  # the environment cannot hold NUL
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv)
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_command_line_is_an_internal_error(place: Place, data: st.DataObject) -> None:
    argv, env = data.draw(command_lines(place))
    with environment(place, env):
        code, _out, err = run_in_process(argv)
    assert code != EXIT_INTERNAL, (argv, env, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, env, err)
    # doctor and db check report what is wrong on stdout, one line a problem (their output).
    reports = "doctor" in argv or ("db" in argv and "check" in argv)
    if code != 0 and not reports:
        assert err.startswith("oss-desk: ") and err.count("\n") == 1, (argv, env, err)


@pytest.mark.parametrize(
    "argv",
    [
        ["followup", "list", "--owner", "\udcff"],  # found by the test above
        ["followup", "list", "--service", "C\udc80"],
    ],
)
def test_bytes_that_are_not_utf8_in_an_argument_are_a_usage_error(
    place: Place, argv: list[str]
) -> None:
    with environment(place, {"OSS_DESK_NOW": "2026-11-23T10:00:00Z"}):
        code, _out, err = run_in_process(argv)
    assert code == EXIT_USAGE, err
    assert err.startswith("oss-desk: ") and err.count("\n") == 1, err
    assert "internal error" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["followup", "show", "99999999999999999999"],  # found by the fuzz test above
        ["followup", "show", "\u00b23"],  # a digit that int() does not read
    ],
)
def test_a_follow_up_number_no_id_can_be_is_a_usage_error(place: Place, argv: list[str]) -> None:
    with environment(place, {"OSS_DESK_NOW": "2026-11-23T10:00:00Z"}):
        code, _out, err = run_in_process(argv)
    assert code == EXIT_USAGE, err
    assert err.startswith("oss-desk: ") and err.count("\n") == 1, err


# Real processes: the memory bound -----------------------------------------------------------

NASTY: list[tuple[list[str], dict[str, str]]] = [
    (["queue"], {"OSS_DESK_CONFIG": "/dev/zero"}),
    (["queue"], {"OSS_DESK_CONFIG": "{files}/pipe"}),
    (["queue"], {"OSS_DESK_CONFIG": "{files}/huge.toml"}),
    (["init", "--config", "{files}/deep.toml"], {}),
    (["import", "calls", "/dev/zero"], {}),
    (["import", "calls", "{files}/huge.toml"], {}),
    (["--db", "/dev/zero", "queue"], {}),
    (["report", "monthly", "--month", "0001-01"], {}),
    (["report", "daily", "--date", "9999-12-31"], {}),
    (["ticket", "issue", "--service", "C" * 120_000], {}),
    (["queue"], {"OSS_DESK_QUEUE__RECALL_CAP": "[" * 60_000 + "]" * 60_000}),
    (["appointment", "slots", "--service", "C", "--days", "366", "--limit", "10000"], {}),
]


LAUNCHER = """
import os, sys
answer = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(answer)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(answer, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}".encode())
"""
"""Runs the command and reports its exit status and peak RSS (KiB) on the given fd. A child's peak
counts the memory of the process it was forked from (Linux keeps the high-water mark across
exec), so the command is forked from this small launcher, not from the test process."""


def peak_mb(argv: list[str], env: dict[str, str], place: Place) -> tuple[int, float, str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update({"OSS_DESK_DB": str(place.db), "OSS_DESK_NOW": "2026-11-23T10:00:00Z"})
    files = str(place.root / "files")
    full.update({k: v.replace("{files}", files) for k, v in env.items()})
    read, write = os.pipe()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCHER,
            str(write),
            sys.executable,
            "-m",
            "oss_desk",
            *(a.replace("{files}", files) for a in argv),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=full,
        cwd=ROOT,
        pass_fds=(write,),
    )
    os.close(write)
    _, err = process.communicate(timeout=120)
    with os.fdopen(read, "rb") as answer:
        code, peak_kib = answer.read().decode().split()
    return int(code), int(peak_kib) / 1024, err.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize(("argv", "env"), NASTY, ids=[" ".join(a)[:40] for a, _ in NASTY])
def test_the_nastiest_stay_small_in_a_real_process(
    place: Place, argv: list[str], env: dict[str, str]
) -> None:
    code, peak, err = peak_mb(argv, env, place)
    assert code not in (EXIT_INTERNAL, -9), err
    assert "Traceback" not in err
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB for {argv[:3]} {list(env)}"
