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

from aiohttp import web

from oss_desk.domain.models import Desk
from oss_desk.domain.wording import Wording
from oss_desk.errors import OssDeskError
from oss_desk.screen.rating_pages import (
    NOT_ACCEPTED,
    REFUSED,
    TRY_AGAIN,
    ScreenServer,
    fault_said,
    html_response,
    message_page,
    posted_from_elsewhere,
    rating_form,
    rating_page,
    refused_or,
    titled,
)
from oss_desk.services.ratings import Ratings
from oss_desk.services.resident import council_names, desk_names
from oss_desk.services.wording import wording_for


def _said(ratings: Ratings, desk: Desk | None) -> Wording:
    """The wording of the office the desk is in (its languages, Welsh first where bilingual);
    no desk (a link that names none): the office's (its first site's)."""
    return wording_for(ratings.s.settings, desk.site_id if desk is not None else None)


UNKNOWN = "unknown"
"""A link that names no desk of the office."""


def _not_found(wording: Wording) -> web.Response:
    """A link that names no desk: "Not found", in the office's languages, Welsh first."""
    said = titled(wording, "feedback.not_found")
    return message_page(*said, 404, refresh=None, lang=wording.languages[0])


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
    return rating_page(
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
        return html_response(found)

    async def submit(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if posted_from_elsewhere(request):

            def office() -> Wording:
                ratings = self._ratings()
                return _said(ratings, ratings.desk_of(token))

            said = await self.server.run(office)
            refused = titled(said, NOT_ACCEPTED)
            return message_page(*refused, 403, refresh=10, lang=said.languages[0])
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
            return message_page(title, text, 400, refresh=10, lang=lang)
        if result == UNKNOWN:
            return _not_found(wording)
        if result == REFUSED:
            again = titled(wording, TRY_AGAIN)
            return message_page(*again, 400, refresh=10, lang=wording.languages[0])
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
    thanks = wording.say("feedback.thank_you")
    return message_page(thanks, said, status, refresh=refresh, lang=wording.languages[0])


def add_routes(app: web.Application, server: ScreenServer) -> None:
    pages = FeedbackPages(server)
    app.router.add_get("/f/{token:[A-Za-z0-9_-]{1,64}}", pages.page)
    app.router.add_post("/f/{token:[A-Za-z0-9_-]{1,64}}", pages.submit)
