"""The fleet page in a real headless browser (Debian's Chromium): a terminal whose printer is out of paper is
shown as needing attention, first in its hall, on a phone-width screen with nothing wider than the screen.

Everything before the browser is real: a kiosk prints a receipt on a TCP printer that is out of paper, its
sync pass delivers the heartbeat to the platform over HTTP, and the page is the platform's own answer.
Screenshots (phone and desktop width) go to $FLEET_SHOTS_DIR when set (else the test's tmp dir).
"""
from __future__ import annotations

import base64
import os
import re
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.receipts import print_receipt
from sync.client import PlatformClient
from sync.server import fleet
from tests.printing.conftest import submit_example
from tests.printing.printer_server import PAPER_OUT, PrinterServer
from tests.sync.conftest import engine_for, enroll
from tests.sync.headless_chromium import CHROMIUM, dump_dom, measure, screenshot
from tests.sync.servers import PlatformServer
from tests.sync.test_heartbeat import GOOD

HALL, OTHER_HALL = "330106001", "330106002"
HOSTILE_ERROR = '<img src=x onerror="document.title=1">'
HOSTILE_VERSION = "<script>document.title='owned'</script>"


def cards(dom: str) -> dict[str, str]:
    """Each terminal's card in the browser's DOM, by device id."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<article class="card [a-z]+" data-device="(\d+)".*?</article>',
                                                          dom, re.S)}


def _sync(terminal: Terminal, platform: PlatformServer, name: str, role: str) -> int:
    credential = enroll(terminal, platform, name=name, role=role)
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.heartbeat is not None and report.heartbeat["sent"] >= 1, report
    return credential.device_id


@pytest.fixture
def hall_with_a_printer_out_of_paper(sqlite_platform: PlatformServer, tmp_path: Path) -> dict[str, int]:
    platform = sqlite_platform
    printer = PrinterServer(answers=PAPER_OUT)
    ids: dict[str, int] = {}
    kiosk = Terminal.open(load_settings(tmp_path / "kiosk", printer=printer.uri))
    try:
        application = submit_example(kiosk)
        assert not print_receipt(kiosk, application.id, "zh").printed
        ids["paper_out"] = _sync(kiosk, platform, "自助终端-1号 大厅东侧", "kiosk")
    finally:
        printer.stop()
        kiosk.close()
    counter = Terminal.open(load_settings(tmp_path / "counter"))
    try:
        ids["healthy"] = _sync(counter, platform, "综合窗口-2", "counter")
    finally:
        counter.close()
    elsewhere = Terminal.open(load_settings(tmp_path / "other", hall_code=OTHER_HALL, hall_name_zh="三墩镇便民服务中心",
                                            hall_name_en="Sandun Town Service Center"))
    try:
        ids["other_hall"] = _sync(elsewhere, platform, "乡镇便民服务中心-1", "kiosk")
    finally:
        elsewhere.close()
    # a terminal that sends markup in what it reports (a broken or hostile build): shown as text, never run
    answer = PlatformClient(platform.url()).json("POST", "enroll", json_body={
        "code": platform.enroll_code(HALL, "kiosk-<b>9</b>", "kiosk")})
    sent = requests.post(platform.url("/api/v1/heartbeat"), timeout=10,
                         headers={"Authorization": f"Bearer {answer['token']}"},
                         json={"reports": [{**GOOD, "id": str(uuid.uuid4()), "version": HOSTILE_VERSION,
                                            "last_error": {"source": "print", "at": GOOD["made_at"],
                                                           "text": HOSTILE_ERROR}}]})
    assert sent.status_code == 200, sent.text
    ids["hostile"] = answer["device_id"]
    fleet.add_viewer(platform.store, "it-province", "fleet-pass-1", None)
    fleet.add_viewer(platform.store, "it-county", "fleet-pass-2", OTHER_HALL)
    return ids


def _page(platform: PlatformServer, user: str = "it-province", password: str = "fleet-pass-1",
          query: str = "") -> str:
    return f"http://{user}:{password}@127.0.0.1:{platform.port}/fleet{query}"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")  # dev.sh setup installs it
def test_the_fleet_page_in_headless_chromium_shows_the_printer_out_of_paper(
        sqlite_platform: PlatformServer, hall_with_a_printer_out_of_paper: dict[str, int], tmp_path: Path) -> None:
    ids = hall_with_a_printer_out_of_paper
    dom = dump_dom(_page(sqlite_platform))
    shown = cards(dom)
    assert set(shown) == {str(i) for i in ids.values()}
    paper_out = shown[str(ids["paper_out"])]
    assert 'class="card bad"' in paper_out and 'data-attention="printer_paper_out"' in paper_out
    assert "需处理 / Needs attention" in paper_out and "打印机缺纸" in paper_out and "printer out of paper" in paper_out
    assert "缺纸 / OUT OF PAPER" in paper_out and "自助终端-1号 大厅东侧" in paper_out
    assert 'class="card good"' in shown[str(ids["healthy"])] and "正常 / OK" in shown[str(ids["healthy"])]
    assert "西湖区政务服务中心" in dom and "三墩镇便民服务中心" in dom and "Sandun Town Service Center" in dom
    # in its hall, the terminal that needs attention comes first
    hall_section = dom[dom.index(f"大厅 {HALL}"):dom.index(f"大厅 {OTHER_HALL}")]
    assert hall_section.index(f'data-device="{ids["paper_out"]}"') < hall_section.index(
        f'data-device="{ids["healthy"]}"')
    # what a terminal sent is text on the page, never markup the browser runs
    hostile = shown[str(ids["hostile"])]
    assert "&lt;img src=x" in hostile and "&lt;script&gt;" in hostile and "kiosk-&lt;b&gt;9&lt;/b&gt;" in hostile
    assert "<img" not in dom and "<script" not in dom and "<b>" not in dom

    only = cards(dump_dom(_page(sqlite_platform, query="?attention=1")))
    assert str(ids["paper_out"]) in only and str(ids["healthy"]) not in only
    county = cards(dump_dom(_page(sqlite_platform, "it-county", "fleet-pass-2")))
    assert set(county) == {str(ids["other_hall"])}  # a hall's technician sees that hall only
    # no account or a wrong password: the browser is asked to log in (a phone shows its own prompt) and gets
    # no terminal at all (headless Chromium cannot answer the prompt and shows nothing)
    for user, password in (("", ""), ("it-province", "wrong-password"), ("nobody", "fleet-pass-1")):
        assert "data-device" not in dump_dom(_page(sqlite_platform, user, password) if user else
                                             f"http://127.0.0.1:{sqlite_platform.port}/fleet")
        refused = requests.get(f"http://127.0.0.1:{sqlite_platform.port}/fleet", timeout=10,
                               auth=(user, password) if user else None)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic ")
        assert "需要登录" in refused.text and "Log in with a fleet viewer account" in refused.text
        assert "data-device" not in refused.text

    auth = {"Authorization": "Basic " + base64.b64encode(b"it-province:fleet-pass-1").decode()}
    url = f"http://127.0.0.1:{sqlite_platform.port}/fleet"
    checks = {
        "page_width": "document.documentElement.scrollWidth",
        "screen_width": "window.innerWidth",
        "font_px": "parseFloat(getComputedStyle(document.body).fontSize)",
        "paper_out_top": f"document.querySelector('[data-device=\"{ids['paper_out']}\"]').getBoundingClientRect().top",
        "paper_out_left": f"document.querySelector('[data-device=\"{ids['paper_out']}\"]').getBoundingClientRect()"
                          ".left",
        "healthy_left": f"document.querySelector('[data-device=\"{ids['healthy']}\"]').getBoundingClientRect().left",
        "healthy_top": f"document.querySelector('[data-device=\"{ids['healthy']}\"]').getBoundingClientRect().top",
        "title": "document.title",
    }
    phone = measure(url, 390, 844, checks, headers=auth)
    assert phone["screen_width"] == 390 and phone["page_width"] <= 390, phone  # no sideways scrolling on a phone
    assert phone["font_px"] >= 16
    assert phone["paper_out_top"] < 844, phone  # the terminal needing attention is on the first screen
    assert phone["healthy_left"] == phone["paper_out_left"] and phone["healthy_top"] > phone["paper_out_top"]
    assert phone["title"] == "终端状态 Fleet · OneWindow"  # nothing a terminal sent ran as script
    desktop = measure(url, 1280, 900, checks, headers=auth)
    assert desktop["page_width"] <= 1280
    assert desktop["healthy_top"] == desktop["paper_out_top"] and desktop["healthy_left"] > desktop["paper_out_left"]

    shots = Path(os.environ.get("FLEET_SHOTS_DIR") or tmp_path / "shots")
    for name, (width, height) in {"fleet-phone-390x844.png": (390, 844),
                                  "fleet-desktop-1280x900.png": (1280, 900)}.items():
        path = screenshot(_page(sqlite_platform), shots / name, width, height)
        with Image.open(path) as image:
            assert image.size == (width, height)
            # the red edge of a card needing attention (#c62828) is on screen, next to its words
            assert (198, 40, 40) in {color for _count, color in image.convert("RGB").getcolors(1 << 24)}


def test_the_fleet_page_through_the_shipped_nginx_configuration(sqlite_platform: PlatformServer,
                                                                 tmp_path: Path) -> None:
    """The production layout passes /fleet (and its log-in challenge) through to the platform over TLS."""
    from tests.sync.nginx_layout import Nginx, nginx_binary

    if nginx_binary() is None:
        pytest.fail("nginx is missing: ./dev.sh setup installs it (Debian package nginx)")
    fleet.add_viewer(sqlite_platform.store, "it-province", "fleet-pass-1", None)
    nginx = Nginx(tmp_path / "nginx", sqlite_platform.port)
    try:
        url = nginx.url("/fleet")
        challenged = requests.get(url, verify=str(nginx.cert), timeout=10)
        assert challenged.status_code == 401 and challenged.headers["WWW-Authenticate"].startswith("Basic ")
        page = requests.get(url, verify=str(nginx.cert), timeout=10, auth=("it-province", "fleet-pass-1"))
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "终端状态" in page.text and "没有终端" in page.text
    finally:
        nginx.stop()
