"""A plain window showing the catalog by department (the app's first screen
until the kiosk flow lands)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from kiosk.catalog import ITEM_TYPES, Catalog


class CatalogWindow(QMainWindow):
    def __init__(self, catalog: Catalog, hall_name: str) -> None:
        super().__init__()
        self.setWindowTitle(f"一窗通办 OneWindow — {hall_name}")
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(f"{hall_name}\n服务事项目录 / Service catalog ({catalog.version})")
        title.setStyleSheet("font-size: 22pt; font-weight: bold; padding: 12px;")
        layout.addWidget(title)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["事项 / Service item", "类型 / Type", "承诺时限 / Promised", "收费 / Fee"])
        for dep in catalog.departments():
            parent = QTreeWidgetItem([f"{dep.name.zh}  {dep.name.en}"])
            self.tree.addTopLevelItem(parent)
            for item in (i for i in catalog.items if i.department.code == dep.code):
                kind = ITEM_TYPES[item.item_type]
                fee = "免费 / Free" if item.fee_amount == 0 else f"{item.fee_amount} 元 / CNY"
                parent.addChild(QTreeWidgetItem([
                    f"{item.name.zh}  {item.name.en}", kind.zh,
                    f"{item.promised_limit_days} 个工作日 / working days", fee,
                ]))
            parent.setExpanded(True)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        layout.addWidget(self.tree)
        self.setCentralWidget(body)
        self.resize(1600, 860)
