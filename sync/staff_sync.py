"""A counter's copy of its hall's staff accounts, pulled from the platform on every sync pass.

The platform keeps the accounts (`onewindow platform staff ...`); `GET /staff`
(counters only) gives the hall's list with the Argon2id hashes, and
`kiosk.staff.apply_platform_staff` makes the local staff table match it, so
a counter checks logins offline against what it last received. A kiosk
never asks: it has no staff and the platform would refuse it.
"""
from __future__ import annotations

import logging

from kiosk.staff import PlatformAccount, StaffSync, apply_platform_staff
from kiosk.store import Store
from sync import wire
from sync.client import Offline, PlatformClient, Refused

log = logging.getLogger("onewindow.sync.staff")


def pull_staff(store: Store, client: PlatformClient) -> StaffSync | None:
    """Apply the platform's list; None when the platform refused (this device is no counter there)."""
    try:
        answer = wire.parse(wire.StaffList, client.json("GET", "staff"))
    except Refused as exc:
        log.warning("the platform refused the staff list (%s): %s", exc.status, exc.reason.get("en"))
        return None
    except wire.ValidationError:
        raise Offline("unexpected answer to the staff list") from None
    accounts = [PlatformAccount(e.username, e.display_name, e.role, e.password_hash, e.active) for e in answer.staff]
    with store.transaction() as session:
        result = apply_platform_staff(session, accounts)
    if result.added or result.updated or result.disabled:
        log.info("staff from the platform: %d added, %d updated, %d disabled", result.added, result.updated,
                 result.disabled)
    return result
