"""Residents' own ratings of their visit: 1 to 5 (4 and 5 count as satisfied), or declined.

A rating is given once per visit, and only for a visit that finished: by the adviser at the desk
for the resident (``oss-desk ticket rate``), by the resident on the counter's feedback page
(:meth:`Ratings.rate_on_page`: the visit just finished at that desk, no login, no personal
data; served by `oss-desk screen` at `/f/TOKEN`), or through the link in the follow-up text
(:meth:`Ratings.rate_by_text`, `/r/TOKEN`): each counts the same in the satisfaction figure.
An optional comment (the resident's own words) is kept apart and deleted after
``retention.comments_days``. The event log records each rating (the number, where it was
given, whether there is a comment; never the words).
"""

from __future__ import annotations

import hmac
import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.calendar import business_day
from oss_desk.domain.feedback_texts import answer_open, answer_token
from oss_desk.domain.models import Actor, Desk, EventKind
from oss_desk.domain.public import feedback_desk_token, feedback_visit_token
from oss_desk.domain.standards import RATINGS
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.events import record_event
from oss_desk.services.session import Session
from oss_desk.storage import ratings as r
from oss_desk.storage.events import callers_of_visit
from oss_desk.storage.feedback_texts import answerable
from oss_desk.storage.resident import secret

SOURCES = ("desk", "tablet", "text")
COMMENT_LIMIT = 500
DECLINED = ("declined", "d", "none", "no")
RESIDENT = Actor(person="resident")
"""Who gives a rating on the feedback page: the resident themselves (no staff member acts)."""


def parse_rating(value: str | int | None) -> int | None:
    """``1``-``5``, or ``declined`` (None)."""
    if value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        text = value.strip().lower()
        if text in DECLINED:
            return None
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput(f"rating {shown(str(value))!r}: 1 to 5, or declined")
        number = int(text)
    if number not in RATINGS:
        raise InvalidInput(f"rating {number}: 1 to 5, or declined")
    return number


