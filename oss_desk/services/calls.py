"""Importing the telephone system's call export: all rows or none, each file once.

The file is read, checked row by row (every bad row is reported with its line number), and
stored in one ``BEGIN IMMEDIATE`` transaction together with its import record and a
``calls_imported`` event (counts only). A call already stored by an earlier, overlapping export
(same site, same start, same call id, or the same figures when the export has no call id) is
skipped, so it is counted once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from oss_desk import files
from oss_desk.clock import format_instant
from oss_desk.domain.calls import (
    CallFormat,
    check_columns,
    decode,
    parse_calls,
    parse_mapping_overrides,
    problems_message,
)
from oss_desk.domain.models import Actor, EventKind
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.events import record_event
from oss_desk.services.session import Session
from oss_desk.storage import calls as store_calls

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportResult:
    import_id: int
    file: str
    site: str
    rows: int
    imported: int
    duplicates: int
    first_day: str | None
    last_day: str | None

    def as_json(self) -> dict[str, Any]:
        """Its fields, in order, as the JSON of ``oss-desk calls import --json``."""
        return asdict(self)

    def summary(self) -> str:
        text = (
            f"Imported {self.imported} call{'s' if self.imported != 1 else ''} from {self.file} "
            f"({self.first_day} to {self.last_day}) for {self.site}: import {self.import_id}"
        )
        if self.duplicates:
            text += (
                f"; {self.duplicates} duplicate call{'s' if self.duplicates != 1 else ''} "
                "skipped (already imported, or repeated in the file)"
            )
        return text


class CallImportService:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def call_format(self, timezone: str, overrides: Iterable[str] = ()) -> CallFormat:
        """The configured way to read an export, with ``--mapping KEY=COLUMN`` on top."""
        settings = self.s.settings.calls
        columns = {**settings.columns, **parse_mapping_overrides(overrides)}
        check_columns(columns)
        return CallFormat(
            columns=columns,
            time_formats=tuple(settings.time_format),
            timezone=settings.timezone or timezone,
            answered_values=tuple(settings.answered_values),
            abandoned_values=tuple(settings.abandoned_values),
            delimiter=settings.delimiter,
            durations=settings.durations,
        )

    def import_file(
        self, path: str | Path, site_id: str | None = None, mapping: Iterable[str] = ()
    ) -> ImportResult:
        site = self.s.site(site_id)
        fmt = self.call_format(site.timezone, mapping)
        path = Path(path)
        source = path.name or str(path)
        data = _read(path)
        digest = hashlib.sha256(data).hexdigest()
        with self.s.store.read() as conn:
            known = store_calls.import_by_sha256(conn, digest)
        if known is not None:
            raise _already(source, known)
        parsed = parse_calls(
            decode(data, source), fmt, source, now=self.s.clock.now(), site_timezone=site.timezone
        )
        if parsed.problems:
            raise InvalidInput(problems_message(source, parsed.problems))
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            known = store_calls.import_by_sha256(conn, digest)
            if known is not None:  # imported by another desk meanwhile
                raise _already(source, known)
            record = store_calls.record_import(
                conn,
                imported_at=format_instant(now),
                imported_by=self.actor.person,
                site_id=site.id,
                file_name=source,
                sha256=digest,
                calls=parsed.calls,
                mapping=fmt.describe(),
            )
            record_event(
                conn,
                site,
                now,
                EventKind.CALLS_IMPORTED,
                self.actor,
                data={
                    "import_id": record.id,
                    "rows": record.rows,
                    "imported": record.imported,
                    "duplicates": record.duplicates,
                    "first_day": record.first_day,
                    "last_day": record.last_day,
                },
            )
        return ImportResult(
            import_id=record.id,
            file=source,
            site=site.id,
            rows=record.rows,
            imported=record.imported,
            duplicates=record.duplicates,
            first_day=record.first_day,
            last_day=record.last_day,
        )


def _already(source: str, known: store_calls.CallImport) -> RuleViolation:
    return RuleViolation(
        f"{source}: this file was imported already (import {known.id}, "
        f"{known.imported_at[:16].replace('T', ' ')} UTC by {known.imported_by}, "
        f"as {known.file_name}): nothing imported"
    )


def _read(path: Path) -> bytes:
    where = str(path)
    too_big = (
        f"{where}: is too big for a call export (at most "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB): split it by month"
    )
    try:
        return files.read_bounded(path, MAX_FILE_BYTES)
    except files.TooLarge:
        raise InvalidInput(too_big) from None
    except OSError as exc:
        error = NotFound if isinstance(exc, FileNotFoundError) else InvalidInput
        raise error(f"{where}: {files.unreadable(exc, 'call export (CSV file)')}") from None
