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


@pytest.mark.parametrize(("language", "checking", "offline", "alone"), [
    ("en", "… Checking connection", "○ Offline", "○ Working offline"),
    ("zh", "… 正在检查网络", "○ 离线", "○ 离线工作"),
])
def test_before_the_first_pass_ends_the_link_is_being_checked_not_offline(
        qtbot: Any, language: str, checking: str, offline: str, alone: str) -> None:
    before = lang()
    set_language(language)
    try:
        indicator = SyncIndicator()
        qtbot.addWidget(indicator)
        indicator.set_view(LinkView(online=None, pending_items=0, pending_prints=0, prints_need_staff=0,
                                    refused_items=0, enrolled=True))
        assert indicator.text() == checking
        indicator.set_view(LinkView(online=False, pending_items=0, pending_prints=0, prints_need_staff=0,
                                    refused_items=0, enrolled=True))
        assert indicator.text() == offline
        indicator.set_view(LinkView(online=None, pending_items=0, pending_prints=0, prints_need_staff=0,
                                    refused_items=0, enrolled=False))  # no platform at all: it works alone
        assert indicator.text() == alone
    finally:
        set_language(before)