def clean_comment(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if not cleaned:
        return None
    if len(cleaned) > COMMENT_LIMIT:
        raise InvalidInput(f"keep the comment under {COMMENT_LIMIT} characters")
    return cleaned


@dataclass(frozen=True, slots=True)
class Given:
    visit_id: int
    rating: int | None
    source: str


class Ratings:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    # At the desk ---------------------------------------------------------------------------

    def rate_ticket(self, ref: str | int, rating: str | int | None) -> Given:
        """The resident's rating of the visit a finished ticket belonged to, recorded by the
        person who served them (or a team leader)."""
        from oss_desk.services.queue import QueueService

        ticket = QueueService(self.s, self.actor).ticket(ref)
        return self.rate_visit(ticket.visit_id, rating)

    def rate_visit(
        self, visit_id: int, rating: str | int | None, comment: str | None = None
    ) -> Given:
        """The resident's rating of a finished visit, given at the desk."""
        value = parse_rating(rating)
        words = clean_comment(comment)
        with self.s.store.write() as conn:
            done = r.finished_visit(conn, visit_id)
            if done is None:
                raise RuleViolation(f"visit {visit_id} has not finished: rate it once it has")
            if done.with_ticket:
                self.s.require(Action.FINISH, self.actor)
                if self.s.scope(Action.FINISH, self.actor) is Scope.OWN:
                    mine = done.actor == self.actor.person or any(
                        p == self.actor.person for p, _d, _t in callers_of_visit(conn, visit_id)
                    )
                    self.s.require(Action.FINISH, self.actor, own=mine)
            else:
                self.s.require(Action.QUICK_VISIT, self.actor)
            self._record(conn, done, value, "desk", self.actor, done.desk_id, words)
        return Given(visit_id, value, "desk")

    # The counter's feedback page -------------------------------------------------------------

    def desk_token(self, desk_id: str) -> str:
        desk = self.s.desk(desk_id)
        with self.s.store.read() as conn:
            return feedback_desk_token(secret(conn), desk.id)

    def desk_of(self, token: str) -> Desk | None:
        """The desk whose feedback page ``token`` is (None: no desk's)."""
        with self.s.store.read() as conn:
            key = secret(conn)
        for desk in self.s.directory.desks.values():
            if hmac.compare_digest(feedback_desk_token(key, desk.id), token):
                return desk
        return None

    def offered(self, desk: Desk) -> tuple[int, str] | None:
        """The visit the page at ``desk`` offers to rate now: the latest finished there within
        ``feedback.window_minutes`` and not rated yet, as (visit id, its token)."""
        now = self.s.clock.now()
        site = self.s.directory.sites[desk.site_id]
        since = now - timedelta(minutes=self.s.settings.feedback.window_minutes)
        with self.s.store.read() as conn:
            found = r.last_finished_at_desk(
                conn, desk.id, business_day(now, site.timezone), format_instant(since)
            )
            if found is None:
                return None
            return found.visit_id, feedback_visit_token(
                secret(conn), found.visit_id, found.business_day
            )

    def rate_on_page(
        self, desk: Desk, visit_token: str, rating: str | int | None, comment: str | None
    ) -> str:
        """A rating given on ``desk``'s page for the visit it offered (``visit_token``):
        ``thanks``, ``already`` (that visit has one) or ``expired`` (no such visit finished at
        this desk today)."""
        value = parse_rating(rating)
        words = clean_comment(comment)
        now = self.s.clock.now()
        site = self.s.directory.sites[desk.site_id]
        day = business_day(now, site.timezone)
        with self.s.store.write() as conn:
            key = secret(conn)
            done = None
            for visit_id in r.finished_at_desk(conn, desk.id, day):
                if hmac.compare_digest(feedback_visit_token(key, visit_id, day), visit_token):
                    done = r.finished_visit(conn, visit_id)
                    break
            if done is None:
                return "expired"
            if r.has_rating(conn, done.visit_id):
                return "already"
            self._record(conn, done, value, "tablet", RESIDENT, desk.id, words)
        return "thanks"

    # The link in a follow-up text -------------------------------------------------------------

    def text_visit(self, token: str) -> int | None:
        """The visit whose follow-up text's link ``token`` is, while it still takes an answer
        (``feedback.text_answer_days`` after the text was sent); None: no such link, or it has
        expired."""
        now = self.s.clock.now()
        days = self.s.settings.feedback.text_answer_days
        since = format_instant(now - timedelta(days=days))
        with self.s.store.read() as conn:
            key = secret(conn)
            for visit_id, sent_at in answerable(conn, since):
                if hmac.compare_digest(answer_token(key, visit_id), token):
                    return visit_id if answer_open(read_instant(sent_at), now, days) else None
        return None

    def rated(self, visit_id: int) -> bool:
        with self.s.store.read() as conn:
            return r.has_rating(conn, visit_id)

    def rate_by_text(self, token: str, rating: str | int | None, comment: str | None) -> str:
        """A rating given through a follow-up text's link: ``thanks``, ``already`` (the visit
        has one, from the desk, the tablet or an earlier answer) or ``expired``."""
        value = parse_rating(rating)
        words = clean_comment(comment)
        visit_id = self.text_visit(token)
        if visit_id is None:
            return "expired"
        with self.s.store.write() as conn:
            done = r.finished_visit(conn, visit_id)
            if done is None:
                return "expired"
            if r.has_rating(conn, visit_id):
                return "already"
            self._record(conn, done, value, "text", RESIDENT, done.desk_id, words)
        return "thanks"

    # Recording ---------------------------------------------------------------------------

    def _record(
        self,
        conn: sqlite3.Connection,
        done: r.Finished,
        value: int | None,
        source: str,
        actor: Actor,
        desk_id: str | None,
        words: str | None,
    ) -> None:
        now = self.s.clock.now()
        site = self.s.directory.sites.get(done.site_id)
        if site is None:
            raise NotFound(f"visit {done.visit_id} is of another office")
        stamp = format_instant(now)
        stored = r.record_rating(
            conn,
            visit_id=done.visit_id,
            site_id=site.id,
            business_day=business_day(now, site.timezone),
            rating=value,
            source=source,
            desk_id=desk_id,
            given_at=stamp,
            recorded_by=actor.person,
        )
        if not stored:
            raise RuleViolation("this visit has been rated already: a rating is given once")
        if words is not None:
            r.add_comment(conn, done.visit_id, words, stamp)
        data: dict[str, object] = {"source": source}
        data |= {"rating": value} if value is not None else {"declined": True}
        if words is not None:
            data["comment"] = True
        record_event(
            conn,
            site,
            now,
            EventKind.RATING_RECORDED,
            actor,
            desk_id=desk_id,
            visit_id=done.visit_id,
            service_code=done.service,
            data=data,
        )
