"""An email as it goes on the wire: the header policy it is written with, and its bytes as SMTP
carries them (kept out of ``senders.py``, the conversations with the mail server)."""

from __future__ import annotations

import io
import re
from email import generator
from email.message import EmailMessage
from email.policy import EmailPolicy


def _head_kept(folded: str, name: str, policy: EmailPolicy) -> str:
    """``folded`` (header ``name`` as the standard library folded it) with its value begun on
    the name's line: the library folds a value that fits on a line of its own right after
    ``Name:``, and that first fold reads back as a leading space (a parser keeps the folding
    white space: RFC 5322 section 2.2.3 removes only the line break). The value then folds at
    the last space within ``policy.max_line_length`` instead (a fold at a space unfolds to
    that space), or not at all when it has none there."""
    head = f"{name}:{policy.linesep}"
    if not folded.startswith(head) or folded[len(head) : len(head) + 1] not in (" ", "\t"):
        return folded
    line, sep, rest = folded[len(head) + 1 :].partition(policy.linesep)
    first = f"{name}: {line}"
    limit = policy.max_line_length
    cut = first.rfind(" ", len(name) + 2, limit + 1) if limit and len(first) > limit else -1
    if cut > 0:
        first = f"{first[:cut]}{policy.linesep}{first[cut:]}"
    return first + sep + rest


class HeaderPolicy(EmailPolicy):
    """``email.policy.default``, but a long header's value begins on the line of its name
    (:func:`_head_kept`), so it reads back exactly as it was set (a Welsh referral's Subject,
    "Eich atgyfeiriad: dyfynnwch R-0002 / Your referral: please quote R-0002", read back with
    a leading space)."""

    def fold(self, name: str, value: str) -> str:
        return _head_kept(super().fold(name, value), name, self)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = super().fold_binary(name, value).decode("ascii", "surrogateescape")
        return _head_kept(folded, name, self).encode("ascii", "surrogateescape")


POLICY = HeaderPolicy()
"""The policy every email the desk sends is written with."""


def dot_stuffed(email: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF lines, a leading dot doubled, ending in CRLF (the
    closing "." line is sent on its own)."""
    buffer = io.BytesIO()
    generator.BytesGenerator(buffer, policy=email.policy.clone(linesep="\r\n")).flatten(email)
    data = re.sub(rb"(?m)^\.", b"..", buffer.getvalue())
    return data if data.endswith(b"\r\n") else data + b"\r\n"
