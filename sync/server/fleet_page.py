"""The fleet page: server-rendered HTML an IT technician reads on a phone, Chinese first with English.

No script and no framework: one page, cards that stack on a narrow screen and sit side by side on a wide
one, refreshed by the browser every minute. Every string a terminal sent (its name, version, error text,
device details) goes through `html.escape`; a terminal that needs attention says so in words, never by
colour alone, and comes first in its hall.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from sync.server.fleet import TerminalRow

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 "WenQuanYi Zen Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#111;background:#f2f3f5}
header{background:#0b3d91;color:#fff;padding:12px 16px}
header h1{margin:0;font-size:1.3em}
header p{margin:4px 0 0;font-size:.9em}
nav{padding:8px 16px;background:#fff;border-bottom:1px solid #ccd}
nav a{display:inline-block;margin:4px 12px 4px 0;padding:8px 12px;border:1px solid #0b3d91;border-radius:6px;color:#0b3d91;text-decoration:none}
nav a.on{background:#0b3d91;color:#fff}
main{padding:8px 12px 24px}
h2{font-size:1.1em;margin:18px 4px 8px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}
.card{background:#fff;border:1px solid #ccd;border-left:8px solid #2e7d32;border-radius:6px;padding:10px 12px}
.card.bad{border-left-color:#c62828}
.card h3{margin:0 0 4px;font-size:1.05em;overflow-wrap:anywhere}
.badge{display:inline-block;font-weight:bold;padding:2px 8px;border-radius:4px;font-size:.85em}
.bad .badge{background:#c62828;color:#fff}
.good .badge{background:#e8f5e9;color:#1b5e20;border:1px solid #2e7d32}
ul.att{margin:6px 0;padding-left:1.2em;color:#8e0000;font-weight:bold}
dl{margin:6px 0 0;display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:.92em}
dt{color:#445}
dd{margin:0;overflow-wrap:anywhere}
.err{font-size:.85em;color:#444;overflow-wrap:anywhere;margin-top:6px}
.en{color:#556;font-size:.9em}
footer{padding:12px 16px;color:#556;font-size:.85em}
"""


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "从未 / never"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return f"{seconds}秒前 / {seconds} s ago"
    if seconds < 3 * 3600:
        return f"{seconds // 60}分钟前 / {seconds // 60} min ago"
    if seconds < 3 * 86400:
        return f"{seconds // 3600}小时前 / {seconds // 3600} h ago"
    return f"{seconds // 86400}天前 / {seconds // 86400} days ago"


def _bytes(n: object) -> str:
    if not isinstance(n, int) or n < 0:
        return "未知 / unknown"
    return f"{n / 1024 ** 3:.1f} GiB"


