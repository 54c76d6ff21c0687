"""What the two rating pages of the screen server share: the counter's feedback page
(:mod:`oss_desk.screen.feedback`) and the answer page of a follow-up text
(:mod:`oss_desk.screen.answer`). Their headers, the same-origin check on a posted form, the
rating form, the page and the one-message page they send, and what they say when a rating is
refused or could not be recorded, in the office's languages.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from aiohttp import web

from oss_desk.domain.wording import Wording
from oss_desk.errors import InvalidInput, OssDeskError
from oss_desk.screen.page import html_page
from oss_desk.services.ratings import COMMENT_LIMIT
from oss_desk.services.session import Session

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


def rating_page(title: str, body: str, *, refresh: int | None = None, lang: str = "en") -> str:
    """A rating page's whole HTML: ``body`` in its main, with the pages' own stylesheet;
    ``refresh``, seconds before the browser loads it again (none: it stays)."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">\n' if refresh else ""
    return html_page(
        title=title, stylesheet="feedback.css", body=f"<main>{body}</main>\n", head=meta, lang=lang
    )


def html_response(page: str, status: int = 200) -> web.Response:
    """A page sent with the rating pages' headers."""
    return web.Response(text=page, content_type="text/html", status=status, headers=HEADERS)


def message_page(
    title: tuple[str, ...],
    text: tuple[str, ...],
    status: int,
    *,
    refresh: int | None,
    lang: str,
) -> web.Response:
    """A page of one message: its title and text in the office's languages, Welsh first (each
    line of ``text`` a paragraph)."""
    lines = "".join(f"<p>{html.escape(t)}</p>" for t in text)
    body = f"<h1>{html.escape(' / '.join(title))}</h1>{lines}"
    return html_response(rating_page(title[0], body, refresh=refresh, lang=lang), status)


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
