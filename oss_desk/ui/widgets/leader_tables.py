"""The team leader's two small tables, side by side under their headings: every desk, and
the queue by service. Their rows are fitted to the width each table is given, and the width
is shared by what each needs: the services' table takes what its rows need (its service names
shortened first when short of room) and the desks' table the rest, so that neither is cut
while there is room to spare (F4 at 120 columns shows every desk's line whole)."""

from __future__ import annotations

from rich.text import Text

from oss_desk.domain.text import name_within
from oss_desk.ui.widgets.fit import PADDING, column_widths, fit_rows

COLUMNS = {
    "#desks": (("Desk", "desk"), ("Who", "person"), ("Doing", "status"), ("For", "since")),
    "#by-service": (
        ("Service", "service"),
        ("Wait", "waiting"),
        ("Longest", "longest"),
        ("Over", "over"),
    ),
}
"""The columns of the desks and services tables (label, key)."""

TITLES = {"#desks": "Desks", "#by-service": "Waiting by service"}
"""The heading over each table: two tables, never read as one row across."""

GAP = 3
"""The cells between the two tables: a margin of 2 and the services' rule (leader.tcss)."""
RULE = 1
"""The rule at the services' table's left, within its box."""

DESK_NAME_LEAST = 10
"""A desk's name is never shortened below this many cells ("Interview…")."""
DOING_LEAST = len("serving C001")
"""What a desk is doing, and with whom, gets at least this many cells before the desk's name
is shortened."""
WHO_LEAST = len("Fatima O.")
"""Who is logged in gets at least this many cells (a first name and an initial) before the
desk's name is shortened: never cut to "Fa…" while a desk's name is written whole."""


def labels(table: str) -> list[str]:
    return [label for label, _ in COLUMNS[table]]


def table_width(rows: dict[str, tuple[Text, ...]], table: str) -> int:
    """The cells ``table`` needs to show ``rows`` whole."""
    widths = column_widths(rows, labels(table))
    return sum(widths) + PADDING * len(widths) + 1


def services_width(
    total: int, desks: dict[str, tuple[Text, ...]], services: dict[str, tuple[Text, ...]]
) -> int:
    """How wide the services' table is, of the ``total`` cells both tables share: what its
    rows need when the desks' need fits beside it; else the two give up half the shortage
    each (the desks never below what :func:`fit_desk_rows` keeps whole), and the services'
    table never less than its counts and headings with the names shortened to "Service"."""
    wants = table_width(services, "#by-service")
    if total <= 0:
        return wants
    name = column_widths(services, labels("#by-service"))[0]
    least = wants - (name - len("Service"))
    room = total - GAP
    shortage = wants + table_width(desks, "#desks") - room
    if shortage <= 0:
        return wants
    shared = wants - (shortage - shortage // 2)
    return max(least, min(wants, shared, room - desks_least(desks)))


def desks_least(rows: dict[str, tuple[Text, ...]]) -> int:
    """The fewest cells the desks' table is given while the services' table can give way: the
    desks' names to ``DESK_NAME_LEAST``, who to ``WHO_LEAST``, what they do to
    ``DOING_LEAST`` (each no wider than it is), and how long whole."""
    desk, who, doing, since = column_widths(rows, labels("#desks"))
    kept = min(desk, DESK_NAME_LEAST) + min(who, WHO_LEAST) + min(doing, DOING_LEAST) + since
    return kept + PADDING * 4 + 1


def fit_desk_rows(rows: dict[str, tuple[Text, ...]], width: int) -> dict[str, tuple[Text, ...]]:
    """The desks' rows within ``width`` cells (no sideways scrolling): when they do not fit,
    who is logged in is written shorter ("Ben W.") and what the desk is doing shortened with
    "…"; when even then what the desk is doing would be cut to a stub, the desk's name is
    shortened too (never below ``DESK_NAME_LEAST`` cells)."""
    if width <= 0 or not rows:
        return rows
    widths = column_widths(rows, labels("#desks"))
    spare = width - widths[3] - PADDING * len(widths) - 1
    if widths[0] + widths[1] + widths[2] <= spare:
        return rows
    least = min(widths[1], WHO_LEAST) + min(widths[2], DOING_LEAST)
    name = max(min(widths[0], DESK_NAME_LEAST), min(widths[0], spare - least))
    room = spare - name
    # What the desks are doing keeps what it needs up to DOING_LEAST; who has the rest, their
    # names written shorter to fit ("Ben W.", "Ben": domain.text.name_within).
    who = max(len("Who"), min(widths[1], room - min(widths[2], DOING_LEAST)))
    doing = max(len("Doing"), room - who)
    fitted: dict[str, tuple[Text, ...]] = {}
    for key, (desk, person, status, since) in rows.items():
        desk, status = desk.copy(), status.copy()
        desk.truncate(name, overflow="ellipsis")
        person = Text(name_within(person.plain, who), style=person.style)
        status.truncate(doing, overflow="ellipsis")
        fitted[key] = (desk, person, status, since)
    return fitted


def fit_service_rows(rows: dict[str, tuple[Text, ...]], width: int) -> dict[str, tuple[Text, ...]]:
    """The services' rows within ``width`` cells: a long service name is shortened with "…",
    so the counts (Wait, Longest, Over) and their headings are always in view."""
    return fit_rows(rows, labels("#by-service"), width, shrink=((0, len("Service")),))
