"""The real ``oss-desk`` entry point run in the test's own process, answering as a process would.

:func:`.conftest.run_cli_process` starts a Python process per command: about a second of CPU
each (``python -X importtime -m oss_desk --help``), most of it importing oss-desk again. Where
what a test proves is the command's output, exit status and effect on the database, not the
process boundary, :func:`run_cli_here` runs the same entry point (:func:`oss_desk.cli.run`,
which ``python -m oss_desk`` calls) here, with the same clean environment, and answers with
the same fields (``returncode``, ``stdout``, ``stderr``). Keep :func:`run_cli_process` where the
process is the point: kill -9, locks held by another process, signals, a command's own pid.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def _environment(env: dict[str, str] | None) -> Iterator[None]:
    """``os.environ`` without the caller's ``OSS_DESK_*`` and with ``env``, put back after."""
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.startswith("OSS_DESK_")]:
            del os.environ[name]
        os.environ.update(env or {})
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli_here(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` in this process, as :func:`.conftest.run_cli_process` runs it in one of
    its own: the exit status, and what it wrote on stdout and on stderr."""
    from oss_desk.cli import run

    out, err = io.StringIO(), io.StringIO()
    with (
        _environment(env),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = run(list(args))
    return subprocess.CompletedProcess(
        ["oss-desk", *args], code, stdout=out.getvalue(), stderr=err.getvalue()
    )
