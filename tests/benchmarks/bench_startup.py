"""The speed table's start-up rows alone: `oss-desk queue` as a whole process beside
`sqlite-utils tables`, and the desk's launch to its first frame (and its memory) beside a trivial
Textual app; each floor measured in the same run, turn about, medians.

Run: .venv/bin/python -m tests.benchmarks startup        (the same rows as the table's first)
"""

from __future__ import annotations


def main(quick: bool = False) -> None:
    from tests.benchmarks import table_desk

    for row in table_desk.start_up(quick):
        print("\n".join(row.lines()), flush=True)
