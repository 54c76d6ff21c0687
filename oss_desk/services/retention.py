"""The retention purge: personal data past its keeping time deleted, and what was deleted
recorded (counts only) in the event log.

Its own module, apart from the database's checks and restores (:mod:`oss_desk.services.dbops`,
which gives these names too): the device worker purges every hour from start, and imports only
this, not the restore's and the backups' code.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from oss_desk.clock import format_instant, parse_instant
from oss_desk.domain.calendar import local, zone
from oss_desk.domain.models import Actor, EventKind
from oss_desk.services.events import record_event
from oss_desk.services.session import Session
from oss_desk.storage import feedback_texts, ratings, resident
from oss_desk.storage import maintenance as m


@dataclass
class PurgeResult:
    dry_run: bool
    counts: dict[str, int]
    cutoffs: dict[str, str]
    open_refs: dict[str, list[str]] = field(default_factory=dict)
    """Of ``followups`` and ``records``: the references of those still open whose details go."""

    @property
    def still_open(self) -> dict[str, int]:
        """How many of :attr:`open_refs` there are, by count key."""
        return {key: len(refs) for key, refs in self.open_refs.items()}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "counts": self.counts,
            "before": self.cutoffs,
            "still_open": self.still_open,
            "still_open_refs": self.open_refs,
        }


DAY_PERIODS = frozenset({"contacts", "phones", "feedback_texts"})
"""The retention periods counted in the office's local days (a booking's day, a visit's day);
the others count from an instant (a note written, a follow-up closed)."""


class RetentionService:
    """Deletes personal data kept past the periods in the ``[retention]`` settings."""

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def periods(self) -> dict[str, int]:
        """Each retention period in days, by the name of its cut-off (:meth:`cutoffs`): the
        one home of how long each kind of personal data is kept."""
        r = self.s.settings.retention
        return {
            "contacts": self.s.settings.contacts_days,
            "notes": r.notes_days,
            "messages": r.messages_days,
            "print_jobs": r.print_jobs_days,
            "followups": r.followups_days,
            "records": r.records_days,
            "phones": 0,  # a "nearly your turn" number goes at the end of its day
            "comments": r.comments_days,
            "feedback_texts": r.feedback_texts_days,
        }

    def _timezone(self) -> str:
        """The office's days are its first site's (one cut-off for the whole office)."""
        sites = list(self.s.directory.sites.values())
        return sites[0].timezone if sites else "Europe/London"

    def cutoffs(self) -> dict[str, str]:
        """What each purge deletes is what is counted from before its cut-off: a local day
        for the periods counted in days (:data:`DAY_PERIODS`), else an instant."""
        now = self.s.clock.now()
        today = local(now, self._timezone()).date()
        return {
            key: (today - timedelta(days=days)).isoformat()
            if key in DAY_PERIODS
            else format_instant(now - timedelta(days=days))
            for key, days in self.periods().items()
        }

    def day_starts(self, day: str) -> str:
        """The instant the office's local ``day`` begins: a booking cancelled before it is as
        far past its period as one held on an earlier day (its retention counts from the
        cancellation)."""
        tz = zone(self._timezone())
        return format_instant(datetime.combine(date.fromisoformat(day), time(0), tz))

    def local_day(self, instant: str) -> str:
        """The office's local day of ``instant`` (as the cut-offs count days)."""
        return local(parse_instant(instant), self._timezone()).date().isoformat()

    def deleted_after(self, period: str, since: str) -> str:
        """The instant after which the purge (hourly, by the worker) deletes what the
        ``period`` counts from ``since`` (a local day for :data:`DAY_PERIODS`, else an
        instant): the inverse of :meth:`cutoffs`."""
        days = self.periods()[period]
        if period in DAY_PERIODS:
            return self.day_starts(
                (date.fromisoformat(since) + timedelta(days=days + 1)).isoformat()
            )
        return format_instant(parse_instant(since) + timedelta(days=days))

    def purge(self, *, dry_run: bool = False) -> PurgeResult:
        """Delete what is due. The connection overwrites deleted content with zeros (``PRAGMA
        secure_delete``, whatever SQLite was compiled with), and afterwards the WAL is folded
        into the database and truncated, so no copy of a purged value stays in the files."""
        now = self.s.clock.now()
        stamp = format_instant(now)
        cut = self.cutoffs()
        cancelled = self.day_starts(cut["contacts"])
        if not dry_run:
            m.set_secure_delete(self.s.store.conn, on=True)
        with self.s.store.write() as conn:
            still_open = open_followups_due(conn, cut)
            counts = {
                "contacts": m.purge_contacts(
                    conn, cut["contacts"], cancelled, stamp, dry_run=dry_run
                ),
                "cancel_reasons": m.purge_cancel_reasons(
                    conn, cut["contacts"], cancelled, dry_run=dry_run
                ),
                "notes": m.purge_notes(conn, cut["notes"], stamp, dry_run=dry_run),
                "message_traces": m.purge_message_traces(conn, cut["messages"], dry_run=dry_run),
                "print_payloads": m.purge_print_payloads(conn, cut["print_jobs"], dry_run=dry_run),
                **purge_followup_details(conn, cut, stamp, dry_run=dry_run),
                "phones": resident.purge_phones(conn, cut["phones"], dry_run=dry_run),
                "text_traces": resident.purge_turn_text_traces(
                    conn, cut["messages"], dry_run=dry_run
                ),
                "comments": ratings.purge_comments(conn, cut["comments"], stamp, dry_run=dry_run),
                "feedback_numbers": feedback_texts.purge_numbers(
                    conn, cut["feedback_texts"], stamp, dry_run=dry_run
                ),
                "feedback_text_traces": feedback_texts.purge_traces(
                    conn, cut["messages"], dry_run=dry_run
                ),
            }
            if not dry_run and any(counts.values()):
                record_event(
                    conn,
                    None,
                    now,
                    EventKind.DATA_PURGED,
                    self.actor,
                    data={"counts": counts, "before": cut},
                )
        if not dry_run and any(counts.values()):
            m.checkpoint_truncate(self.s.store.conn)
        return PurgeResult(dry_run, counts, cut, still_open)


