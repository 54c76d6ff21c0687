"""The answer page of a follow-up text: ``/r/TOKEN`` on the screen server, on the resident's
own phone.

The token is the visit's keyed hash (:func:`oss_desk.domain.feedback_texts.answer_token`), made
only with the office's key: it cannot be guessed, and it answers only for
``feedback.text_answer_days`` after the text was sent. The page records one rating (1 to 5, or
"rather not say") and an optional comment against that visit, in the office's languages; it
shows the council's name and nothing about the resident, the visit's reason or the desk. The
rating counts like one given at the desk (:meth:`oss_desk.services.ratings.Ratings.rate_by_text`).
Plain HTML forms, no script; a form is accepted only from this server's own pages.
"""

from __future__ import annotations

import html

from aiohttp import web

from oss_desk.errors import OssDeskError
from oss_desk.screen.feedback import HEADERS, Say, ScreenServer, _page, rating_form
from oss_desk.services.ratings import Ratings
from oss_desk.services.wording import wording_for
from oss_desk.storage.ratings import finished_visit

STATUS = {"thanks": 200, "already": 409, "expired": 410}


def _lines(texts: tuple[str, ...]) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


class AnswerPages:
    def __init__(self, server: ScreenServer) -> None:
        self.server = server

    def _said(self, ratings: Ratings, visit_id: int | None, key: str) -> tuple[str, ...]:
        return self._say(ratings, visit_id)(key)

    def _say(self, ratings: Ratings, visit_id: int | None) -> Say:
        """The catalogue in the languages of the visit's office."""
        site_id = None
        if visit_id is not None:
            done = finished_visit(ratings.s.store.conn, visit_id)
            site_id = done.site_id if done is not None else None
        return wording_for(ratings.s.settings, site_id).say

    def _answer(self, title: tuple[str, ...], said: tuple[str, ...], status: int) -> web.Response:
        body = f"<h1>{html.escape(' / '.join(title))}</h1>{_lines(said)}"
        return web.Response(
            text=_page(title[0], body), content_type="text/html", status=status, headers=HEADERS
        )

    async def page(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]

        def look() -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
            ratings = Ratings(self.server.session())
            visit_id = ratings.text_visit(token)
            title = self._said(ratings, visit_id, "answer.title")
            if visit_id is None:
                return "expired", title, self._said(ratings, None, "answer.expired"), ""
            if ratings.rated(visit_id):
                return "already", title, self._said(ratings, visit_id, "answer.already"), ""
            say = self._say(ratings, visit_id)
            form = rating_form(say, say("answer.comment"))
            return "open", title, (ratings.s.settings.council.name,), form

        state, title, said, form = await self.server.run(look)
        if state != "open":
            return self._answer(title, said, STATUS[state])
        body = (
            f'<p class="who">{html.escape(said[0])}</p>'
            f"<h1>{html.escape(' / '.join(title))}</h1>{form}"
        )
        return web.Response(text=_page(title[0], body), content_type="text/html", headers=HEADERS)

    async def submit(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return self._answer(
                ("Not accepted",), ("This form is accepted from this page only.",), 403
            )
        token = request.match_info["token"]
        form = await request.post()
        rating = str(form.get("rating", ""))
        comment = str(form.get("comment", "")) or None

        def record() -> tuple[str, tuple[str, ...], tuple[str, ...]]:
            ratings = Ratings(self.server.session())
            visit_id = ratings.text_visit(token)
            result = ratings.rate_by_text(token, rating, comment)
            title = self._said(ratings, visit_id, "answer.title")
            return result, title, self._said(ratings, visit_id, f"answer.{result}")

        try:
            result, title, said = await self.server.run(record)
        except OssDeskError as exc:
            return self._answer(("Please try again",), (exc.message,), 400)
        return self._answer(title, said, STATUS[result])


def add_routes(app: web.Application, server: ScreenServer) -> None:
    pages = AnswerPages(server)
    app.router.add_get("/r/{token:[A-Za-z0-9_-]{1,64}}", pages.page)
    app.router.add_post("/r/{token:[A-Za-z0-9_-]{1,64}}", pages.submit)
