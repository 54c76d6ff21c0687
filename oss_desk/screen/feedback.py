"""The counter's feedback page: ``/f/DESK_TOKEN`` on the screen server, for a tablet on a desk.

It offers the visit just finished at that desk (within ``feedback.window_minutes``, not rated
yet) and records the resident's own rating (1 to 5, or "rather not say") and an optional
comment against it, once. No login and no personal data: the page names the council and the
desk, never the resident or the reason for the visit. The desk's token (``oss-desk desks
feedback-link DESK``) is a keyed hash of the desk; each offered visit carries its own keyed
token, so a rating can only be given for a visit that finished at this desk today. Plain HTML
forms (touch-sized buttons, no script); a form is accepted only from this server's own pages.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from aiohttp import web

from oss_desk.domain.models import Desk
from oss_desk.domain.wording import Wording
from oss_desk.errors import InvalidInput, OssDeskError
from oss_desk.screen.page import html_page
from oss_desk.services.ratings import COMMENT_LIMIT, Ratings
from oss_desk.services.resident import council_names, desk_names
from oss_desk.services.session import Session
from oss_desk.services.wording import wording_for

T = TypeVar("T")


class ScreenServer(Protocol):
    """What the pages need of the screen server: its session, and its database thread."""

    def session(self) -> Session: ...

    async def run(self, work: Callable[[], T]) -> T: ...


log = logging.getLogger("oss_desk.screen")

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self';"
        " frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",  # so that the browser sends the form's Origin
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
Say = Callable[[str], tuple[str, ...]]
"""A catalogue key in the office's languages, Welsh first (:meth:`Wording.say`)."""


def posted_from_elsewhere(request: web.Request) -> bool:
    """A form sent from a page that is not this server's (its Origin names another): refused,
    on both pages. A browser sends the form's Origin (``Referrer-Policy: same-origin``)."""
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.host}"


def rating_form(say: Say, comment: tuple[str, ...], hidden: str = "") -> str:
    """The rating form both pages show (the counter's tablet, the answer page of a follow-up
    text): 5 to 1 with their words, an optional comment, "I would rather not say"; in the
    office's languages."""

    def words(key: str) -> str:
        return html.escape(" / ".join(say(key)))

    buttons = "".join(
        f'<button type="submit" name="rating" value="{n}" class="r{n}">'
        f"<span>{n}</span> {words(f'rating.{n}')}</button>"
        for n in (5, 4, 3, 2, 1)
    )
    return (
        f'<form method="post">{hidden}'
        f'<div class="ratings">{buttons}</div>'
        f'<label for="comment">{html.escape(" / ".join(comment))}</label>'
        f'<textarea id="comment" name="comment" maxlength="{COMMENT_LIMIT}" rows="3"></textarea>'
        '<button type="submit" name="rating" value="declined" class="declined">'
        f"{words('rating.declined')}</button>"
        "</form>"
    )


def _page(title: str, body: str, *, refresh: int | None = None, lang: str = "en") -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">\n' if refresh else ""
    return html_page(
        title=title, stylesheet="feedback.css", body=f"<main>{body}</main>\n", head=meta, lang=lang
    )


def _lines(texts: tuple[str, ...]) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


def _message(
    title: tuple[str, ...],
    text: tuple[str, ...],
    status: int,
    refresh: int | None = 10,
    lang: str = "en",
) -> web.Response:
    """A page of one message: its title and text in the office's languages, Welsh first."""
    body = f"<h1>{html.escape(' / '.join(title))}</h1>{_lines(text)}"
    return web.Response(
        text=_page(title[0], body, refresh=refresh, lang=lang),
        content_type="text/html",
        status=status,
        headers=HEADERS,
    )


def _said(ratings: Ratings, desk: Desk | None) -> Wording:
    """The wording of the office the desk is in (its languages, Welsh first where bilingual);
    no desk (a link that names none): the office's (its first site's)."""
    return wording_for(ratings.s.settings, desk.site_id if desk is not None else None)


UNKNOWN = "unknown"
"""A link that names no desk of the office."""


NOT_ACCEPTED = "feedback.not_accepted"
"""A form posted from another site's page (the feedback page's, and the answer page's)."""


TRY_AGAIN = "feedback.try_again"
"""A form whose rating (or comment) is not one the page offers: said on both pages."""
FAULT = "feedback.fault"
"""A rating that could not be recorded for a fault of ours (the database busy past its wait, a
full disk): said on both pages, in the office's languages; the fault itself goes to the log,
never to the resident's page (it may name a file)."""
REFUSED = "refused"
"""What :func:`refused_or` answers for such a form."""


def refused_or(rate: Callable[[], str]) -> str:
    """What ``rate`` answers, or :data:`REFUSED` when what was posted is no rating the page
    offers (the form changed by hand, a comment over the limit)."""
    try:
        return rate()
    except InvalidInput:
        return REFUSED


