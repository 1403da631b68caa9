"""Readable paragraphs: line spacing of at least 1.3 (MIIT elderly-friendly rules).

QSS has no line-height, so multi-line texts are set as rich text with a
CSS line-height the QTextDocument honours.
"""
from __future__ import annotations

import html

from ui.metrics import LINE_SPACING


def para(text: str, *, bold: bool = False) -> str:
    body = html.escape(text).replace("\n", "<br>")
    if bold:
        body = f"<b>{body}</b>"
    return f'<div style="line-height:{int(LINE_SPACING * 100)}%;">{body}</div>'
