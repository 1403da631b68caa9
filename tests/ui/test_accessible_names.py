"""Every control of the kiosk and the counter has an accessible name and a fitting role, in the screen's language.

A blind or low-vision citizen hears the kiosk through Orca, which reads what
Qt's accessibility layer says over AT-SPI: a control without a name is read
as "button" or "edit", and is useless. Each walk (every screen, as the
screenshot scripts reach them) runs in its own process, as the screen-fit
walks do (`tests/ui/screen_fit_run.py` says why).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ui.scratch import scratch

ROOT = Path(__file__).resolve().parents[2]
CASES = [("kiosk", "zh"), ("kiosk", "en"), ("counter", "zh"), ("counter", "en")]


@pytest.mark.parametrize(("terminal", "lang"), CASES, ids=["-".join(c) for c in CASES])
def test_every_visible_control_has_a_name_and_a_role(terminal: str, lang: str, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch(tmp_path)))
    done = subprocess.run([sys.executable, "-m", "tests.ui.accessible_names_run", terminal, lang], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    assert not list(scratch(tmp_path).iterdir())  # the walk's home went with it, not left in /tmp
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["screens"]) == {"kiosk": 13, "counter": 15}[terminal], result["screens"]
    assert result["checked"] > 150, result["checked"]  # the controls were really found
    assert not result["problems"], "\n".join(result["problems"])


def test_the_audit_reports_a_nameless_control_a_wrong_role_and_english_on_a_chinese_screen(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

    from tests.ui.accessible_names_run import audit

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    icon_only = QPushButton()
    icon_only.setObjectName("iconOnly")
    named = QPushButton("确定")
    unnamed_edit = QLineEdit()
    unnamed_edit.setObjectName("phone")
    english = QLineEdit()
    english.setObjectName("english")
    english.setAccessibleName("Phone number")
    for w in (icon_only, named, unnamed_edit, english):
        layout.addWidget(w)
    window.show()
    qtbot.waitExposed(window)
    checked, problems = audit(window, "zh")
    assert checked == 4
    assert any("QPushButton#iconOnly" in p and "no accessible name" in p for p in problems), problems
    assert any("QLineEdit#phone" in p and "no accessible name" in p for p in problems), problems
    assert any("QLineEdit#english" in p and "English name" in p for p in problems), problems
    assert len(problems) == 3, problems
    icon_only.setAccessibleName("朗读")
    unnamed_edit.setAccessibleName("手机号码")
    english.setAccessibleName("手机号码 Phone")
    assert audit(window, "zh") == (4, [])
