"""What ``oss-desk db restore`` did and found (:func:`oss_desk.services.dbops.restore`): the
backup put in place, the replaced database kept, and what only that kept copy holds."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oss_desk.domain.models import format_code
from oss_desk.storage.replaced import LostBooking


@dataclass(frozen=True)
class ErasuresAgain:
    """The erasures (``resident forget``) the replaced database recorded after the backup, by
    the records' references, made again on the restored copy before it was put in place (a
    restore that cannot make them restores nothing): made again, or not needed there (it does
    not hold the record, or holds nothing of its resident)."""

    reapplied: list[str] = field(default_factory=list)
    not_needed: list[str] = field(default_factory=list)
    cancelled_again: list[str] = field(default_factory=list)
    """Of ``reapplied``, bookings the backup holds as still to come that the replaced database
    had cancelled before they were forgotten: cancelled again first (their slots free)."""
    still_booked: list[str] = field(default_factory=list)
    """Of ``reapplied``, bookings the backup holds as still to come (they were cancelled after
    it): erased, but their slots stay held until they are cancelled."""
    messages_cancelled: int = 0
    """The messages still to send (reminders) the re-apply cancelled: nothing may wait on the
    details."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RestoreResult:
    database: Path
    backup: Path
    kept: Path | None
    removed: list[Path]
    schema: list[str]
    counts: dict[str, int]
    newer_events: int | None = 0
    """Events of the replaced database that the backup does not have, by the event log's hash
    chain (all of them when it was another office's): now only in the kept copy. None: it
    could not be read."""
    newest_event: str | None = None
    """When the newest of them was recorded (UTC)."""
    carried: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(site, service, business day) -> the last number the replaced database gave out after
    the backup: the restored numbering carries on after it, so no code on paper is given
    again."""
    other_office: bool = False
    """The replaced database was another office's (``--force``): nothing was carried."""
    today: dict[str, str] = field(default_factory=dict)
    """Each site's business day at the restore: the codes said are of that day only."""
    upgraded: list[str] = field(default_factory=list)
    """The migrations applied to the restored copy of a backup made by an older release."""
    forked_at: int | None = None
    """The first of :attr:`newer_events` when the backup's log parts from the replaced one
    there (the backup went on with events of its own); None when it holds all before them."""
    codes_known: bool = True
    """The replaced database's own counters were read (False: only the operator's word,
    :attr:`given` and :attr:`skipped_ahead`, says where numbering carries on)."""
    given: dict[str, int] = field(default_factory=dict)
    """Service -> the last number on paper the operator gave (``--last-code``)."""
    skipped_ahead: int | None = None
    """``--skip-ahead``: every service today that many numbers past the backup's."""
    seen_in_wal: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """Of a replaced database that could not be read: today's last codes its old WAL still
    showed (a floor: numbering carries on after them whatever the operator gave)."""
    print_jobs_settled: dict[str, int] | None = field(default_factory=dict)
    """The backup's waiting print jobs that the replaced database had delivered since (by
    what is said of them, a :class:`PrintState` value): they keep that outcome and are not
    printed again. None: not known (the replaced database could not be read)."""
    lost_bookings: list[LostBooking] | None = field(default_factory=list)
    """Bookings the replaced database had and the backup has not (made after it, still on):
    only in the kept copy, their slots free again in the restored one. None: not known."""

    erasures: ErasuresAgain | None = field(default_factory=ErasuresAgain)
    """The erasures made after the backup, re-applied to the restored database. None: not
    known (the replaced database could not be read), which is not the same as none."""

    @property
    def codes_by_site(self) -> dict[str, tuple[str, list[str]]]:
        """Site -> (its current business day, its last code of each service given out that
        day after the backup, ``C003``)."""
        by: dict[str, list[str]] = {}
        for (site, service, day), n in self.carried.items():
            if self.today.get(site) == day:
                by.setdefault(site, []).append(format_code(service, n))
        return {site: (self.today[site], sorted(codes)) for site, codes in sorted(by.items())}

    @property
    def last_codes(self) -> tuple[str | None, list[str]]:
        """The latest of those days and every site's codes of :attr:`codes_by_site`."""
        by = self.codes_by_site
        if not by:
            return None, []
        return max(day for day, _ in by.values()), sorted(c for _, cs in by.values() for c in cs)

    def as_json(self) -> dict[str, Any]:
        day, codes = self.last_codes
        return {
            "database": str(self.database),
            "backup": str(self.backup),
            "kept": str(self.kept) if self.kept else None,
            "removed": [str(p) for p in self.removed],
            "schema": self.schema,
            "counts": self.counts,
            "newer_events": self.newer_events,
            "newest_event": self.newest_event,
            "other_office": self.other_office,
            "forked_at_event": self.forked_at,
            "upgraded": self.upgraded,
            "last_codes_day": day,
            "last_codes": codes,
            "last_codes_by_site": {site: cs for site, (_, cs) in self.codes_by_site.items()},
            "codes_known": self.codes_known,
            "last_codes_given": sorted(format_code(s, n) for s, n in self.given.items()),
            "skipped_ahead": self.skipped_ahead,
            "codes_seen_in_wal": sorted(
                format_code(s, n) for (_, s, _), n in self.seen_in_wal.items()
            ),
            "print_jobs_settled": self.print_jobs_settled,
            "bookings_only_in_kept": None
            if self.lost_bookings is None
            else [
                {
                    "ref": b.ref,
                    "starts_at": b.starts_at,
                    "status": b.status,
                    "sent": [{"kind": k, "channel": c} for k, c in b.sent],
                    "slip": b.slip or None,
                }
                for b in self.lost_bookings
            ],
            "erasures_after_backup": None if self.erasures is None else self.erasures.as_json(),
        }


__all__ = ["ErasuresAgain", "RestoreResult"]
