"""Keeping catalogs in the store, so a terminal works from the last one offline."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from kiosk.catalog import Catalog, demo_catalog_path, parse_catalog, read_catalog_file
from kiosk.store import Store
from kiosk.store.models import CatalogVersion, ServiceItem

_cache: dict[str, Catalog] = {}
# The current catalog's ETag per database, so callers may ask for the catalog
# inside their own transaction without opening a second, blocked, one.
_current: dict[str, str] = {}


def _db_key(session: Session) -> str:
    return str(session.get_bind().url)


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
    _cache[catalog.etag] = catalog
    key, etag = _db_key(session), catalog.etag
    event.listen(session, "after_commit", lambda _s: _current.__setitem__(key, etag), once=True)
    return row


def current_catalog(store: Store) -> Catalog:
    """The current catalog; on a new terminal, the configured file or the demo catalog."""
    known = _current.get(str(store.engine.url))
    if known is not None and known in _cache:
        return _cache[known]
    with store.transaction() as session:
        row = session.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True)))
        if row is not None:
            cached = _cache.get(row.etag)
            if cached is None:
                cached = parse_catalog(row.document)
                _cache[row.etag] = cached
            _current[str(store.engine.url)] = row.etag
            return cached
        configured = store.settings.catalog_path
        path = Path(configured) if configured else demo_catalog_path()
        catalog = read_catalog_file(path)
        install_catalog(session, catalog, source=str(path))
        return catalog
