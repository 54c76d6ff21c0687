"""What a message to a resident must fit: a text's length, an email's Message-ID.

Pure: the services compose the words; these rules say whether they can go as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

TEXT_LIMIT = 918
"""The most characters GOV.UK Notify sends as one text message (its documented limit, about
six parts); a longer one is refused. A letter outside the GSM alphabet (â, ô, ŵ...) makes each
part shorter. What, when, where and the reference are never cut; what to bring (in a text to a
resident booked by text, who has no email or slip that says it) and the "to change or cancel"
line come after them and are cut short when they must be (:func:`fitted`)."""


def text_length(heading: str, body: str) -> int:
    """The characters of a text as the Notify template ``((heading))`` and ``((body))`` on
    lines of their own gives it (the template's own words, if any, add to it)."""
    return len(heading) + 2 + len(body)


def fitting(heading: str, *versions: str) -> str:
    """The first of a text's ``versions`` (fullest first) within :data:`TEXT_LIMIT`; the last
    (the shortest) when none is."""
    return next((v for v in versions if text_length(heading, v) <= TEXT_LIMIT), versions[-1])


ELLIPSIS = "..."
"""What ends a line cut short to fit (three full stops: in the GSM alphabet, as "…" is not)."""


def cut_short(line: str, chars: int) -> str:
    """``line`` in at most ``chars`` characters: whole, or cut at a space where one is near
    the end and ending with :data:`ELLIPSIS` ("" when not even that fits)."""
    if len(line) <= chars:
        return line
    room = chars - len(ELLIPSIS)
    if room < 1:
        return ""
    cut = line[:room]
    space = cut.rfind(" ")
    if space >= room // 2:  # a whole word rather than half of one
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def joined(parts: Sequence[tuple[str, str]]) -> str:
    """A text from what each language says and what may be cut short after it: what to bring,
    then its "to change or cancel" line ("": neither)."""
    return " ".join(f"{said} {line}" if line else said for said, line in parts)


def fitted(heading: str, *versions: Sequence[tuple[str, str]]) -> str:
    """A text within :data:`TEXT_LIMIT`, whatever the office's checklists and "to change or
    cancel" lines: the first of its ``versions`` (fullest first; each, per language, what it
    says and what may be cut: what to bring, then the change line) that fits as it is
    (:func:`fitting`); else the last with those tails cut short from their end
    (:func:`cut_short`: the change line goes before the checklist), each to the same length
    at most, as far as it must be. What it says (the time, the place, the reference) is never
    cut."""
    best = fitting(heading, *(joined(parts) for parts in versions))
    if text_length(heading, best) <= TEXT_LIMIT:
        return best
    parts = versions[-1]
    for most in range(max(len(line) for _, line in parts), -1, -1):
        text = joined([(said, cut_short(line, most)) for said, line in parts])
        if text_length(heading, text) <= TEXT_LIMIT:
            return text
    return best  # too long even without the lines: Notify refuses it, and says so


def change_line_room(heading: str, parts: Sequence[tuple[str, str]]) -> int | None:
    """The most characters each "to change or cancel" line of a text may have (``parts``: per
    language, what it says and its line, as :func:`fitted` is given its shortest version) for
    the text to carry every line whole: lines no longer than that are never cut. None: they
    fit as they are; else :func:`fitted` cuts the longest at least."""

    def length(most: int) -> int:
        return text_length(heading, joined([(said, line[:most]) for said, line in parts]))

    longest = max((len(line) for _, line in parts), default=0)
    if length(longest) <= TEXT_LIMIT:
        return None
    return next((most for most in range(longest - 1, 0, -1) if length(most) <= TEXT_LIMIT), 0)


def over_without_lines(heading: str, parts: Sequence[tuple[str, str]]) -> bool:
    """Whether a text (``parts`` as :func:`change_line_room` is given them: what to bring whole
    in what it says) is over :data:`TEXT_LIMIT` with no "to change or cancel" line at all: then
    no length of those lines makes it fit, and :func:`fitted` cuts what to bring too."""
    return text_length(heading, joined([(said, "") for said, _ in parts])) > TEXT_LIMIT


def message_domain(address: str) -> str:
    """The domain a Message-ID is made under: the sender's (``desk@council.gov.uk`` ->
    ``council.gov.uk``); one without a domain, ``oss-desk.invalid`` (RFC 2606: never real)."""
    domain = address.rpartition("@")[2].strip().strip(">")
    return domain if "@" in address and domain else "oss-desk.invalid"


EARLIER_MESSAGE_DOMAIN = "oss-desk"
"""The domain releases before the sender's own named every Message-ID under (the last of them
brought a database to no later schema than ``0079_turn_text_hand_over`` adds)."""
FIRST_WITH_SENDER_DOMAIN = "0079_turn_text_hand_over"
"""The first migration of the releases that make a Message-ID under the sender's domain: an
upgrade that applies it upgrades a database an earlier release ran, whose hand-overs went
under :data:`EARLIER_MESSAGE_DOMAIN`."""


def message_id(reference: str, domain: str) -> str:
    """An email's Message-ID: its reference at ``domain`` (:func:`message_domain` of the
    sender's address), the same on every send of it, so a mail system drops a duplicate."""
    return f"<{reference}@{domain}>"
