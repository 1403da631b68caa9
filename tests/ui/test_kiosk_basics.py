"""Translations, touch targets, large text, search and the fast start, checked without walking the flow."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtWidgets import QLineEdit, QPushButton

from kiosk.assets import asset
from kiosk.catalog import demo_catalog_path, read_catalog_file
from kiosk.settings import load_settings
from tests.ui.kiosk_helpers import ID_CARD, choose_item, make_terminal, make_window, screen
from ui.kiosk.catalog_search import SearchIndex
from ui.metrics import touch_px


def test_chinese_translation_is_complete_and_compiled():
    tree = ET.parse(asset("i18n", "onewindow_zh_CN.ts"))
    messages = list(tree.iter("message"))
    assert len(messages) > 100
    unfinished = [m.find("source").text for m in messages
                  if m.find("translation").get("type") == "unfinished" or not m.find("translation").text]
    assert unfinished == []
    assert asset("i18n", "onewindow_zh_CN.qm").stat().st_size > 1000


def test_every_string_the_code_translates_has_its_chinese_and_the_compiled_file_is_current(tmp_path):
    """A string added to a screen without its Chinese would show English to a citizen."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    lupdate, lrelease = bin_dir / "pyside6-lupdate", bin_dir / "pyside6-lrelease"
    root = Path(__file__).resolve().parents[2]
    sources = sorted(str(p) for p in (root / "ui").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True, timeout=300)

    def messages(path: Path) -> dict[tuple[str, str], str | None]:
        out = {}
        for context in ET.parse(path).iter("context"):
            name = context.find("name").text
            for m in context.iter("message"):
                t = m.find("translation")
                out[(name, m.find("source").text)] = None if t.get("type") == "unfinished" else t.text
        return out

    committed = messages(asset("i18n", "onewindow_zh_CN.ts"))
    in_code = messages(fresh)
    assert [k for k in in_code if not committed.get(k)] == []
    assert {context for context, _source in in_code} <= {"Counter", "Kiosk", "Widgets", "ImportFileDialog", "Board", "Setup"}
    compiled = tmp_path / "check.qm"
    shutil.copy(asset("i18n", "onewindow_zh_CN.ts"), tmp_path / "check.ts")
    subprocess.run([str(lrelease), str(tmp_path / "check.ts"), "-qm", str(compiled)], check=True, capture_output=True,
                   timeout=120)
    assert compiled.read_bytes() == asset("i18n", "onewindow_zh_CN.qm").read_bytes(), "run pyside6-lrelease"


def test_pinyin_initials_chinese_and_english_search():
    index = SearchIndex.build(read_catalog_file(demo_catalog_path()))
    assert [i.code for i in index.search("sfz")] == [ID_CARD]
    assert any("户口" in i.name.zh for i in index.search("hk"))
    assert any("社会保障卡" in i.name.zh for i in index.search("Social Security Card"))
    assert index.search("zzzzqqq") == []


def test_every_control_is_a_large_touch_target_in_both_sizes(qtbot, tmp_path):
    minimum = touch_px()
    assert minimum >= 57  # 15 mm at 96 dpi
    for large in (False, True):
        window = make_window(qtbot, make_terminal(tmp_path / f"home{large}"), large_text=large)
        choose_item(qtbot, window, ID_CARD)
        for name in ("identity",):
            current = screen(window, name)
            controls = [w for kind in (QPushButton, QLineEdit) for w in current.findChildren(kind) if w.isVisible()]
            controls += [w for w in window.top.findChildren(QPushButton) if w.isVisible()]
            assert controls
            small = [(w.objectName(), w.height()) for w in controls if w.height() < minimum]
            assert small == []
        window.close()


def test_window_shows_before_the_store_opens_and_catches_up(qtbot, tmp_path):
    from ui.jobs import run_job
    from ui.kiosk.window import KioskWindow
    from ui.terminal_setup import open_terminal

    settings = load_settings(tmp_path / "home")
    window = KioskWindow(None, settings=settings, speech=False)
    qtbot.addWidget(window)
    window.show()
    welcome = screen(window, "welcome")
    qtbot.mouseClick(welcome.apply_button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    screen(window, "welcome")  # the tap waits for the store...
    run_job("open", lambda: open_terminal(settings), on_done=window.attach)
    qtbot.waitUntil(lambda: window.nav.current().name == "browser", timeout=20_000)  # ...and then happens
    window.terminal.close()
