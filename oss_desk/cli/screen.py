"""``oss-desk screen``: the waiting-room screen (and the phone page) for TVs and monitors."""

from __future__ import annotations

import click

from oss_desk.cli.common import State, pass_state
from oss_desk.cli.serve import listen_options, listening


@click.command()
@listen_options(
    8100, "Address to listen on (0.0.0.0 for a screen on another machine: it shows no names)."
)
@click.option("--site", metavar="ID", help="The office to show (default: screen.site).")
@pass_state
def screen(state: State, host: str, port: int, site: str | None) -> None:
    """The waiting-room screen: the latest calls large, the ones before, how many are waiting
    per service, the office's message; chime and speech on each call. Open it full screen in a
    browser (kiosk mode). Also the phone page of tickets whose QR is a link (screen.public_url).
    """
    from oss_desk.services.session import open_session

    # A missing database, a bad configuration or an unknown office: one line, before listening.
    session = open_session(db=state.db, config=state.config, host=True)
    try:
        if site is not None:
            session.site(site)
    finally:
        session.close()
    from oss_desk.screen.server import serve_screen

    with listening(host, port):
        serve_screen(db=state.db, config=state.config, host=host, port=port, site=site)
