"""The counter's review of a kiosk application whose citizen hands a material in at the counter."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk import demo_hall as demo
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from tests.ui.counter.conftest import log_in, open_review
from ui.counter.context import CounterContext
from ui.counter.window import CounterWindow


def test_the_review_says_which_material_comes_on_paper(qtbot, tmp_path: Path):
    terminal = Terminal.open(load_settings(tmp_path / "home", document_printer="cups:Counter"))
    demo.add_staff(terminal)
    draft = demo.id_card_draft(1)
    del draft.materials["household_register"]
    draft.at_counter = ["household_register"]
    submitted = demo.submit_at(terminal, draft)
    window = CounterWindow(CounterContext(terminal, today=date.today()), language="zh", lock_seconds=600,
                           sync_poll_ms=500)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, submitted.id)
    rows = {m.code: i for i, m in enumerate(review.detail.materials)}
    assert "需到窗口提交" in review.material_list.item(rows["household_register"]).text()
    assert "需到窗口提交" not in review.material_list.item(rows["id_card"]).text()
    assert "需到窗口提交" not in review.material_list.item(rows["photo_receipt"]).text()
    review.material_list.setCurrentRow(rows["household_register"])
    qtbot.waitUntil(lambda: review.current_code == "household_register")
    assert review.viewer.pages == [] and "核验纸质材料" in review.viewer.picture.text()
