"""How a follow-up's channel and deadline are said: one wording each, wherever it shows (team
leader's trial, part B, findings 5 and 6)."""

from __future__ import annotations

from oss_desk.domain.followups import Via


def test_how_it_came_in_reads_as_english() -> None:
    # It said "came in by in person" and "came in by web".
    assert {via: via.received for via in Via} == {
        Via.IN_PERSON: "received in person",
        Via.PHONE: "received by phone",
        Via.LETTER: "received by letter",
        Via.EMAIL: "received by email",
        Via.WEB: "received online",
    }
