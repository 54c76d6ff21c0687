"""A stored phone number as a person dials it: the national form, grouped the way UK numbers
are written (``+441632960123`` is shown ``01632 960123``; ``+447700900123``, ``07700 900123``;
``+442079460000``, ``020 7946 0000``). Numbers are stored as ``+44...`` for texts; a person at
the desk rings them."""

from __future__ import annotations

import re


def dialable(number: str) -> str:
    """``number`` (stored ``+44...``, or as typed) in its national form, grouped; a number of
    another shape is given back as it is."""
    digits = re.sub(r"[\s\-().]", "", number.strip())
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"0\d{10}", digits):
        return number.strip()
    if digits.startswith("02"):  # London, Cardiff ...: 020 7946 0000
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits[:3] in ("011", "030", "033", "034", "037", "080", "084", "087", "090", "091") or (
        digits.startswith("01") and digits[3] == "1"
    ):  # 0113 496 0000, 0161 496 0000, 0300 123 4567, 0800 123 4567
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"  # 01632 960123, 07700 900123
