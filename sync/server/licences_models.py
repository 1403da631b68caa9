"""The platform's tables for the licence library (L1): holdings, offers, uses with their annotated copies, the signing key (new tables only, schema 7: `create_all` makes them)."""
from __future__ import annotations

from sync.server.models import PlatformBase  # noqa: F401 - the tables below share the platform's metadata
