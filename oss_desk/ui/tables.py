"""The desk's tables: drawn at the widths they measured.

A table measures the rows added to it (and the cells changed) when it is next idle, and keeps
what it drew keyed by its count of changes; measuring changes the columns' widths without
counting a change. On a busy desk a frame can be drawn between a row added and its measuring:
what was drawn then, at the headings' widths, was kept and shown after ("CB-" for "CB-0001",
"Tue" for "Tue 24 Nov" in the follow-ups list) until something else in the table changed. So
a table whose measuring changed a width draws itself again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey

CellType = TypeVar("CellType")


class Table(DataTable[CellType]):
    """A DataTable that never shows what it drew before a column's width changed."""

    _remeasured = False
    """A cell changed has changed its column's width since the table last drew itself anew."""

    def _widths(self) -> list[int]:
        return [self._label_column.content_width] + [
            column.content_width for column in self.columns.values()
        ]

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        before = self._widths()
        super()._update_column_widths(updated_cells)
        self._remeasured = self._remeasured or self._widths() != before

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # When idle, after the cells changed (above), if any: the rows added.
        before = self._widths()
        super()._update_dimensions(new_rows)
        if self._remeasured or self._widths() != before:
            self._remeasured = False
            self._clear_caches()  # what was drawn at the widths before; it refreshes
