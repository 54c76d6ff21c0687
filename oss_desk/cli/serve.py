"""``oss-desk serve``: browser desks behind the office's authenticating proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from oss_desk.cli.common import State, err, number_option, pass_state
from oss_desk.errors import InvalidInput, OssDeskError

LOOPBACK_NAMES = ("localhost",)
F = TypeVar("F", bound=Callable[..., Any])


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ListenError(OssDeskError):
    title = "Cannot listen"
    exit_code = 4


def listen_options(port: int, host_help: str) -> Callable[[F], F]:
    """``--host`` (loopback by default) and ``--port`` of a command that listens."""

    def options(func: F) -> F:
        func = number_option("--port", default=port, within=(1, 65535), help="TCP port.")(func)
        return click.option("--host", default="127.0.0.1", show_default=True, help=host_help)(func)

    return options


@contextmanager
def listening(host: str, port: int) -> Iterator[None]:
    """A server's failure to listen as one line (the address in use, no permission...)."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@click.command()
@listen_options(8000, "Address to listen on: loopback only, unless --allow-remote.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on a non-loopback address (there is no authentication: a proxy must do it).",
)
@pass_state
def serve(state: State, host: str, port: int, allow_remote: bool) -> None:
    """Browser desks: one desk process per browser tab, behind an authenticating proxy.

    The proxy passes the signed-in login in the serve.user_header header (X-Remote-User); it
    must be a staff login of the site configuration. The desk is the person's own (the desk
    whose person they are), or ?desk=ID among the desks their role may use.
    """
    if not is_loopback(host) and not allow_remote:
        raise InvalidInput(
            f"refusing to listen on {host}: browser desks have no authentication of their own; "
            "listen on 127.0.0.1 behind an authenticating proxy (or pass --allow-remote)"
        )
    if not is_loopback(host):
        err(
            f"oss-desk: warning: listening on {host}:{port} with no authentication: anyone who "
            "can reach it and send the user header can open a desk"
        )
    # A missing database or a bad configuration fails here, in one line, before listening.
    from oss_desk.services.browser_desks import hold_serve_lease, load_settings

    load_settings(state.db, state.config, check=True)
    lease = hold_serve_lease(state.db)  # `init` sees the server running until it ends
    from oss_desk.ui.serve import serve_desks

    try:
        with listening(host, port):
            serve_desks(db=state.db, config=state.config, host=host, port=port)
    finally:
        lease.release()
