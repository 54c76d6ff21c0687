"""Welsh grammar that the wording needs at run time: the soft mutation.

After some words ("i", "ar", "am", "dau", "o"...) Welsh changes the first letter of the next
word: "i Ddesg 2", "ar ddydd Mawrth". A fixed text is written mutated in the catalogue; a name
filled in when the text is said (a desk's Welsh name, a day) is mutated here, where the Welsh
catalogue asks for it with a format spec: ``{desk:soft}``, or ``{day:lower+soft}`` for a day in
mid-sentence ("ar ddydd Mawrth 8 Rhagfyr"). Pure: no I/O.
"""

from __future__ import annotations

SOFT = (
    ("ll", "l"),
    ("rh", "r"),
    ("c", "g"),
    ("p", "b"),
    ("t", "d"),
    ("g", ""),
    ("b", "f"),
    ("d", "dd"),
    ("m", "f"),
)
"""The soft mutation of an initial letter, the two-letter ones first."""

UNMUTATED = ("ch", "th", "ph")
"""Initials that look like c, t or p but are letters of their own: never softened."""


def soft_mutation(text: str) -> str:
    """``text`` with the soft mutation of its first letter, keeping its case: ``Desg 2`` ->
    ``Ddesg 2``, ``dydd`` -> ``ddydd``, ``Gorsaf`` -> ``Orsaf``, ``Llyfrgell`` -> ``Lyfrgell``;
    other initials (vowels, digits, ch, th, ph, s...) are left as they are."""
    lower = text.lower()
    if lower.startswith(UNMUTATED):
        return text
    for old, new in SOFT:
        if lower.startswith(old):
            mutated = new + text[len(old) :]
            if text[0].isupper() and mutated:
                mutated = mutated[0].upper() + mutated[1:]
            return mutated
    return text


def lower_initial(text: str) -> str:
    """``Dydd Mawrth`` -> ``dydd Mawrth``: a day's name in mid-sentence."""
    return text[:1].lower() + text[1:]


SPECS = {"soft": soft_mutation, "lower": lower_initial}
"""What a Welsh text may ask of a name filled in (``{desk:soft}``, ``{day:lower+soft}``: the
steps in the order given)."""


def shaped(value: str, spec: str) -> str:
    """``value`` after the steps ``spec`` names (``soft``, ``lower``, joined by ``+``)."""
    for step in spec.split("+"):
        value = SPECS[step](value)
    return value


def spec_problem(spec: str) -> str | None:
    """Why ``spec`` is not one the wording can follow (None: it can)."""
    unknown = [step for step in spec.split("+") if step not in SPECS]
    if unknown:
        return f"unknown format {spec!r} (use {' or '.join(sorted(SPECS))}, joined by +)"
    return None
