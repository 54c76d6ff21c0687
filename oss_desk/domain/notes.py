"""A note on a visit: a few words from the adviser (O at the desk), kept apart from the event
log because it may hold personal data, and deleted on schedule (``retention.notes_days``)."""

from __future__ import annotations

NOTE_LIMIT = 500
"""The longest note, in characters as stored (:func:`oss_desk.domain.text.clean_text`): the
desk's note box counts down to it as the adviser types, and a longer note is refused, never
cut."""

NOTE_TOO_LONG = "notes are kept short"
"""What a refusal of a longer note says before the limit."""
