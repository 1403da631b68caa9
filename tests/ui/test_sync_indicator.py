"""The staff's link indicator counts print jobs in words that agree with the number, in both languages."""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.usecases.views import LinkView
from ui.i18n import lang, set_language
from ui.widgets.sync_indicator import SyncIndicator


def view(prints: int, pending: int = 0) -> LinkView:
    return LinkView(online=True, pending_items=pending, pending_prints=prints, prints_need_staff=prints,
                    refused_items=0, enrolled=True)


@pytest.mark.parametrize(("language", "one", "two"), [
    ("en", "⚠ 1 print job needs you", "⚠ 2 print jobs need you"),
    ("zh", "⚠ 1 个打印任务待处理", "⚠ 2 个打印任务待处理"),
])
def test_one_print_job_is_one_job(qtbot: Any, language: str, one: str, two: str) -> None:
    before = lang()
    set_language(language)
    try:
        indicator = SyncIndicator(for_staff=True)
        qtbot.addWidget(indicator)
        indicator.set_view(view(1, pending=3))
        assert indicator.text().endswith(one)
        indicator.set_view(view(2))
        assert indicator.text().endswith(two)
        indicator.set_view(view(0))
        assert "⚠" not in indicator.text()
        citizens = SyncIndicator()  # a kiosk's: the print queue is the staff's business
        qtbot.addWidget(citizens)
        citizens.set_view(view(2))
        assert "⚠" not in citizens.text()
    finally:
        set_language(before)
