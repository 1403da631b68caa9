from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from ui.catalog_window import CatalogWindow
from ui.fonts import covers_chinese, install_fonts


def test_catalog_window_shows_every_department_in_chinese(qtbot, terminal, tmp_path):
    app = QApplication.instance()
    families = install_fonts(app)
    assert any(covers_chinese(f) for f in families)
    window = CatalogWindow(terminal.catalog, terminal.settings.hall_name_zh)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tree = window.tree
    assert tree.topLevelItemCount() == len(terminal.catalog.departments())
    first = tree.topLevelItem(0).child(0).text(0)
    assert "居民身份证" in first
    # The font in use really has glyphs for the Chinese shown (no boxes).
    metrics = QFontMetrics(window.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "居民身份证换领政务服务中心")
    shot = tmp_path / "catalog.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000
