"""kill -9 of the hub while three kiosks issue: after each restart nothing answered is lost or doubled."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import requests

from sync.hall import wire
from tests.hall.hub_process import HubProcess

PER_KIOSK = 60


def test_kill_9_while_kiosks_issue_loses_and_duplicates_nothing(tmp_path: Any) -> None:
    hub = HubProcess(tmp_path / "hub")
    try:
        kiosks = [hub.pair("kiosk", f"kiosk-{i}", cli=False) for i in (1, 2, 3)]
        counter = hub.pair("counter", "window-1", counter_no=1, cli=False)
        answered: dict[str, str] = {}  # ticket id -> the number the hub answered
        retries = [0]
        done = threading.Condition()
        failures: list[BaseException] = []

        def run(kiosk: Any) -> None:
            try:
                for i in range(PER_KIOSK):
                    body = {"ticket_id": str(uuid.uuid4()), "category": "AB"[i % 2], "priority": "normal"}
                    deadline = time.monotonic() + 60
                    while True:  # the kiosk's retry: the same ticket id until the hub answers
                        try:
                            r = requests.post(hub.url(wire.TICKETS), json=body, headers=hub.headers(kiosk), timeout=5)
                            if r.status_code == 200:
                                break
                        except requests.RequestException:
                            pass
                        with done:
                            retries[0] += 1
                        assert time.monotonic() < deadline, "the hub never came back"
                        time.sleep(0.02)
                    with done:
                        answered[body["ticket_id"]] = r.json()["ticket"]["number"]
                        done.notify_all()
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
                with done:
                    done.notify_all()

        threads = [threading.Thread(target=run, args=(k,)) for k in kiosks]
        for t in threads:
            t.start()
        for at in (40, 110):
            with done:
                assert done.wait_for(lambda: len(answered) >= at or failures, timeout=60)  # noqa: B023
            hub.kill()
            hub.start()
        for t in threads:
            t.join(120)
        assert not failures, failures
        assert len(answered) == 3 * PER_KIOSK

        day = time.strftime("%Y-%m-%d")
        stored = {t["ticket_id"]: t["number"] for t in hub.get(wire.TICKETS + f"?day={day}", counter).json()}
        assert stored == answered  # every answered ticket kept its number, none extra
        assert len(set(stored.values())) == len(stored)
        for code in "AB":
            numbers = sorted(int(n[1:]) for n in stored.values() if n[0] == code)
            assert numbers == list(range(1, PER_KIOSK * 3 // 2 + 1))  # no gaps either
        log = hub.get(wire.EVENTS + "?limit=1000", counter).json()
        assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
        issued = [e["ticket"]["ticket_id"] for e in log if e["kind"] == "issued"]
        assert sorted(issued) == sorted(answered)
        assert hub.log.read_text().count("serving") == 3  # it really was started three times
    finally:
        hub.stop()
