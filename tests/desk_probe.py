"""A real desk app process, run headless, that writes down what its status area says.

``python -m tests.desk_probe OUT QUIT -- oss-desk arguments...`` runs the ``oss-desk`` command
line itself (``desk --desk ID``: the same standby for the devices, the same app), with the app
headless. Every 100 ms it appends ``[time, status area text]`` (JSON) to OUT; when the file QUIT
appears it closes as a person would (Ctrl+Q). OUT.clock says which clock the desk runs on
(``RunningClock``: a demo's running clock; ``FixedClock``: a stopped one); OUT.left appears
once the app and its session have closed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from oss_desk.ui import app as desk_app
from oss_desk.ui import run as desk_run
from oss_desk.ui.widgets.bars import StatusBar


def main() -> int:
    out, quit_file = Path(sys.argv[1]), Path(sys.argv[2])
    args = sys.argv[sys.argv.index("--") + 1 :]

    class ProbeApp(desk_app.OssDeskApp):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Which clock the desk read when it opened (a demo's running one, or stopped).
            clock = type(self.runner.session.clock).__name__
            Path(f"{out}.clock").write_text(clock, encoding="utf-8")

        def on_ready(self) -> None:
            super().on_ready()
            self.set_interval(0.1, self._probe)

        def _probe(self) -> None:
            if quit_file.exists():
                self.exit()
                return
            try:
                text = str(self.screen.query_one(StatusBar).render())
            except Exception:
                return
            with out.open("a", encoding="utf-8") as f:
                f.write(json.dumps([time.time(), text]) + "\n")

        def run(self, *args: Any, **kwargs: Any) -> Any:
            return super().run(*args, headless=True, **kwargs)

    desk_app.OssDeskApp = ProbeApp  # type: ignore[misc]
    desk_run.run_desk_app = _then_left(desk_run.run_desk_app, Path(f"{out}.left"))
    from oss_desk.cli import run

    return run(args)


def _then_left(run_app: Any, left: Path) -> Any:
    """``run_desk_app``, then LEFT written: the app has closed and its session with it (what
    the command does after that, as leaving a demo, is still to come)."""

    def run_then_say(*args: Any, **kwargs: Any) -> Any:
        try:
            return run_app(*args, **kwargs)
        finally:
            left.write_text("left", encoding="utf-8")

    return run_then_say


if __name__ == "__main__":
    sys.exit(main())
