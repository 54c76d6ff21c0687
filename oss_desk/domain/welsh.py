"""Welsh grammar that the wording needs at run time: the soft and the nasal mutation.

After some words ("i", "ar", "am", "dau", "o"...) Welsh changes the first letter of the next
word: "i Ddesg 2", "ar ddydd Mawrth". After "yn" ("in") a place takes the nasal mutation, and
"yn" itself follows it: "yng Nghaerdydd", "ym Mangor", "yn Nhreorci". A fixed text is written
mutated in the catalogue; a name filled in when the text is said (a desk's Welsh name, a day,
an office) is mutated here, where the Welsh catalogue asks for it with a format spec:
``{desk:soft}``, ``{day:lower+soft}`` for a day in mid-sentence ("ar ddydd Mawrth 8 Rhagfyr"),
``{office:yn}`` for "in" and the office ("yn Nhŷ Penallta"). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

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

NASAL = (
    ("c", "ngh"),
    ("p", "mh"),
    ("t", "nh"),
    ("g", "ng"),
    ("b", "m"),
    ("d", "n"),
)
"""The nasal mutation of an initial letter (after "yn", "fy"): c p t g b d only."""

UNMUTATED = ("ch", "th", "ph")
"""Initials that look like c, t or p but are letters of their own: never mutated."""


def _mutated(text: str, table: tuple[tuple[str, str], ...]) -> str:
    """``text`` with its first letter changed by ``table``, keeping its case."""
    lower = text.lower()
    if lower.startswith(UNMUTATED):
        return text
    for old, new in table:
        if lower.startswith(old):
            mutated = new + text[len(old) :]
            if text[0].isupper() and mutated:
                mutated = mutated[0].upper() + mutated[1:]
            return mutated
    return text


def soft_mutation(text: str) -> str:
    """``text`` with the soft mutation of its first letter, keeping its case: ``Desg 2`` ->
    ``Ddesg 2``, ``dydd`` -> ``ddydd``, ``Gorsaf`` -> ``Orsaf``, ``Llyfrgell`` -> ``Lyfrgell``;
    other initials (vowels, digits, ch, th, ph, s...) are left as they are."""
    return _mutated(text, SOFT)


def nasal_mutation(text: str) -> str:
    """``text`` with the nasal mutation of its first letter, keeping its case: ``Caerdydd`` ->
    ``Nghaerdydd``, ``Pen-y-bont`` -> ``Mhen-y-bont``, ``Treorci`` -> ``Nhreorci``, ``Gwynedd``
    -> ``Ngwynedd``, ``Bangor`` -> ``Mangor``, ``Dinbych`` -> ``Ninbych``; other initials
    (vowels, ch, th, ph, ll, m, s...) are left as they are."""
    return _mutated(text, NASAL)


def in_place(text: str) -> str:
    """ "yn" ("in") and a place, as Welsh says it: the place takes the nasal mutation, and "yn"
    becomes "yng" before ng and "ym" before m: ``Caerdydd`` -> ``yng Nghaerdydd``, ``Bangor``
    -> ``ym Mangor``, ``Merthyr`` -> ``ym Merthyr``, ``Treorci`` -> ``yn Nhreorci``,
    ``Abertawe`` -> ``yn Abertawe``."""
    place = nasal_mutation(text)
    # The initial "yn" follows: the mutated one (ngh, mh, nh, ng, m, n), else the word's own.
    initial = (place[: len(place) - len(text) + 1] if place != text else place).lower()
    word = "yng" if initial.startswith("ng") else "ym" if initial.startswith("m") else "yn"
    return f"{word} {place}"


def lower_initial(text: str) -> str:
    """``Dydd Mawrth`` -> ``dydd Mawrth``: a day's name in mid-sentence."""
    return text[:1].lower() + text[1:]


SPECS: dict[str, Callable[[str], str]] = {
    "soft": soft_mutation,
    "lower": lower_initial,
    "yn": in_place,
}
"""What a Welsh text may ask of a name filled in (``{desk:soft}``, ``{day:lower+soft}``,
``{office:yn}``: the steps in the order given)."""

UNCHANGED: dict[str, Callable[[str], str]] = {"yn": lambda text: f"yn {text}"}
"""The steps a name with no Welsh form still takes (its words are never changed, but a step
that says a word of its own says it): ``{office:yn}`` of ``Civic Centre`` is ``yn Civic
Centre``."""


def shaped(value: str, spec: str, *, welsh: bool = True) -> str:
    """``value`` after the steps ``spec`` names (``soft``, ``lower``, ``yn``, joined by ``+``);
    ``welsh``: False for a name with no Welsh form (:data:`UNCHANGED`)."""
    for step in spec.split("+"):
        if welsh:
            value = SPECS[step](value)
        elif step in UNCHANGED:
            value = UNCHANGED[step](value)
    return value


def spec_problem(spec: str) -> str | None:
    """Why ``spec`` is not one the wording can follow (None: it can)."""
    unknown = [step for step in spec.split("+") if step not in SPECS]
    if unknown:
        *most, last = sorted(SPECS)
        return f"unknown format {spec!r} (use {', '.join(most)} or {last}, joined by +)"
    return None
