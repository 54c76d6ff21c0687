"""The ticket counters a database's WAL still shows when the database itself cannot be read.

A copy put over the live file by hand (``cp BACKUP office.sqlite``) leaves the old WAL beside
it; when the copy's pages are laid out differently (``db backup --method vacuum``) SQLite reads
the pair as malformed, and the codes the office gave out today are not known from it. The WAL's
committed frames are the old database's pages as they were last written, each whole: the page
of ``ticket_counters`` that the day's tickets rewrote is among them. They are read here on their
own, with the WAL format's own checks (salts and the running checksum, stopping at the first
frame that fails them, as SQLite does), and only up to the last commit.

What this finds is a floor, not the whole: a service whose counter was last written before the
WAL was last checkpointed is not in it. (The WAL file format: sqlite.org/fileformat2.html#wal.)
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

Counters = dict[tuple[str, str, str], int]
"""(site, service, business day) -> the last ticket number given out."""

_HEADER = struct.Struct(">8I")
_FRAME = struct.Struct(">6I")
_MAGIC = (0x377F0682, 0x377F0683)
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_INDEX_PAGES = (0x02, 0x0A)
"""Interior and leaf pages of an index b-tree: a WITHOUT ROWID table's rows are on them."""


def wal_ticket_counters(wal: Path, sites: set[str], services: set[str]) -> Counters:
    """The highest number per (site, service, day) that the committed frames of ``wal`` show
    in rows shaped as ``ticket_counters``'s (of the ``sites`` and ``services`` given): empty
    when there is no WAL, or nothing in it can be read."""
    try:
        data = wal.read_bytes()
    except OSError:
        return {}
    found: Counters = {}
    for number, page in _committed_pages(data).items():
        for values in _index_records(page, 100 if number == 1 else 0):
            if len(values) != 4:
                continue
            site, service, day, last = values
            if (
                isinstance(site, str)
                and site in sites
                and isinstance(service, str)
                and service in services
                and isinstance(day, str)
                and _DAY.fullmatch(day)
                and isinstance(last, int)
                and last >= 1
            ):
                key = (site, service, day)
                found[key] = max(found.get(key, 0), last)
    return found


def _committed_pages(data: bytes) -> dict[int, bytes]:
    """Page number -> its last committed image in the WAL ``data``."""
    if len(data) < _HEADER.size:
        return {}
    magic, _, size, _, salt1, salt2, check1, check2 = _HEADER.unpack_from(data)
    if magic not in _MAGIC or size < 512 or size & (size - 1):
        return {}
    order = ">" if magic & 1 else "<"
    if _checksum(data[:24], 0, 0, order) != (check1, check2):
        return {}
    sums = (check1, check2)
    pages: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    offset = _HEADER.size
    while offset + _FRAME.size + size <= len(data):
        number, commit, s1, s2, c1, c2 = _FRAME.unpack_from(data, offset)
        image = data[offset + _FRAME.size : offset + _FRAME.size + size]
        sums = _checksum(data[offset : offset + 8] + image, *sums, order)
        if (s1, s2) != (salt1, salt2) or sums != (c1, c2):
            break
        pending[number] = image
        if commit:
            pages.update(pending)
            pending = {}
        offset += _FRAME.size + size
    return pages


def _checksum(data: bytes, s0: int, s1: int, order: str) -> tuple[int, int]:
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _index_records(page: bytes, start: int) -> list[list[object]]:
    """The records of an index b-tree page's cells that lie whole on the page."""
    kind = page[start]
    if kind not in _INDEX_PAGES:
        return []
    header = 12 if kind == 0x02 else 8
    (cells,) = struct.unpack_from(">H", page, start + 3)
    found: list[list[object]] = []
    for k in range(cells):
        (at,) = struct.unpack_from(">H", page, start + header + 2 * k)
        try:
            size, at = _varint(page, at + (4 if kind == 0x02 else 0))
            if at + size <= len(page) and size <= len(page) - 35:  # not spilled
                found.append(_record(page[at : at + size]))
        except (IndexError, ValueError, struct.error):
            continue  # not a cell after all
    return found


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for k in range(9):
        byte = data[at + k]
        if k == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + k + 1
    raise ValueError("varint")  # pragma: no cover - the loop returns by its ninth byte


_INT_SIZES = (0, 1, 2, 3, 4, 6, 8)


def _record(data: bytes) -> list[object]:
    """The values of one record (the record format's serial types)."""
    size, at = _varint(data, 0)
    types: list[int] = []
    while at < size:
        kind, at = _varint(data, at)
        types.append(kind)
    values: list[object] = []
    at = size
    for kind in types:
        if kind == 0:
            values.append(None)
        elif kind <= 6:
            width = _INT_SIZES[kind]
            values.append(int.from_bytes(data[at : at + width], "big", signed=True))
            at += width
        elif kind == 7:
            values.append(struct.unpack_from(">d", data, at)[0])
            at += 8
        elif kind in (8, 9):
            values.append(kind - 8)
        elif kind >= 12:
            width = (kind - 12) // 2
            raw = data[at : at + width]
            values.append(raw.decode("utf-8") if kind % 2 else raw)
            at += width
        else:
            raise ValueError("serial type")
        if at > len(data):
            raise ValueError("cut short")
    return values
