"""Realistic demo applications for benchmarks and demos, submitted through the
same path as `onewindow submit` (kiosk.terminal.Terminal.submit).

Every material page is an image of random noise: it cannot be compressed, so
a link benchmark measures the link, not gzip.
"""
from __future__ import annotations

import io
import math
import os
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image

from kiosk.catalog import FormField, ServiceItem
from kiosk.identity import resident_id_check_char
from kiosk.materials.intake import check_bytes
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "志强", "淑珍", "国平", "海燕", "玉兰"]
REGIONS = ["330106", "330102", "330105", "330108", "330110", "330122", "110105", "310104", "320102", "440106"]
STREETS = ["文三路", "教工路", "天目山路", "古墩路", "学院路", "西溪路", "莫干山路", "余杭塘路", "丰潭路", "紫金港路"]


def noise_png(kilobytes: int, rng: random.Random) -> bytes:
    """A grayscale PNG of random pixels, about `kilobytes` KB, stored without compression."""
    side = max(8, int(math.sqrt(kilobytes * 1024)))
    pixels = rng.randbytes(side * side)
    buf = io.BytesIO()
    Image.frombytes("L", (side, side), pixels).save(buf, "PNG", compress_level=0)
    return buf.getvalue()


def resident_id(rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + resident_id_check_char(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def address(rng: random.Random) -> str:
    return f"浙江省杭州市西湖区{rng.choice(STREETS)}{rng.randrange(1, 400)}号{rng.randrange(1, 30)}幢{rng.randrange(101, 2600)}室"


def _date_value(f: FormField, rng: random.Random) -> str:
    today = date.today()

    def bound(v: Any) -> date | None:
        if v is None:
            return None
        return today if v == "today" else date.fromisoformat(str(v))

    low, high = bound(f.min), bound(f.max)
    if low and high:
        value = low + timedelta(days=rng.randrange(0, max(1, (high - low).days + 1)))
    elif low:
        value = low + timedelta(days=rng.randrange(1, 60))
    elif high:
        value = high - timedelta(days=rng.randrange(1, 365))
    else:
        value = today - timedelta(days=rng.randrange(1, 365))
    return value.isoformat()


def field_value(f: FormField, rng: random.Random) -> Any:
    if f.type == "choice":
        return rng.choice(f.options).value
    if f.type == "date":
        return _date_value(f, rng)
    if f.type == "integer":
        low = int(f.min) if f.min is not None else 1
        high = int(f.max) if f.max is not None else max(low, 10)
        return rng.randint(low, high)
    if f.type == "money":
        low = Decimal(str(f.min)) if f.min is not None else Decimal("100")
        high = Decimal(str(f.max)) if f.max is not None else low + Decimal("5000")
        return str((low + (high - low) * Decimal(rng.random())).quantize(Decimal("0.01")))
    if f.type == "id_number":
        return resident_id(rng)
    if f.type == "phone":
        return mobile(rng)
    if f.type == "address":
        return address(rng)
    if f.type == "credit_code":
        return "91350100M000100Y43"
    text = rng.choice(["按规定办理", "个人申请", "家庭需要", "工作调动", "示例内容"])
    return text[: f.max_length] if f.max_length else text


def make_draft(item: ServiceItem, pages: int, page_kb: int, rng: random.Random) -> ApplicationDraft:
    form = {f.key: field_value(f, rng) for f in item.form if f.required or rng.random() < 0.5}
    specs = sorted(item.materials, key=lambda m: not m.required)
    counts = {m.code: 0 for m in specs}
    for m in specs:
        if m.required:
            counts[m.code] = 1
    for i in range(max(0, pages - sum(counts.values()))):
        counts[specs[i % len(specs)].code] += 1
    materials = {code: [check_bytes(f"{code}-{n + 1}.png", noise_png(page_kb, rng)) for n in range(count)]
                 for code, count in counts.items() if count}
    applicant = {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_type": "resident",
                 "id_number": resident_id(rng), "phone": mobile(rng)}
    return ApplicationDraft(service_item=item.code, applicant=applicant, form=form, materials=materials)


def submit_demo(terminal: Terminal, applications: int, pages: int, page_kb: int,
                seed: int | None = None) -> list[SubmittedApplication]:
    rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
    items = list(terminal.catalog.items)
    out = []
    for i in range(applications):
        draft = make_draft(items[i % len(items)], pages, page_kb, rng)
        out.append(terminal.submit(draft, channel="cli", actor="demo-data"))
    return out
