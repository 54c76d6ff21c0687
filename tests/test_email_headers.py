"""An email's headers read back exactly as they were set, however long (a Welsh referral's
Subject, Welsh then English, was folded right after ``Subject:`` by the standard library's
default policy and read back with a leading space: tests/test_welsh_referrals.py sends one
through a real SMTP server). Written as the desk writes it for SMTP, read with email.parser."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from oss_desk.services.email_wire import POLICY, dot_stuffed

WORDS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=14
)
"""Words of printable ASCII, as the subjects are (the Welsh catalogue's subjects, the days and
the references have no letter outside it)."""


def read_back(subject: str) -> tuple[str, bytes]:
    email = EmailMessage(policy=POLICY)
    email["Subject"] = subject
    email.set_content("x")
    wire = dot_stuffed(email)
    return str(message_from_bytes(wire, policy=policy.default)["Subject"]), wire


def test_the_welsh_referral_subject_reads_back_exactly_within_the_line_length() -> None:
    subject = "Eich atgyfeiriad: dyfynnwch R-0002 / Your referral: please quote R-0002"
    said, wire = read_back(subject)
    assert said == subject
    head = wire.split(b"\r\nContent-Type")[0]
    assert head.startswith(b"Subject: Eich atgyfeiriad")
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


@given(st.lists(WORDS, min_size=1, max_size=16).map(" ".join))
def test_any_subject_of_words_reads_back_exactly(subject: str) -> None:
    assert read_back(subject)[0] == subject