def purge_followup_details(
    conn: sqlite3.Connection, cut: dict[str, str], stamp: str, *, dry_run: bool
) -> dict[str, int]:
    """The follow-ups' personal details: ring-backs and referrals after ``followups``, comments,
    compliments and complaints after ``records`` (both from closing, or receipt if open)."""
    from oss_desk.domain.followups import RECORD_KINDS, WORK_KINDS
    from oss_desk.storage.followups import purge_details, purge_message_traces, purge_officers

    return {
        "referral_message_traces": purge_message_traces(conn, cut["messages"], dry_run=dry_run),
        "followups": purge_details(
            conn, kinds=WORK_KINDS, before=cut["followups"], now=stamp, dry_run=dry_run
        ),
        "records": purge_details(
            conn, kinds=RECORD_KINDS, before=cut["records"], now=stamp, dry_run=dry_run
        ),
        "officers": purge_officers(
            conn, kinds=RECORD_KINDS, before=cut["records"], dry_run=dry_run
        ),
    }


def open_followups_due(conn: sqlite3.Connection, cut: dict[str, str]) -> dict[str, list[str]]:
    """Of the follow-ups whose details :func:`purge_followup_details` deletes, the references
    of those still open (received before the cut-off, never closed): said, never silently lost."""
    from oss_desk.domain.followups import RECORD_KINDS, WORK_KINDS
    from oss_desk.storage.followups import open_due_for_purge

    return {
        "followups": open_due_for_purge(conn, kinds=WORK_KINDS, before=cut["followups"]),
        "records": open_due_for_purge(conn, kinds=RECORD_KINDS, before=cut["records"]),
    }