def titled(wording: Wording, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A message's title (``key`` + ``_title``) and its text, in the office's languages."""
    return wording.say(f"{key}_title"), wording.say(key)


async def fault_said(
    server: ScreenServer, exc: OssDeskError, office: Callable[[], Wording]
) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """The title, text and page language of :data:`FAULT` in the office's languages (``office``:
    its wording, read on the server's database thread; English alone when even that cannot be
    had), the fault itself logged for staff."""
    log.warning("a rating was not recorded: %s", exc.message)
    try:
        wording = await server.run(office)
    except Exception:  # the office's wording is not to be had either: English, never a crash
        wording = Wording()
    return (*titled(wording, FAULT), wording.languages[0])


def _not_found(wording: Wording) -> web.Response:
    """A link that names no desk: "Not found", in the office's languages, Welsh first."""
    return _message(*titled(wording, "feedback.not_found"), 404, None, wording.languages[0])


def _who(ratings: Ratings, wording: Wording, desk: Desk) -> tuple[str, ...]:
    """ "Council, Desk 1" in each of the office's languages: the council's and the desk's own
    names in that language where the council gave one."""
    council = council_names(ratings.s, wording)
    desks = desk_names(ratings.s, wording, desk.id, board=False)
    return tuple(
        f"{council[min(i, len(council) - 1)]}, {desks[min(i, len(desks) - 1)]}"
        for i in range(max(len(council), len(desks)))
    )


def _form(who: tuple[str, ...], visit_token: str, wording: Wording) -> str:
    say = wording.say
    title = say("feedback.title")
    hidden = f'<input type="hidden" name="visit" value="{html.escape(visit_token)}">'
    return _page(
        title[0],
        f'<p class="who">{html.escape(" / ".join(who))}</p>'
        f"<h1>{html.escape(' / '.join(title))}</h1>"
        + rating_form(say, say("answer.comment"), hidden),
        lang=wording.languages[0],
    )


class FeedbackPages:
    """The feedback page's routes; database work runs on the screen server's one thread."""

    def __init__(self, server: ScreenServer) -> None:
        self.server = server

    def _ratings(self) -> Ratings:
        return Ratings(self.server.session())

    async def page(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]

        def look() -> tuple[str, Wording]:
            ratings = self._ratings()
            desk = ratings.desk_of(token)
            if desk is None:
                return UNKNOWN, _said(ratings, None)
            wording = _said(ratings, desk)
            offered = ratings.offered(desk)
            if offered is None:
                return "none", wording
            return _form(_who(ratings, wording, desk), offered[1], wording), wording

        found, wording = await self.server.run(look)
        if found == UNKNOWN:
            return _not_found(wording)
        if found == "none":
            return _reply(wording, "feedback.none", 200, 5)
        return web.Response(text=found, content_type="text/html", headers=HEADERS)

    async def submit(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if posted_from_elsewhere(request):

            def office() -> Wording:
                ratings = self._ratings()
                return _said(ratings, ratings.desk_of(token))

            said = await self.server.run(office)
            return _message(*titled(said, NOT_ACCEPTED), 403, 10, said.languages[0])
        form = await request.post()
        visit = str(form.get("visit", ""))
        rating = str(form.get("rating", ""))
        comment = str(form.get("comment", "")) or None

        def record() -> tuple[str, Wording]:
            ratings = self._ratings()
            desk = ratings.desk_of(token)
            if desk is None:
                return UNKNOWN, _said(ratings, None)
            rated = refused_or(lambda: ratings.rate_on_page(desk, visit, rating, comment))
            return rated, _said(ratings, desk)

        try:
            result, wording = await self.server.run(record)
        except OssDeskError as exc:

            def office() -> Wording:
                ratings = self._ratings()
                return _said(ratings, ratings.desk_of(token))

            title, text, lang = await fault_said(self.server, exc, office)
            return _message(title, text, 400, 10, lang)
        if result == UNKNOWN:
            return _not_found(wording)
        if result == REFUSED:
            return _message(*titled(wording, TRY_AGAIN), 400, 10, wording.languages[0])
        return _reply(wording, ANSWERS[result], STATUS[result])


ANSWERS = {
    "thanks": "feedback.thanks",
    "already": "feedback.already",
    "expired": "feedback.too_late",
}
"""What the page says after a tap: recorded, or why not."""
STATUS = {"thanks": 200, "already": 409, "expired": 410}


def _reply(wording: Wording, key: str, status: int, refresh: int = 10) -> web.Response:
    """A "thank you" page in the office's languages: ``key`` said under "Thank you"."""
    said = wording.say(key)
    return _message(wording.say("feedback.thank_you"), said, status, refresh, wording.languages[0])


def add_routes(app: web.Application, server: ScreenServer) -> None:
    pages = FeedbackPages(server)
    app.router.add_get("/f/{token:[A-Za-z0-9_-]{1,64}}", pages.page)
    app.router.add_post("/f/{token:[A-Za-z0-9_-]{1,64}}", pages.submit)
