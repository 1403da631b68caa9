"""The local store: models and the one place sessions are made."""
from kiosk.store.db import Store, close_all, open_store

__all__ = ["Store", "open_store", "close_all"]
