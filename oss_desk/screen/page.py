"""The HTML page around every page the screen server sends (the waiting-room screen, the phone
page, the feedback and answer pages), written once: each page gives its title, its stylesheet
and its body."""

from __future__ import annotations

import html


def html_page(*, title: str, stylesheet: str, body: str, lang: str = "en", head: str = "") -> str:
    """A whole HTML page: ``stylesheet`` is one of this server's own files (``/static/NAME``);
    ``head``, more of the head as HTML (a refresh); ``body``, the body's HTML as it is."""
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"{head}"
        f"<title>{html.escape(title)}</title>\n"
        f'<link rel="stylesheet" href="/static/{html.escape(stylesheet)}">\n'
        "</head>\n"
        "<body>\n"
        f"{body}"
        "</body>\n"
        "</html>\n"
    )
