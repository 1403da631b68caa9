"""The ticket's own page (its QR code points here): number, state and people ahead, Chinese then English.

Public but unguessable: it is found only by the ticket's random UUID, and shows no personal data.
"""
from __future__ import annotations

from html import escape

from kiosk.queue.model import PRIORITY_LABELS, TicketState
from sync.hall.server.tickets import Placed

STATES = {
    TicketState.WAITING: ("等候中", "Waiting"),
    TicketState.CALLED: ("已叫号，请前往窗口", "Called: please go to the counter"),
    TicketState.SERVING: ("正在办理", "Being served"),
    TicketState.DONE: ("已办结", "Finished"),
    TicketState.NO_SHOW: ("已过号", "Missed (no-show)"),
}

_STYLE = ("body{font-family:sans-serif;margin:1.5em;line-height:1.5;font-size:1.2em}"
          ".n{font-size:3.5em;font-weight:bold;margin:.2em 0}.en{color:#333}")


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<meta http-equiv="refresh" content="20"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def ticket_page(placed: Placed) -> str:
    t = placed.ticket
    zh, en = STATES[t.state]
    label = PRIORITY_LABELS[t.priority]
    lines = [f'<div class="n">{escape(t.number)}</div>',
             f"<p>状态：{escape(zh)}<br><span class=en>State: {escape(en)}</span></p>"]
    if t.state == TicketState.WAITING:
        where = (f"已转至 {t.counter_no} 号窗口<br><span class=en>Transferred to counter {t.counter_no}</span>"
                 if t.counter_no else
                 f"前面还有 {placed.people_ahead} 人，预计等候约 {placed.estimated_wait_minutes} 分钟<br>"
                 f"<span class=en>{placed.people_ahead} people ahead of you, about "
                 f"{placed.estimated_wait_minutes} minutes</span>")
        lines.append(f"<p>{where}</p>")
    elif t.state in (TicketState.CALLED, TicketState.SERVING) and t.counter_no:
        lines.append(f"<p>请到 {t.counter_no} 号窗口<br><span class=en>Counter {t.counter_no}</span></p>")
    if t.priority.value != "normal":
        lines.append(f"<p>{escape(label.zh)}<br><span class=en>{escape(label.en)}</span></p>")
    lines.append("<p><small>本页每 20 秒自动刷新 / This page refreshes every 20 seconds</small></p>")
    return _page(f"{t.number} 排队进度 / Queue status", "".join(lines))


def missing_page() -> str:
    return _page("没有这张票 / No such ticket",
                 "<p>没有找到这张票，可能已过期。<br><span class=en>This ticket was not found; it may have "
                 "expired.</span></p>")
