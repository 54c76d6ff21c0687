"""What a message to a resident must fit: a text's length, an email's Message-ID.

Pure: the services compose the words; these rules say whether they can go as they are.
"""

from __future__ import annotations

TEXT_LIMIT = 918
"""The most characters GOV.UK Notify sends as one text message (its documented limit, about
six parts); a longer one is refused. A letter outside the GSM alphabet (â, ô, ŵ...) makes each
part shorter, so a text is kept to what, when, where and the reference: what to bring is in the
email or on the slip."""


def text_length(heading: str, body: str) -> int:
    """The characters of a text as the Notify template ``((heading))`` and ``((body))`` on
    lines of their own gives it (the template's own words, if any, add to it)."""
    return len(heading) + 2 + len(body)


def fitting(heading: str, *versions: str) -> str:
    """The first of a text's ``versions`` (fullest first) within :data:`TEXT_LIMIT`; the last
    (the shortest) when none is."""
    return next((v for v in versions if text_length(heading, v) <= TEXT_LIMIT), versions[-1])


def message_domain(address: str) -> str:
    """The domain a Message-ID is made under: the sender's (``desk@council.gov.uk`` ->
    ``council.gov.uk``); one without a domain, ``oss-desk.invalid`` (RFC 2606: never real)."""
    domain = address.rpartition("@")[2].strip().strip(">")
    return domain if "@" in address and domain else "oss-desk.invalid"
