"""Browser desk benchmarks: the real `oss-desk serve` behind a proxy, driven by headless Chromium.

Run: .venv/bin/python -m tests.benchmarks serve

Per tab: page request to the first frame drawn, and to the desk's first screen complete; memory
of each tab's desk process and of the server; a key pressed in the browser ("issue a ticket") to
the frame showing the new code back in the browser; a closed tab to its process gone.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise
from tests.authproxy import auth_proxy
from tests.browser_desks import (
    PASSWORDS,
    Tab,
    launch_chromium,
    rss_mib,
    signed_in,
    site_with_logins,
    start_server,
    stop_server,
)
from tests.conftest import MONDAY_0930


def main(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    tabs_wanted = 1 if quick else 10
    issues = 1 if quick else 20
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = tmp / "office.sqlite"
        initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp))
        served = start_server(db, tmp)
        try:
            with auth_proxy(served.port, PASSWORDS) as proxy, sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = signed_in(browser, "chloe.login")
                tabs: list[Tab] = []
                ready: list[float] = []
                for _ in range(tabs_wanted):
                    started = time.monotonic()
                    tab = Tab(context, proxy.url + "/")
                    tab.wait_for("No ticket issued yet", timeout=60)
                    ready.append(time.monotonic() - started)
                    tabs.append(tab)
                first = [t.first_frame_seconds for t in tabs]
                print(
                    f"Browser desk launch ({tabs_wanted} tabs, one after another): first frame "
                    f"median {statistics.median(first):.2f} s, max {max(first):.2f} s; "
                    f"first screen complete median {statistics.median(ready):.2f} s"
                )
                desks = served.desk_processes()
                memory = [rss_mib(pid) for pid in desks]
                print(
                    f"Browser desk memory: {len(desks)} desk processes, RSS median "
                    f"{statistics.median(memory):.1f} MiB (max {max(memory):.1f}); "
                    f"server {rss_mib(served.process.pid):.1f} MiB"
                )
                tab = tabs[0]
                times = []
                for n in range(1, issues + 1):
                    code = f"C{n:03d}"
                    started = time.monotonic()
                    tab.page.keyboard.press("c")
                    tab.page.keyboard.press("Enter")
                    tab.wait_for(code)
                    times.append((time.monotonic() - started) * 1000)
                    tab.page.keyboard.press("Escape")
                    tab.page.wait_for_timeout(100)
                print(
                    f"Browser key to frame (issue a ticket, {issues} times): median "
                    f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms"
                )
                started = time.monotonic()
                context.close()
                while served.desk_processes():
                    if time.monotonic() - started > 30:
                        raise AssertionError("desk processes outlived their tabs")
                    time.sleep(0.05)
                print(
                    f"Browser tabs closed: all {len(desks)} desk processes gone in "
                    f"{time.monotonic() - started:.2f} s"
                )
                browser.close()
        finally:
            out = stop_server(served)
            assert not re.search(r"Traceback", out), out[-2000:]


if __name__ == "__main__":
    main()
