"""Rows fitted to a table's width: the columns named are shortened with "…" in order, each no
more than it must and never below its heading; rows that fit are left alone. And a table's rows
updated by key, never cleared and rebuilt."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from oss_desk.ui.widgets.fit import PADDING, FittedTable, column_widths, fit_rows, update_rows

LABELS = ("Ref", "Service", "Due")
SHRINK = ((1, 7), (0, 3))


def table_width(rows: dict[str, tuple[Text, ...]]) -> int:
    return sum(column_widths(rows, LABELS)) + PADDING * len(LABELS) + 1


def test_the_first_named_column_gives_way_first_and_no_more_than_it_must() -> None:
    rows: dict[str, tuple[Text, ...]] = {
        "1": (Text("CB-0001"), Text("Housing - homelessness"), Text("Tue 24 Nov"))
    }
    whole = table_width(rows)
    fitted = fit_rows(rows, LABELS, whole - 5, SHRINK)
    assert [str(c) for c in fitted["1"]] == ["CB-0001", "Housing - homele…", "Tue 24 Nov"]
    assert table_width(fitted) == whole - 5
    assert fit_rows(rows, LABELS, whole, SHRINK) is rows  # fits: untouched
    assert fit_rows(rows, LABELS, 0, SHRINK) is rows  # not laid out yet
    # The service down to its heading, then the reference: never below its heading.
    tight = fit_rows(rows, LABELS, 1, SHRINK)["1"]
    assert [len(c) for c in tight] == [3, 7, 10] and str(tight[2]) == "Tue 24 Nov"


@given(
    st.lists(st.tuples(st.text("ab -", max_size=30), st.text("xy", max_size=12)), min_size=1),
    st.integers(min_value=1, max_value=80),
)
def test_fitted_rows_fit_when_the_named_columns_can_give_way(
    cells: list[tuple[str, str]], width: int
) -> None:
    rows: dict[str, tuple[Text, ...]] = {
        str(i): (Text(ref), Text(service), Text("Tue")) for i, (service, ref) in enumerate(cells)
    }
    fitted = fit_rows(rows, LABELS, width, SHRINK)
    widths = column_widths(fitted, LABELS)
    least = {column: max(n, len(LABELS[column])) for column, n in SHRINK}
    smallest = sum(
        min(w, least.get(column, w)) for column, w in enumerate(column_widths(rows, LABELS))
    )
    assert all(w >= len(label) for w, label in zip(widths, LABELS, strict=True))
    if width >= smallest + PADDING * len(LABELS) + 1:
        assert table_width(fitted) <= width
    for key, row in rows.items():  # shortened text is the start of the whole text
        for was, now in zip(row, fitted[key], strict=True):
            assert str(now) == str(was) or (
                str(now).endswith("…") and str(was).startswith(str(now)[:-1])
            )


class _OneTable(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable()
        table.add_column("Code", key="code")
        table.add_column("Desk", key="desk")
        yield table


async def test_rows_are_updated_by_key_never_cleared_and_rebuilt() -> None:
    """update_rows (the team leader's desks and services, the follow-ups list): a changed cell
    is updated in its row, a gone row removed (the width only it needed with it), a new row
    added at the end; the rows kept are the same rows, and the cursor stays on its row."""
    columns = ("code", "desk")
    app = _OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        update_rows(
            table,
            {
                "a": (Text("A001"), Text("Desk 1")),
                "b": (Text("B001"), Text("Interview room 2")),
                "c": (Text("C001"), Text("Desk 3")),
            },
            columns,
        )
        await pilot.pause()
        table.move_cursor(row=2)
        kept = {str(key.value): row for key, row in table.rows.items() if key.value != "b"}
        update_rows(
            table,
            {
                "a": (Text("A001"), Text("Desk 2")),
                "c": (Text("C001"), Text("Desk 3")),
                "d": (Text("D001"), Text("Desk 4")),
            },
            columns,
        )
        await pilot.pause()
        assert [row.key.value for row in table.ordered_rows] == ["a", "c", "d"]
        assert [str(table.get_cell(key, "desk")) for key in "acd"] == ["Desk 2", "Desk 3", "Desk 4"]
        assert all(table.rows[row.key] is row for row in kept.values())
        assert [column.content_width for column in table.ordered_columns] == [4, 6]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "c"


class _FollowupsList(App[None]):
    CSS = "FittedTable { height: 4; }"

    def compose(self) -> ComposeResult:
        table = FittedTable()
        table.add_column("Ref", key="ref")
        table.add_column("Due", key="due")
        yield table


def drawn(table: DataTable[Text]) -> list[str]:
    """The table's lines as the screen draws them now."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [line.text.rstrip() for line in lines]


async def test_rows_drawn_before_the_table_measured_them_are_drawn_again_whole() -> None:
    """A busy desk draws a frame between rows added and the table measuring them (it does so
    when idle): the rows then showed cut at their headings' widths ("CB-" for "CB-0001", "Tue"
    for "Tue 24 Nov"), and stayed so until something else changed in the list. Once measured,
    they are drawn again, whole, under headings as wide as them."""
    app = _FollowupsList()
    async with app.run_test() as pilot:
        table = app.query_one(FittedTable)
        await pilot.pause()
        update_rows(table, {"1": (Text("CB-0001"), Text("Tue 24 Nov"))}, ("ref", "due"))
        assert drawn(table)[:2] == [" Ref  Due", " CB-  Tue"]  # drawn before it measured
        await pilot.pause()
        assert [column.content_width for column in table.ordered_columns] == [7, 10]
        assert drawn(table)[:2] == [" Ref      Due", " CB-0001  Tue 24 Nov"]
