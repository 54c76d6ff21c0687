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

from oss_desk.domain.wording import Wording
from oss_desk.errors import OssDeskError
from oss_desk.screen import rating_pages as pages
from oss_desk.services.ratings import Ratings
from oss_desk.services.resident import council_names
from oss_desk.services.wording import wording_for
from oss_desk.storage.ratings import finished_visit

STATUS = {"thanks": 200, "already": 409, "expired": 410, pages.REFUSED: 400}


class AnswerPages:
    def __init__(self, server: pages.ScreenServer) -> None:
        self.server = server

    def _wording(self, ratings: Ratings, visit_id: int | None) -> Wording:
        """The wording in the languages of the visit's office (any office's when unknown)."""
        site_id = None
        if visit_id is not None:
            done = finished_visit(ratings.s.store.conn, visit_id)
            site_id = done.site_id if done is not None else None
        return wording_for(ratings.s.settings, site_id)

    def _answer(
        self, title: tuple[str, ...], said: tuple[str, ...], status: int, lang: str
    ) -> web.Response:
        """A page of one message; it stays (no refresh: the resident's own phone)."""
        return pages.message_page(title, said, status, refresh=None, lang=lang)

    async def page(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]

        def look() -> tuple[str, tuple[str, ...], tuple[str, ...], str, str]:
            ratings = Ratings(self.server.session())
            visit_id = ratings.text_visit(token)
            wording = self._wording(ratings, visit_id)
            title, lang = wording.say("answer.title"), wording.languages[0]
            if visit_id is None:
                return "expired", title, wording.say("answer.expired"), "", lang
            if ratings.rated(visit_id):
                return "already", title, wording.say("answer.already"), "", lang
            form = pages.rating_form(wording.say, wording.say("answer.comment"))
            # The council's name in the office's languages (Welsh first where bilingual), and
            # the page's language the first of them.
            council = council_names(ratings.s, wording)
            return "open", title, council, form, lang

        state, title, said, form, lang = await self.server.run(look)
        if state != "open":
            return self._answer(title, said, STATUS[state], lang)
        body = (
            f'<p class="who">{html.escape(" / ".join(said))}</p>'
            f"<h1>{html.escape(' / '.join(title))}</h1>{form}"
        )
        return pages.html_response(pages.rating_page(title[0], body, lang=lang))

    async def submit(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if pages.posted_from_elsewhere(request):

            def office() -> Wording:
                ratings = Ratings(self.server.session())
                return self._wording(ratings, ratings.text_visit(token))

            wording = await self.server.run(office)
            refused = pages.titled(wording, pages.NOT_ACCEPTED)
            return self._answer(*refused, 403, wording.languages[0])
        form = await request.post()
        rating = str(form.get("rating", ""))
        comment = str(form.get("comment", "")) or None

        def record() -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
            ratings = Ratings(self.server.session())
            visit_id = ratings.text_visit(token)
            result = pages.refused_or(lambda: ratings.rate_by_text(token, rating, comment))
            wording = self._wording(ratings, visit_id)
            if result == pages.REFUSED:
                return result, *pages.titled(wording, pages.TRY_AGAIN), wording.languages[0]
            said = wording.say(f"answer.{result}")
            return result, wording.say("answer.title"), said, wording.languages[0]

        try:
            result, title, said, lang = await self.server.run(record)
        except OssDeskError as exc:

            def office() -> Wording:
                ratings = Ratings(self.server.session())
                return self._wording(ratings, ratings.text_visit(token))

            title, said, lang = await pages.fault_said(self.server, exc, office)
            return self._answer(title, said, 400, lang)
        return self._answer(title, said, STATUS[result], lang)


def add_routes(app: web.Application, server: pages.ScreenServer) -> None:
    pages = AnswerPages(server)
    app.router.add_get("/r/{token:[A-Za-z0-9_-]{1,64}}", pages.page)
    app.router.add_post("/r/{token:[A-Za-z0-9_-]{1,64}}", pages.submit)
