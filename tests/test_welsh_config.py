"""A bilingual office's configuration is checked for its Welsh (a Welsh office's trial: a
service without `label_cy`, an office without `name_cy`, a `checklist_cy` of another length all
loaded with exit 0 and no word, and residents met English mixed silently into the Welsh).

A Welsh checklist of another length than the English is refused (exit 3, naming it); each
Welsh form missing is a warning from the real `oss-desk init` and a line of `oss-desk doctor`;
a complete Welsh office, and an English one, hear nothing of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import office_toml
from .conftest import Cli, run_cli_process
from .test_welsh import welsh_toml

NOW = "2026-11-23T09:30:00Z"
COMPLETE = {
    'label = "Housing"\n': 'label = "Housing"\nlabel_cy = "Tai"\n',
    'checklist = ["ID for everyone in the household", "Proof of address"]\n': (
        'checklist = ["ID for everyone in the household", "Proof of address"]\n'
        'checklist_cy = ["Prawf adnabod i bawb yn yr aelwyd", "Prawf o gyfeiriad"]\n'
    ),
    'name = "Desk 1"\n': 'name = "Desk 1"\nname_cy = "Desg 1"\n',
}


def config(tmp_path: Path, toml: str, name: str = "office.toml") -> Path:
    path = tmp_path / name
    path.write_text(toml, encoding="utf-8")
    return path


def warnings(cli: Cli, path: Path) -> list[str]:
    done = cli("init", "--config", str(path), now=NOW)
    assert done.code == 0, done.err
    said = (done.out + done.err).splitlines()
    return [line for line in said if line.startswith("Warning:") and "Welsh" in line]


def test_a_welsh_checklist_of_another_length_is_refused(tmp_path: Path) -> None:
    toml = welsh_toml().replace(
        'checklist_cy = ["Eich bil", "Prawf adnabod â llun"]', 'checklist_cy = ["Eich bil"]'
    )
    path = config(tmp_path, toml)
    done = run_cli_process(
        "--db", str(tmp_path / "office.sqlite"), "init", "--config", str(path),
        env={"OSS_DESK_NOW": NOW},
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"oss-desk: {path}: services[0].checklist_cy: 1 item where checklist has 2 items: "
        "give the same items in the same order, in Welsh"
    ]


def test_init_and_doctor_name_each_welsh_form_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    gaps = welsh_toml().replace('name_cy = "Cyngor Prawf"\n', "", 1)
    gaps = gaps.replace('address_cy = "Stryd y Farchnad, Trefbrawf"\n', "", 1)
    tail = "residents of a bilingual office read {} in English among the Welsh"
    expected = [
        "the council has no council.name_cy: " + tail.format("its name"),
        "site hq has no address_cy: " + tail.format("its address"),
        "service H has no label_cy: " + tail.format("its label"),
        "service H has no checklist_cy: " + tail.format("what to bring"),
        "desk desk-1 has no name_cy: " + tail.format("its name"),
    ]
    assert warnings(cli, config(tmp_path, gaps)) == [f"Warning: {line}" for line in expected]
    doctor = cli("doctor", now=NOW)
    (line,) = [x for x in doctor.out.splitlines() if "Welsh:" in x]
    assert line.split()[0] == "warn" and "; ".join(expected) in line

    # Every form given: nothing said, by init or doctor.
    complete = welsh_toml()
    for old, new in COMPLETE.items():
        assert old in complete
        complete = complete.replace(old, new, 1)
    assert warnings(cli, config(tmp_path, complete, "complete.toml")) == []
    assert "Welsh:" not in cli("doctor", now=NOW).out

    # A text the council set in English alone is said the same way (its default is said in
    # Welsh already: nothing then).
    texts = complete.replace(
        "[[sites]]\n", '[screen]\nmessage = "Open 9 to 5"\n\n[[sites]]\n', 1
    ).replace(
        "[appointments]\n",
        '[appointments]\nchange_line = "Call 01632 960000"\n'
        'change_line_cy = "Ffoniwch 01632 960000"\n',
        1,
    )
    assert warnings(cli, config(tmp_path, texts, "texts.toml")) == [
        "Warning: screen.message has no screen.message_cy: " + tail.format("it")
    ]

    # An English office needs no Welsh.
    assert warnings(cli, config(tmp_path, office_toml(), "english.toml")) == []
