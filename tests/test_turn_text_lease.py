"""A turn text's claim outlasts a try that may reach Notify and its look-up wait (review 18, nit
8): the lease was 120 s while the look-up wait is ``2 x notify.timeout + 10`` s, so with a
``notify.timeout`` over about 55 s a try left uncertain whose outcome could not be written was
claimed again, and sent again, while it might still be on its way. A real worker round, the
local GOV.UK Notify holding the request."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from oss_desk.domain.sending import look_up_wait

from .conftest import make_db, rows, site_toml
from .messaging import API_KEY, NotifyServer
from .test_turn_texts import Day

TIMEOUT = 100.0


def test_a_text_being_sent_is_held_past_its_try_and_look_up_wait(
    tmp_path: Path, notify: NotifyServer
) -> None:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        f'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = {TIMEOUT:g}\n'
        "[turn_texts]\nposition = 2\n"
    )
    day = Day(make_db(tmp_path, site_toml(desks=2, extra=extra)))
    notify.state.script = ["slow"]  # taken in and held: the try is on its way
    worker = threading.Thread(target=day.worker)
    try:
        day.issue("C")
        day.issue("C")
        day.issue("C", "ann")  # 3rd: no text yet
        day.queue.call_next("desk-1")  # 2nd: her text is due
        worker.start()
        notify.state.wait_until(lambda said: said.startswith("POST sms"))
        ((claimed, until),) = rows(
            day.db, "SELECT created_at, lease_until FROM turn_texts WHERE status = 'sending'"
        )
        held = datetime.fromisoformat(until) - datetime.fromisoformat(claimed)
        assert held.total_seconds() >= TIMEOUT + look_up_wait(TIMEOUT), held
    finally:
        notify.state.release.set()
        worker.join(60)
        day.close()
