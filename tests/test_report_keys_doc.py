"""The README's report-figures table says what the 15-minute figure really counts: its
denominator is ``measured`` (seen, walk-outs after the target, closed unseen), not ``seen``, and
every key of it is documented (``closed_unseen`` once was not)."""

from __future__ import annotations

import re

import pytest

from oss_desk.domain.report_figures import WaitCounts

from .conftest import ROOT

WAIT_KEYS = (
    "seen",
    "seen_within_target",
    "walked_out_after_target",
    "left_before_target",
    "closed_unseen",
    "measured",
    "within_15_min_pct",
)


def documented() -> dict[str, str]:
    """Report key -> the README's meaning (the rows of the `| key | meaning |` table)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| key | meaning |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        keys, meaning = line.split(" | ", 1)
        for key in re.findall(r"`([a-z0-9_]+)`", keys):
            rows[key] = meaning
    return rows


@pytest.mark.parametrize("key", WAIT_KEYS)
def test_every_key_of_the_15_minute_figure_is_documented(key: str) -> None:
    assert key in documented()


def test_the_share_is_of_measured_as_the_code_computes_it() -> None:
    counts = WaitCounts(seen=6, seen_within=3, walked_out_after=1, left_before=2, closed=1)
    assert counts.measured == 8 and counts.within_pct == 37.5  # 3 of 8, not 3 of 6
    meaning = documented()["within_15_min_pct"]
    assert "over `measured`" in meaning
    assert "`seen` + `walked_out_after_target` + `closed_unseen`" in meaning