def _uptime(seconds: object) -> str:
    if not isinstance(seconds, (int, float)):
        return "未知 / unknown"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟 / {int(seconds // 60)} min"
    hours = int(seconds // 3600)
    return f"{hours // 24}天{hours % 24}小时 / {hours // 24} d {hours % 24} h"


def _printer(printer: dict[str, object]) -> str:
    if not printer.get("configured"):
        return "未配置 / none"
    paper = PAPER.get(str(printer.get("paper")), "未知 / unknown")
    reach = {True: "可连接 / reachable", False: "无法连接 / unreachable"}.get(printer.get("online"),  # type: ignore[call-overload]
                                                                          "未知 / unknown")
    return f"{paper}；{reach}"


PAPER = {"ok": "有纸 / paper ok", "out": "缺纸 / OUT OF PAPER", "unknown": "未知 / unknown"}
STATE = {"ok": "正常 / ok", "attention": "需处理 / needs attention", "absent": "未配置 / none",
         "unknown": "未检测 / not checked"}


def _device_line(label: str, device: dict[str, object] | None) -> str:
    device = device or {}
    state = STATE.get(str(device.get("state")), "未知 / unknown")
    return f"<dt>{label}</dt><dd>{escape(state)}</dd>"


def _local(at: object) -> str:
    """A time the terminal sent, in the platform's time zone like the page's other times."""
    try:
        return datetime.fromisoformat(str(at)).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return str(at)[:19]


def _offset(seconds: object) -> str:
    if not isinstance(seconds, (int, float)):
        return "未测 / not measured"
    rounded = round(float(seconds), 1)
    return "0.0 秒 / s" if rounded == 0 else f"{rounded:+.1f} 秒 / s"


def _cut(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _card(row: TerminalRow, now: datetime) -> str:
    bad = bool(row.attention)
    report = row.report or {}
    role = {"kiosk": "自助终端 / kiosk", "counter": "窗口终端 / counter"}.get(row.role, row.role)
    head = (f'<h3>{escape(row.name)} <span class="en">#{row.device_no or "-"} · {escape(role)}</span></h3>'
            f'<span class="badge">{"需处理 / Needs attention" if bad else "正常 / OK"}</span>')
    attention = ""
    if bad:
        attention = '<ul class="att">' + "".join(
            f'<li>{escape(a.message.zh)} <span class="en">/ {escape(a.message.en)}</span></li>' for a in row.attention
        ) + "</ul>"
    facts = [f"<dt>上次联系<br><span class=en>Last heard</span></dt><dd>{escape(_ago(row.last_heard_at, now))}</dd>"]
    if row.report is not None:
        printer = (report.get("devices") or {}).get("printer") or {}
        offset = report.get("clock_offset_seconds")
        facts += [
            f"<dt>版本 <span class=en>Version</span></dt><dd>{escape(str(report.get('version', '')))}</dd>",
            f"<dt>运行 <span class=en>Uptime</span></dt><dd>{escape(_uptime(report.get('uptime_seconds')))}</dd>",
            f"<dt>打印机 <span class=en>Printer</span></dt><dd>{escape(_printer(printer))}</dd>",
            _device_line("扫描仪 <span class=en>Scanner</span>", (report.get("devices") or {}).get("scanner")),
            _device_line("高拍仪 <span class=en>Camera</span>", (report.get("devices") or {}).get("camera")),
            _device_line("读卡器 <span class=en>Card reader</span>", (report.get("devices") or {}).get("card_reader")),
            f"<dt>待上传 <span class=en>Outbox</span></dt><dd>{int(report.get('outbox_backlog') or 0)}"
            f" + {int(report.get('decisions_backlog') or 0)}</dd>",
            f"<dt>待打印 <span class=en>Print queue</span></dt><dd>{int(report.get('print_backlog') or 0)}"
            f"（待确认 / for staff {int(report.get('print_needs_staff') or 0)}）</dd>",
            f"<dt>磁盘剩余 <span class=en>Disk free</span></dt><dd>{escape(_bytes(report.get('disk_free_bytes')))}</dd>",
            "<dt>时钟偏差 <span class=en>Clock</span></dt><dd>"
            + escape(_offset(offset))
            + "</dd>",
        ]
    error = ""
    last_error = report.get("last_error")
    if isinstance(last_error, dict) and last_error.get("text"):
        error = (f'<div class="err">最近错误 / Last error（{escape(str(last_error.get("source", "")))}，'
                 f'{escape(_local(last_error.get("at")))}）：{escape(_cut(str(last_error["text"])))}</div>')
    return (f'<article class="card {"bad" if bad else "good"}" data-device="{row.device_id}" '
            f'data-attention="{" ".join(escape(a.code) for a in row.attention)}">{head}{attention}'
            f'<dl>{"".join(facts)}</dl>{error}</article>')


def render(rows: list[TerminalRow], *, now: datetime, viewer: str, hall: str | None, only_attention: bool) -> str:
    needing = sum(1 for r in rows if r.attention)
    shown = [r for r in rows if r.attention] if only_attention else rows
    halls: dict[str, list[TerminalRow]] = defaultdict(list)
    for row in shown:
        halls[row.hall_code].append(row)
    sections = []
    for hall_code in sorted(halls):
        members = sorted(halls[hall_code], key=lambda r: (not r.attention, r.device_no or 0, r.device_id))
        bad = sum(1 for r in members if r.attention)
        named = [(r.report or {}).get("hall_name") or {} for r in members]
        name = next((n for n in named if isinstance(n, dict) and n.get("zh")), {})
        title = (f'{escape(str(name.get("zh", "")))} <span class="en">{escape(str(name.get("en", "")))}</span> · '
                 if name else "")
        sections.append(f'<section><h2>{title}大厅 {escape(hall_code)} <span class="en">Hall</span>：{len(members)}台 / '
                        f'{len(members)} terminals，{bad}台需处理 / {bad} need attention</h2>'
                        f'<div class="grid">{"".join(_card(r, now) for r in members)}</div></section>')
    if not sections:
        sections.append("<p>没有终端。 <span class=en>No terminals.</span></p>")
    base = {"hall": hall} if hall else {}
    all_link = "?" + urlencode(base)
    bad_link = "?" + urlencode({**base, "attention": "1"})
    local = now.astimezone()
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>终端状态 Fleet · OneWindow</title><style>{STYLE}</style></head>
<body><header><h1>终端状态 <span class="en" style="color:#dde">Fleet</span></h1>
<p>{len(rows)}台终端，<strong>{needing}台需处理</strong> / {len(rows)} terminals, <strong>{needing} need attention</strong></p></header>
<nav><a href="{escape(all_link)}"{' class="on"' if not only_attention else ''}>全部 / All</a>
<a href="{escape(bad_link)}"{' class="on"' if only_attention else ''}>只看需处理 / Needs attention only</a></nav>
<main>{"".join(sections)}</main>
<footer>更新于 / Updated {escape(local.strftime("%Y-%m-%d %H:%M:%S %Z"))} · 每分钟自动刷新 / refreshes every minute ·
查看账号 / Viewer: {escape(viewer)}</footer></body></html>"""
