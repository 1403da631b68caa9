"""The draft saver: a save starts in a turn after the tap that asks for it, and never lands after the last one."""
from __future__ import annotations

from typing import Any

from ui.jobs import running_job_names
from ui.kiosk.draft_saver import DraftSaver


def test_a_save_starts_in_a_turn_after_the_request_with_the_state_of_the_request(qtbot: Any) -> None:
    written: list[str] = []
    saver = DraftSaver(written.append)
    saver.request("typed so far")  # type: ignore[arg-type] - a snapshot's stand-in: the saver only hands it on
    assert saver.busy and "save-draft" not in running_job_names()  # not in the tap's own turn
    qtbot.waitUntil(lambda: saver.saves == 1, timeout=5_000)
    assert written == ["typed so far"] and not saver.busy


def test_the_last_save_at_shutdown_is_not_overtaken_by_one_asked_for_before_it(qtbot: Any) -> None:
    written: list[str] = []
    saver = DraftSaver(written.append)
    saver.request("older")  # type: ignore[arg-type]
    assert saver.save_now("newest")  # type: ignore[arg-type] - before the older one's turn came
    qtbot.wait(50)  # the older one's turn has come and gone
    assert written == ["newest"] and "save-draft" not in running_job_names()
