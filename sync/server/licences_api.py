"""The platform's HTTP routes for the licence library (L1): offers, uses with their annotated copies, the
signing key. Kiosks and counters alike may ask (both serve citizens); each refusal is bilingual."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sync import wire
from sync import wire_licences as wl
from sync.protocol import API_PREFIX
from sync.server import licences
from sync.server.db import PlatformStore
from sync.server.deps import DeviceDep, problem
from sync.server.licence_signing import signing_key

REFUSALS = {status: {"model": wire.ProblemAnswer, "description": text} for status, text in {
    403: "the licence is not the applicant's own",
    404: "no such licence, no published catalog, or no such service item",
    409: "the licence is revoked, expired or not yet valid; or the use id was used for a different use",
    422: "invalid; unknown consent words; the licence type cannot stand for the material"}.items()}


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)

    @routes.post("/licences/offers", response_model=wl.OffersAnswer, responses=REFUSALS)
    def offers(body: wl.OffersQuery, device: DeviceDep) -> Any:
        """Which of the item's materials the citizen's valid licences can stand for (asked with consent)."""
        try:
            return licences.offers(store, device, body)
        except licences.LicenceRefused as exc:
            return problem(exc.status, exc.message.zh, exc.message.en, exc.code)

    @routes.post("/licences/uses", response_model=wl.UseAnswer, responses=REFUSALS)
    def uses(body: wl.UseRequest, device: DeviceDep) -> Any:
        """Record one use (idempotent by use_id) and answer with its annotated copy, fetched with
        GET /attachments/{sha256} and verified against GET /licences/signing-key."""
        try:
            return licences.use(store, device, body)
        except licences.LicenceRefused as exc:
            return problem(exc.status, exc.message.zh, exc.message.en, exc.code)

    @routes.get("/licences/signing-key", response_model=wl.SigningKey)
    def key(device: DeviceDep) -> Any:
        """The library's Ed25519 public key; a terminal pins it on first fetch."""
        k = signing_key(store.home)
        return {"key_id": k.key_id, "public_key": k.public_b64}

    return routes
