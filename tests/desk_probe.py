"""A real desk app process, run headless, that writes down what its status area says.

``python -m tests.desk_probe OUT QUIT -- oss-desk arguments...`` runs the ``oss-desk`` command
line itself (``desk --desk ID``: the same standby for the devices, the same app), with the app
headless. Every 100 ms it appends ``[time, status area text]`` (JSON) to OUT; when the file QUIT
appears it closes as a person would (Ctrl+Q).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from oss_desk.ui import app as desk_app
from oss_desk.ui.widgets.bars import StatusBar


def main() -> int:
    out, quit_file = Path(sys.argv[1]), Path(sys.argv[2])
    args = sys.argv[sys.argv.index("--") + 1 :]

    class ProbeApp(desk_app.OssDeskApp):
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
    from oss_desk.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
