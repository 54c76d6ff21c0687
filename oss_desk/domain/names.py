"""How a resident's name typed at the desk is matched with a name held (``resident find
--name``): one rule, so "SIÂN" and "Sian" find "Siân", and "O'Brien" finds "O’Brien".

SQLite's own ``lower()`` folds ASCII letters only, and a straight apostrophe is not a curly
one: a search that says "nothing held" of a resident whose records are there fails a subject
access request. A name is compared by its key: Unicode compatibility forms made one (NFKC),
case folded, accents set aside (a desk keyboard seldom types ŵ or ŷ, and finding one record too
many is checked by eye, one too few is not seen), every apostrophe and every dash made the same,
and runs of spaces made one. And since "OBrien", "O Brien", "Mary Jane" and "Lloyd Jones" are
how "O'Brien", "Mary-Jane" and "Lloyd-Jones" are often typed (and held), the letters alone are
compared too: apostrophes, dashes, spaces and any other punctuation left out
(:func:`name_matches`).
"""

from __future__ import annotations

import unicodedata

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

_SAME = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032\uff07", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
    }
)


def name_key(text: str | None) -> str | None:
    """The form of a name that matching compares (None stays None)."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).translate(_SAME).casefold()
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch)
    )
    return " ".join(bare.split())


def _letters(key: str) -> str:
    """A name's key without its apostrophes, dashes, spaces and other punctuation."""
    return "".join(ch for ch in key if ch.isalnum())


def name_matches(held: str | None, typed: str) -> bool:
    """Whether what was typed is part of a name held, by :func:`name_key`, or by its letters
    alone (punctuation and spaces left out on both sides). Typed without a letter, it matches
    only a name holding that very punctuation."""
    key = name_key(held)
    if key is None:
        return False
    wanted = name_key(typed) or ""
    if wanted in key:
        return True
    letters = _letters(wanted)
    return bool(letters) and letters in _letters(key)


def letters_typed(typed: str) -> int:
    """How many letters (and digits) a name typed to find holds, as matching counts them: its
    punctuation and spaces left out (``"a'"`` is one letter, and would find every "a")."""
    return len(_letters(name_key(typed) or ""))


_NAME_MARKS = frozenset(" '-.")


def person_name(text: str, what: str) -> str:
    """A person's name typed where a name is asked for (``what``: "the officer"), single-spaced:
    letters of any alphabet, spaces, apostrophes, hyphens and full stops, two letters or more;
    never a number, an email address or a note (a phone number typed there stayed)."""
    name = " ".join(text.split())
    named = letters_typed(name) >= 2 and all(
        ch in _NAME_MARKS or unicodedata.category(ch)[0] in "LM" for ch in name.translate(_SAME)
    )
    if not named:
        raise InvalidInput(
            f"{shown(text)!r} is not a name: give {what}'s staff id or name (letters, spaces, "
            "apostrophes and hyphens; no numbers)"
        )
    return name
