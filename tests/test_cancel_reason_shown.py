"""The reason a resident gave for cancelling is their words ("in hospital"): personal data,
deleted by the retention purge and listed by ``resident find``. ``appointment show`` gives it
only with ``--contact``, to a person who may see the resident's contact, and records the read;
without it, that a reason is held; ``--json`` of any command without ``--contact`` never
carries it (privacy audit, finding 4: any role read it, and nothing was recorded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .appointments_site import make_office
from .conftest import Cli, rows

NOW = "2026-11-23T10:00:00Z"
REASON = "ZZNOTE2 in hospital"


def booked_by_ana(cli: Cli, tmp_path: Path, *details: str) -> str:
    """Ana books her first free Council Tax slot for a resident who hears by slip, with the
    resident's ``details`` (``--name X``, ``--phone N``); its reference."""
    slots = cli("appointment", "slots", "--service", "C", "--adviser", "ana", "--json", now=NOW)
    booked = cli(
        *("--user", "ana", "appointment", "book", "--service", "C"),
        *("--start", slots.json()[0]["start"], "--adviser", "ana", "--channel", "slip"),
        *("--print-to", f"capture://{tmp_path / 'slips.bin'}", *details),
        "--json",
        now=NOW,
    )
    assert booked.code == 0, booked.err
    return str(booked.json()["ref"])


def test_the_reason_given_for_cancelling_is_shown_with_the_contact_and_its_read_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    ref = booked_by_ana(cli, tmp_path, "--name", "Zed Resident")
    cancel = ("appointment", "cancel", ref, "--by", "resident", "--reason", REASON)
    assert cli("--user", "tl", *cancel, now=NOW).code == 0
    # Bob, another adviser, may not see Ana's resident's contact: nor their reason.
    shown = cli("--user", "bob", "appointment", "show", ref, now=NOW)
    assert shown.code == 0, shown.err
    assert "  cancelled by the resident (reason held: --contact to see it)\n" in shown.out
    as_json = cli("--user", "bob", "appointment", "show", ref, "--json", now=NOW).json()
    assert as_json["cancel_reason_held"] is True and "cancel_reason" not in as_json
    listed = cli("--user", "bob", "appointment", "list", "--json", now=NOW)
    assert listed.code == 0 and "ZZNOTE2" not in listed.out
    refused = cli("--user", "bob", "appointment", "show", ref, "--contact", now=NOW)
    assert refused.code == 9 and "ZZNOTE2" not in refused.out + refused.err
    assert "ZZNOTE2" not in shown.out + json.dumps(as_json)
    viewed = "SELECT actor, data FROM events WHERE kind = 'personal_data_viewed'"
    assert rows(db, viewed) == []
    # Ana, whose appointment it is, reads it with --contact: the read is recorded.
    seen = cli("--user", "ana", "appointment", "show", ref, "--contact", now=NOW)
    assert seen.code == 0, seen.err
    assert f"  cancelled by the resident: {REASON}\n" in seen.out
    seen_json = cli("--user", "ana", "appointment", "show", ref, "--contact", "--json", now=NOW)
    assert seen_json.json()["cancel_reason"] == REASON
    reads = [(actor, json.loads(data)) for actor, data in rows(db, viewed)]
    assert len(reads) == 2
    for actor, data in reads:
        assert actor == "ana"
        assert data["fields"] == ["name", "cancel reason"] and data["where"] == "appointment show"
        assert "ZZNOTE2" not in json.dumps(data)
