"""Keeping catalogs in the store, so a terminal works from the last one offline.

The current catalog is parsed once when the terminal opens (`Terminal.catalog`)
and again only when sync installs a newer one (`Terminal.reload_catalog`).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.catalog import Catalog, demo_catalog_path, parse_catalog, read_catalog_file
from kiosk.store import Store
from kiosk.store.models import CatalogVersion, ServiceItem


def install_catalog(session: Session, catalog: Catalog, source: str) -> CatalogVersion:
    """Make `catalog` the current one; a catalog already held is only re-marked current."""
    row = session.scalar(select(CatalogVersion).where(CatalogVersion.etag == catalog.etag))
    session.execute(update(CatalogVersion).values(is_current=False))
    if row is None:
        row = CatalogVersion(version=catalog.version, etag=catalog.etag, source=source,
                             document=catalog.document, is_current=True)
        for item in catalog.items:
            row.items.append(ServiceItem(
                code=item.code, name_zh=item.name.zh, name_en=item.name.en, department_code=item.department.code,
                item_type=item.item_type, legal_limit_days=item.legal_limit_days,
                promised_limit_days=item.promised_limit_days,
                guide=next(raw for raw in catalog.document["items"] if str(raw["code"]) == item.code),
            ))
        session.add(row)
    row.is_current = True
    session.flush()
    return row


def load_current_catalog(store: Store) -> Catalog:
    """The current catalog; on a new terminal, the configured file or the demo catalog (installed)."""
    with store.transaction() as session:
        row = session.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True)))
        if row is not None:
            return parse_catalog(row.document)
        configured = store.settings.catalog_path
        path = Path(configured) if configured else demo_catalog_path()
        catalog = read_catalog_file(path)
        install_catalog(session, catalog, source=str(path))
        return catalog
