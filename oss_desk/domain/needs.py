"""Reasonable adjustments recorded for a visit, and what a desk needs to meet them.

The recorded forms are ``bsl``, ``interpreter:<language>``, ``hearing-loop``, ``wheelchair``,
``private-room``, ``large-print`` and ``collect-in-person``. An interpreter's language is one
known here: on the list of languages councils commonly interpret
(:data:`oss_desk.domain.languages.INTERPRETED`) or one the staff list as a skill, any language
name ("Polish", "Portuguese (Brazil)", "Tiếng Việt": letters of any alphabet, spaces, hyphens,
apostrophes, brackets and full stops, up to 40 characters); it is kept in lower case. Never
free text: a need stays in the event log for good.

Some needs are met only at some desks (**requirements**): BSL by a person who signs, an
interpreter language by a person who speaks it (else the telephone interpreting line), a
hearing loop and step-free access by the desk. Desks have ``facilities`` and staff ``skills``
in the configuration; a desk can meet what its facilities and the skills of the person logged
in to it cover (see :func:`oss_desk.domain.queue.refusal`, which routes by them). A private
room is a rule of its own (a ticket that needs one goes only where there is one).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from oss_desk.domain.languages import EXAMPLES, INTERPRETED
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

SIMPLE_NEEDS: dict[str, str] = {
    "bsl": "BSL interpreter",
    "hearing-loop": "Hearing loop",
    "wheelchair": "Wheelchair access",
    "private-room": "Private room",
    "large-print": "Large print",
    "collect-in-person": "Collect in person (cannot watch the board)",
}
LARGE_PRINT = "large-print"
COLLECT_IN_PERSON = "collect-in-person"
"""The resident cannot watch the board: a member of staff fetches them (their ticket says so)."""
INTERPRETER = "interpreter"
KNOWN = ", ".join([*SIMPLE_NEEDS, "interpreter:<language>"])
LANGUAGE_MAX = 40
_LANGUAGE_MARKS = frozenset(" -'’().")
_SIGNED = frozenset(["bsl", "british sign language", "sign language", "signing", "sign"])
"""Sign language named as an interpreter's language: the need is ``bsl``, never
``interpreter:bsl``."""


def language_name(text: str) -> str:
    """A language name as recorded (NFC, lower case, single spaces) or :class:`InvalidInput`."""
    name = " ".join(unicodedata.normalize("NFC", text).split()).lower()
    if not name or len(name) > LANGUAGE_MAX or not unicodedata.category(name[0]).startswith("L"):
        raise InvalidInput(
            f"{shown(text)!r} is not a language name (letters, spaces, hyphens and brackets, "
            f"up to {LANGUAGE_MAX} characters)"
        )
    for ch in name:
        if ch not in _LANGUAGE_MARKS and unicodedata.category(ch)[0] not in "LM":
            raise InvalidInput(
                f"{shown(text)!r} is not a language name (letters, spaces, hyphens and "
                f"brackets, up to {LANGUAGE_MAX} characters)"
            )
    return name


class _Skilled(Protocol):
    @property
    def skills(self) -> Sequence[str]: ...


def spoken_languages(staff: Iterable[_Skilled]) -> frozenset[str]:
    """The languages the staff list as skills (``[[staff]] skills``), as recorded."""
    found = (parse_skill(skill) for person in staff for skill in person.skills)
    return frozenset(k[len(LANGUAGE) :] for k in found if k.startswith(LANGUAGE))


def interpreted_language(text: str, spoken: Collection[str]) -> str:
    """An interpreter need's language as recorded, when it is known here (on the common list,
    or ``spoken`` by the staff, :func:`spoken_languages`); else :class:`InvalidInput`, saying how
    to give it."""
    try:
        language = language_name(text)
    except InvalidInput:
        language = ""
    if language in INTERPRETED or language in spoken:
        return language
    if language in _SIGNED:  # a need of its own, met by a person who signs
        raise InvalidInput(
            f"interpreter language {shown(text)!r} is not a language known here: for British "
            f"Sign Language use the need `{BSL}`"
        )
    raise InvalidInput(
        f"interpreter language {shown(text)!r} is not a language known here: give its English "
        f"name, e.g. interpreter:{EXAMPLES.split(',')[0].lower()} ({EXAMPLES}); a language not "
        "listed is added to a staff member's skills in the site configuration"
    )


def parse_need(text: str, *, spoken: Collection[str]) -> str:
    """Normalise one need (case, spaces) or raise :class:`InvalidInput`; an interpreter's
    language must be known (:func:`interpreted_language`)."""
    raw = text.strip().lower()
    if raw in SIMPLE_NEEDS:
        return raw
    if raw.startswith(INTERPRETER):
        rest = raw[len(INTERPRETER) :]
        if not rest.startswith(":") or not rest[1:].strip():
            raise InvalidInput("an interpreter need names the language, e.g. interpreter:polish")
        return f"{INTERPRETER}:{interpreted_language(rest[1:], spoken)}"
    raise InvalidInput(f"unknown need {shown(text)!r}: expected one of {KNOWN}")


def parse_needs(
    value: str | list[str] | tuple[str, ...] | None, *, spoken: Collection[str]
) -> tuple[str, ...]:
    """Parse ``"bsl,interpreter:polish"`` (or a list) into sorted, de-duplicated needs
    (``spoken``: the languages the staff speak, :func:`spoken_languages`)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    parsed: set[str] = set()
    for item in items:
        if item.strip() == "":
            if isinstance(value, str) and value.strip() == "":
                return ()
            raise InvalidInput("empty need in the list (check for a stray comma)")
        parsed.add(parse_need(item, spoken=spoken))
    interpreters = [n for n in parsed if n.startswith(INTERPRETER + ":")]
    if len(interpreters) > 1:
        raise InvalidInput("record one interpreter language per visit")
    return tuple(sorted(parsed))


