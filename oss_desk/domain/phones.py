"""A resident's phone number as typed at the desk: read in its national form, checked by one
rule, and refused in words that say what is wrong with it (empty, another country's, a
character that is not a digit, the wrong start, a start no number has, too short or too long)
and what is right.

A number that will be texted (a ticket's texts, a booking confirmed by text, a referral's
reference sent by text) is a UK mobile (:func:`normalise_mobile`); one only rung (a ring-back,
a contact number, ``resident find --phone``) any UK phone number (:func:`normalise_phone`).
Both are kept as ``+44...``, and shown as a person dials them (:func:`dialable`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class NoNumbers:
    """Numbers starting ``start`` that a rule takes none of, and ``said``, why: a range withdrawn
    (``0500``), no UK number's (``04``), or not of the rule's kind (a personal ``070`` number is
    no mobile)."""

    start: str
    said: str


@dataclass(frozen=True, slots=True)
class NumberRule:
    """What a number must be: its national form starts ``start`` and has ``fewest`` to
    ``most`` digits; ``said`` says so, with an example. A number in one of its ``ranges``
    (the narrower rules of the numbers starting so: a mobile's ``07``, London's ``02``) has
    that range's length, said in its words, or is refused in the words of a range of
    :class:`NoNumbers`; the longest start it has is its range."""

    start: str
    fewest: int
    most: int
    said: str
    ranges: tuple[NumberRule | NoNumbers, ...] = ()

    def within(self, digits: str) -> NumberRule | NoNumbers:
        """The rule that says how long ``digits`` is, or that none starting so is taken: its
        range (the one with the longest start it has), else this rule."""
        ranges = [r for r in self.ranges if digits.startswith(r.start)]
        return max(ranges, key=lambda r: len(r.start), default=self)

    def wrong(self, digits: str) -> str | None:
        """What is wrong with ``digits`` (a number in its national form: :func:`national_digits`)
        under this rule, in its own words or its range's (:meth:`within`): None, nothing.
        (``+44``/``0044`` are read as ``0`` already: any other ``+`` or ``00`` is another
        country's code.)"""
        if not digits:
            return f"is empty: {self.said}"
        code = (
            digits[1:] if digits.startswith("+") else digits[2:] if digits.startswith("00") else ""
        )
        if code != digits and code.isascii() and code.isdigit():  # another country's code
            return f"is not a UK number (+44 or {self.start}...): {self.said}"
        if any(unicodedata.category(c) == "Cf" for c in digits):  # a zero-width space...
            return (
                "has an invisible character, pasted with it: delete it or type the number "
                f"again ({self.said})"
            )
        if not (digits.isascii() and digits.isdigit()):  # isdigit alone takes "²" too
            return f"has a character that is not a digit: {self.said}"
        if digits.startswith("44") and len(digits) in (12, 13):  # +44 with its + left off
            return f"starts 44: type it with its + (+44...) or from its 0: {self.said}"
        if not digits.startswith(self.start):
            return f"does not start {self.start}: {self.said}"
        rule = self.within(digits)
        if isinstance(rule, NoNumbers):
            return f"{rule.said}: {self.said}"
        if not rule.fewest <= len(digits) <= rule.most:
            short = len(digits) < rule.fewest
            return f"is too {'short' if short else 'long'} ({len(digits)} digits): {rule.said}"
        return None

    def normalise(self, text: str) -> str:
        """The number as ``+44...``; one that breaks the rule says what is wrong: "'0770090012'
        is too short (10 digits): a UK mobile number is 11 digits starting 07 (07700 900123)"."""
        digits = national_digits(text)
        wrong = self.wrong(digits)
        if wrong is not None:
            typed = repr(shown(text)) if text.strip() else "the number"
            raise InvalidInput(f"{typed} {wrong}")
        return "+44" + digits[1:]


_MOBILE = "a UK mobile number is 11 digits starting 07 (07700 900123)"
MOBILE = NumberRule(
    "07",
    11,
    11,
    _MOBILE,
    ranges=(
        NoNumbers("070", "starts 070, a personal number, not a mobile"),
        NoNumbers("076", "starts 076, a pager's number, not a mobile"),
        NumberRule("07624", 11, 11, _MOBILE),  # the Isle of Man's mobiles
    ),
)
"""A UK mobile, to text (Ofcom's numbering plan): 071 to 075, 077 to 079 and 07624. A personal
number (070) forwards calls wherever its holder chooses, a pager (076) takes no texts."""

PHONE = NumberRule(
    "0",
    10,
    11,
    "a UK phone number is 10 or 11 digits starting 0 (01632 960123)",
    ranges=(
        NumberRule("02", 11, 11, "a UK number starting 02 is 11 digits (020 7946 0000)"),
        NumberRule("03", 11, 11, "a UK number starting 03 is 11 digits (0300 123 4567)"),
        NoNumbers("04", "starts 04, as no UK number does"),
        NoNumbers("05", "starts 05 but not 055 or 056, as no UK number does"),
        NoNumbers("0500", "starts 0500, withdrawn in 2017 (freephone numbers start 0800 or 0808)"),
        NumberRule("055", 11, 11, "a UK number starting 055 is 11 digits (055 1234 5678)"),
        NumberRule("056", 11, 11, "a UK number starting 056 is 11 digits (056 1234 5678)"),
        NoNumbers("06", "starts 06, as no UK number does"),
        NumberRule("07", 11, 11, "a UK number starting 07 is 11 digits (07700 900123)"),
        NumberRule("08", 11, 11, "a UK number starting 08 is 11 digits (0808 157 0000)"),
        NumberRule("0800", 10, 11, "a UK number starting 0800 is 10 or 11 digits (0800 123 4567)"),
        NumberRule("09", 11, 11, "a UK number starting 09 is 11 digits (0909 879 0000)"),
    ),
)
"""Any UK number to ring (Ofcom's numbering plan): 01 numbers are 10 digits (016977 2345, 01xxx
xxxxx) or 11; 02, 03, 055, 056, 07, 08 and 09 numbers 11, but for the 0800 numbers of 10 (0800
123456). A personal number (070) or a pager's (076) is rung as any other 07 number; no number
starts 04 or 06, nor 05 but 055 and 056 (0500's freephone numbers were withdrawn in 2017)."""


def national_digits(text: str) -> str:
    """A UK phone number as typed, in its national form (``0...``): spaces, dashes, dots and
    brackets dropped, ``+44`` or ``0044`` read as ``0`` with the national ``0`` often written
    after it (``+44 (0)7700 900123``: a UK number never goes on with a 0 after +44), any
    script's digits read as 0-9 (a full-width ``９`` from a phone's keyboard), and so a plus
    (a full-width ``＋``: any whose compatibility form is ``+``). Every other character is
    kept, for the rules to refuse: a digit they take is one of 0-9 alone (``str.isdigit``
    takes ``²`` too)."""
    typed = re.sub(r"[\s\-().]", "", text.strip())
    digits = "".join(
        str(unicodedata.decimal(c))
        if c.isdecimal()
        else "+"
        if unicodedata.normalize("NFKC", c) == "+"
        else c
        for c in typed
    )
    uk = re.match(r"(?:\+|00)440?", digits)
    return "0" + digits[uk.end() :] if uk else digits


def normalise_mobile(text: str) -> str:
    """A UK mobile number for texts, as +447...: ``07700 900123`` or ``+44 7700 900123``."""
    return MOBILE.normalise(text)


def normalise_phone(text: str) -> str:
    """Any UK phone number (a landline too), as +44...: ``01632 960123``, ``+44 7700 900123``."""
    return PHONE.normalise(text)


def normalise_number(text: str, *, texted: bool) -> str:
    """A resident's number as a booking or a follow-up keeps it: one that will be texted (a
    booking confirmed by text, a reference sent by text) is a UK mobile, refused in
    :func:`normalise_mobile`'s words as every text is; one only rung (a ring-back, a contact
    number) any UK phone number (:func:`normalise_phone`)."""
    return normalise_mobile(text) if texted else normalise_phone(text)


SIX_DIGIT_CODES = frozenset(
    {"013873", "015242", "015394", "015395", "015396", "016973"}
    | {"016974", "016977", "017683", "017684", "017687", "019467"}
)
"""The area codes of six digits (Langholm, Hornby, Hawkshead, Grange-over-Sands, Sedbergh,
Wigton, Raughton Head, Brampton, Penrith, Pooley Bridge, Keswick, Gosforth), each in a five-digit
code's area: their numbers are written ``015396 20123``, never ``01539 620123``."""


def dialable(number: str) -> str:
    """``number`` (stored ``+44...``, or as typed) in its national form, grouped the way UK
    numbers are written (Ofcom's groupings: ``+441632960123`` is ``01632 960123``;
    ``+447700900123``, ``07700 900123``; ``+442079460000``, ``020 7946 0000``; ``+441134960000``,
    ``0113 496 0000``; ``+443001234567``, ``0300 123 4567``; ``+448001234567``, ``0800 123 4567``;
    a personal number, not a mobile, ``070 1234 5678``; of 10 digits, ``016977 2345``, ``01632
    96012``, ``0800 123456``); a number of another shape is given back as it is."""
    digits = national_digits(number)
    if re.fullmatch(r"0[0-9]{9}", digits, re.ASCII):
        if digits.startswith("016977"):  # Brampton's four-digit numbers: 016977 2345
            return f"{digits[:6]} {digits[6:]}"
        if digits.startswith("01"):  # five-digit local numbers: 01632 96012
            return f"{digits[:5]} {digits[5:]}"
        return f"{digits[:4]} {digits[4:]}"  # 0800 123456
    if not re.fullmatch(r"0[0-9]{10}", digits, re.ASCII):
        return number.strip()
    if digits[:2] in ("02", "05") or digits[:3] == "070":  # 020 7946 0000, 056 ..., 070 ...
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits[:6] in SIX_DIGIT_CODES:  # 015396 20123, 016977 23456
        return f"{digits[:6]} {digits[6:]}"
    if digits[:2] in ("03", "08", "09") or digits[:3] == "011" or digits[1:4:2] == "11":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"  # 0113 496 0000, 0161 ..., 0300 ...
    return f"{digits[:5]} {digits[5:]}"  # 01632 960123, 07700 900123


def phone_mentioned(text: str | None, number: str) -> bool:
    """Whether free text (a note, a comment, a topic) mentions ``number`` (stored ``+44...``),
    however it was written there: ``07700 900123``, ``07700-900-123``, ``+44 (0)7700 900123``.
    Its digits alone are compared (any script's read as 0-9), by the number without its ``0`` or
    ``+44``: a text holding the number among other digits is found too (checked by eye: one
    record too many is seen, one too few is not)."""
    if text is None:
        return False
    wanted = national_digits(number)[1:]
    digits = "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())
    return len(wanted) >= 9 and wanted in digits
