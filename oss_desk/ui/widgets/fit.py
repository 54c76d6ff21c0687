"""Rows of a table fitted to its width, so it never scrolls sideways: text shortened with "…"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from oss_desk.ui.faults import guarded
from oss_desk.ui.tables import Table

PADDING = 2
"""The cells a DataTable adds to each column (one each side)."""


def column_widths(rows: dict[str, tuple[Text, ...]], labels: Sequence[str]) -> list[int]:
    """Each column's widest cell or heading."""
    return [
        max([len(label), *(len(row[i]) for row in rows.values())]) for i, label in enumerate(labels)
    ]


def fit_rows(
    rows: dict[str, tuple[Text, ...]],
    labels: Sequence[str],
    width: int,
    shrink: Sequence[tuple[int, int]],
) -> dict[str, tuple[Text, ...]]:
    """The rows within ``width`` cells: when they do not fit, the columns in ``shrink``
    (column, fewest cells) are shortened with "…" in that order, each no more than it must and
    never below its fewest cells (nor its heading: headings are never cut). Rows that fit, and
    a table not laid out yet (``width`` 0), are left as they are."""
    if width <= 0 or not rows:
        return rows
    widths = column_widths(rows, labels)
    over = sum(widths) + PADDING * len(widths) + 1 - width
    if over <= 0:
        return rows
    fitted = list(widths)
    for column, least in shrink:
        cut = max(0, min(over, widths[column] - max(least, len(labels[column]))))
        fitted[column] -= cut
        over -= cut
    changed = [i for i, (was, now) in enumerate(zip(widths, fitted, strict=True)) if now < was]
    result: dict[str, tuple[Text, ...]] = {}
    for key, row in rows.items():
        cells = list(row)
        for i in changed:
            cells[i] = cells[i].copy()
            cells[i].truncate(fitted[i], overflow="ellipsis")
        result[key] = tuple(cells)
    return result


def remove_rows(table: DataTable[Any], keys: Iterable[RowKey | str]) -> None:
    """Remove rows, and the width only they needed: a DataTable keeps a column as wide as the
    widest cell it ever held, so once a long service name had left, the table stayed wider
    than its panel and its last column was cut ("N" for "Needs"). A column is measured again
    (by the table, from the rows left) only where a removed cell was as wide as the column,
    so the usual row leaving costs nothing more."""
    widest: set[ColumnKey] = set()
    columns = table.ordered_columns
    for key in keys:
        for column, cell in zip(columns, table.get_row(key), strict=True):
            if _cell_width(cell) >= column.content_width:
                widest.add(column.key)
        table.remove_row(key)
    if not widest:
        return
    first = next(iter(table.rows), None)
    for column in columns:
        if column.key not in widest:
            continue
        if first is None:  # no rows left: as wide as its heading
            column.content_width = column.label.cell_len
        else:  # the table measures the column again when a cell is narrower than it
            table.update_cell(
                first, column.key, table.get_cell(first, column.key), update_width=True
            )


def update_rows(
    table: DataTable[Any], rows: Mapping[str, Sequence[Text]], columns: Sequence[str]
) -> None:
    """Make the table's rows ``rows`` (cells in the order of the column keys ``columns``), by
    row key, never cleared and rebuilt: gone rows removed (:func:`remove_rows`), a changed
    cell updated, a new row added at the end; the cursor stays where it was. Call it inside
    the app's ``batch_update``."""
    existing = {str(key.value) for key in table.rows}
    remove_rows(table, [key for key in table.rows if key.value not in rows])
    for key, cells in rows.items():
        if key in existing:
            for column, cell in zip(columns, cells, strict=True):
                if table.get_cell(key, column) != cell:
                    table.update_cell(key, column, cell, update_width=True)
        else:
            table.add_row(*cells, key=key)


def _cell_width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


class FittedTable(Table[Text]):
    """A table whose rows its screen fits to its width: says when that width changes (a
    terminal resized, a panel moved), so the rows are fitted again."""

    class WidthChanged(Message):
        """The table's width changed: fit its rows again."""

        def __init__(self, table: FittedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> FittedTable:
            return self.table

    @guarded
    def on_resize(self, event: Resize) -> None:
        self.post_message(self.WidthChanged(self))
