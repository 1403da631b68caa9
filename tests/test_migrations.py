"""The schema built by migrations is exactly the models' schema, and upgrades keep rows."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from kiosk.store.db import alembic_config, make_engine, migrate
from kiosk.store.models import Base


def test_migrations_build_the_models_schema(tmp_path):
    engine = make_engine(tmp_path / "m.sqlite3")
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    for name in ("catalog_versions", "service_items", "applications", "application_materials", "attachments",
                 "outbox", "print_jobs", "audit_log", "staff"):
        assert name in tables


def test_single_head_and_linear_history(tmp_path):
    engine = make_engine(tmp_path / "m.sqlite3")
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1


def test_upgrade_from_first_revision_keeps_rows(tmp_path):
    engine = make_engine(tmp_path / "m.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO applications (id, receipt_no, service_item_code, catalog_version, status, channel, hall_code,"
            " device_no, applicant_name, form, created_at, updated_at) VALUES ('a1', 'r1', 'X', 'v', 'submitted',"
            " 'cli', '330106001', 1, '张𠮷', '{}', '2026-11-23 00:00:00', '2026-11-23 00:00:00')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT applicant_name FROM applications WHERE id='a1'")).scalar() == "张𠮷"


def test_store_pragmas(terminal):
    with terminal.store.transaction() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