def language_title(name: str) -> str:
    """A recorded language name as people write it: "Portuguese (Brazil)"."""
    return name.title()


def _label(need: str, names: dict[str, str], interpreter: str) -> str:
    """``need`` by ``names``; an interpreter by ``interpreter`` with {language} in it."""
    if need in names:
        return names[need]
    if need.startswith(INTERPRETER + ":"):
        return interpreter.format(language=language_title(need.split(":", 1)[1]))
    return need


def describe_need(need: str) -> str:
    """A need in words, where there is room (panels, dialogs, the command line's text):
    ``Interpreter (Polish)``, ``Wheelchair access``."""
    return _label(need, SIMPLE_NEEDS, "Interpreter ({language})")


def needs_words(needs: Iterable[str]) -> str:
    """A visit's needs in words, one after another: "BSL interpreter, Interpreter (Polish)"
    ("" for none). Tables use :func:`short_need`."""
    return ", ".join(map(describe_need, needs))


SHORT_NEEDS: dict[str, str] = {
    "bsl": "BSL",
    "hearing-loop": "Loop",
    "wheelchair": "Wheelchair",
    "private-room": "Private",
    "large-print": "Large print",
    "collect-in-person": "Collect",
}


def short_need(need: str) -> str:
    """A compact label for tables (``Interp. Polish``)."""
    return _label(need, SHORT_NEEDS, "Interp. {language}")


def needs_private_room(needs: tuple[str, ...] | list[str]) -> bool:
    return "private-room" in needs


# What a desk needs to meet them ------------------------------------------------------------------

BSL = "bsl"
"""The requirement (and staff skill) of a BSL interpreter need: a person who signs."""
LANGUAGE = "language:"
STEP_FREE = "step-free"
HEARING_LOOP = "hearing-loop"
FACILITIES: dict[str, str] = {
    HEARING_LOOP: "Hearing loop",
    STEP_FREE: "Step-free access",
    "private-room": "Private room",
}
"""What a desk may have (``[[desks]] facilities``); a private room also makes it a private desk."""
_REQUIREMENT = {BSL: BSL, "hearing-loop": HEARING_LOOP, "wheelchair": STEP_FREE}


def requirement(need: str) -> str | None:
    """What a desk must offer to meet ``need`` (None: any desk meets it, or, for a private
    room, its own rule)."""
    if need in _REQUIREMENT:
        return _REQUIREMENT[need]
    if need.startswith(INTERPRETER + ":"):
        return LANGUAGE + need.split(":", 1)[1]
    return None


def requirements(needs: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(r for n in needs if (r := requirement(n)) is not None)


def parse_skill(text: str) -> str:
    """A staff skill as written in the configuration: ``bsl``, or a language they speak
    ("Polish", "Portuguese (Brazil)")."""
    if text.strip().lower() == BSL:
        return BSL
    return LANGUAGE + language_name(text)


def describe_capability(capability: str) -> str:
    """A requirement or capability in words: "BSL", "Polish", "Step-free access"."""
    if capability == BSL:
        return "BSL"
    if capability.startswith(LANGUAGE):
        return language_title(capability[len(LANGUAGE) :])
    return FACILITIES.get(capability, capability)


def unmet(capabilities: frozenset[str], requires: frozenset[str]) -> str:
    """What of a ticket's ``requires`` a desk that can meet ``capabilities`` (its facilities
    and its person's skills) does not meet, in words ("BSL", "BSL, Polish"; "" when it meets
    them all): the requirements the call order's fit reads (:func:`oss_desk.domain.queue.fit`)."""
    return ", ".join(sorted(describe_capability(r) for r in requires - capabilities))


def meets_said(requires: frozenset[str]) -> str:
    """How a desk that meets all of a ticket's requirements is marked where a desk is chosen
    for it: "meets BSL"."""
    return "meets " + ", ".join(sorted(describe_capability(r) for r in requires))


def unmet_said(desk: str, code: str, missing: str) -> str:
    """The warning before a resident is sent to a desk that does not meet their needs."""
    return f"{desk} does not meet {code}'s needs ({missing}): send them there anyway?"
