"""Shared set-up for the licence library's tests: a real platform with the demo catalog published, the demo
holdings seeded, and devices enrolled over HTTP."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import requests

from kiosk.catalog import demo_catalog_path, read_catalog_file
from kiosk.licences.model import CONSENT_TEXT_VERSION
from sync.server.licence_demo import DemoCitizen, citizens, seed
from sync.server.models import PublishedCatalog
from tests.sync.servers import PlatformServer

HALL = "330106001"
OTHER_HALL = "330106002"
ID_RENEWAL = "330106000173002001"  # id_card (SFZ), household_register (HKB), photo_receipt
BIRTH = "330106000173002003"  # birth_certificate (CSYXZM), id_card of both parents (none), household_register, marriage
BUSINESS_CHANGE = "330106000155001002"  # id_card (SFZ), business_licence (YYZZ)
MEDICAL = "330106000186001001"  # id_card (SFZ), residence_permit (JZZ)


def publish_demo_catalog(platform: PlatformServer) -> None:
    catalog = read_catalog_file(demo_catalog_path())
    with platform.store.transaction() as session:
        session.add(PublishedCatalog(version=catalog.version, etag=catalog.etag, document=catalog.document))


def person(name: str) -> DemoCitizen:
    return next(c for c in citizens() if c.name == name)


@dataclass
class Device:
    platform: PlatformServer
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.post(self.platform.url(f"/api/v1/{path}"), json=body, headers=self.headers(), timeout=30)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.platform.url(f"/api/v1/{path}"), headers=self.headers(), timeout=30)


def enroll_device(platform: PlatformServer, hall: str = HALL, name: str = "kiosk-1", role: str = "kiosk") -> Device:
    resp = requests.post(platform.url("/api/v1/enroll"), json={"code": platform.enroll_code(hall, name, role)},
                         timeout=30)
    assert resp.status_code == 200, resp.text
    return Device(platform, resp.json()["token"])


def consent() -> dict[str, str]:
    return {"given_at": datetime.now(timezone.utc).isoformat(), "by": "citizen", "text_version": CONSENT_TEXT_VERSION}


def offers_query(citizen: DemoCitizen, item: str, application_id: str | None = None) -> dict[str, Any]:
    return {"id_number": citizen.id_number, "service_item": item, "application_id": application_id or str(uuid.uuid4()),
            "consent": consent()}


def use_request(citizen: DemoCitizen, identifier: str, item: str, material: str, application_id: str,
                use_id: str | None = None) -> dict[str, Any]:
    return {"use_id": use_id or str(uuid.uuid4()), "identifier": identifier, "id_number": citizen.id_number,
            "application_id": application_id, "service_item": item, "material_code": material,
            "reason": f"办理事项 {item} 的材料 {material} / material {material} of item {item}", "actor": "kiosk",
            "consent": consent()}


def ready_platform(platform: PlatformServer) -> list[dict[str, object]]:
    publish_demo_catalog(platform)
    return seed(platform.store)
