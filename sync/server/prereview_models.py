"""The platform's tables for online cases pre-reviewed on the platform and visits per case (V) (new tables only, schema 7: `create_all` makes them)."""
from __future__ import annotations

from sync.server.models import PlatformBase  # noqa: F401 - the tables below share the platform's metadata
