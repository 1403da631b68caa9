"""The platform's tables for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported (new tables only, schema 7: `create_all` makes them)."""
from __future__ import annotations

from sync.server.models import PlatformBase  # noqa: F401 - the tables below share the platform's metadata
