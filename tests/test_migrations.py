"""The schema built by migrations is exactly the models' schema, and upgrades keep rows."""
import json
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from kiosk.store.db import alembic_config, make_engine, migrate
from kiosk.store.models import Application, Base, OutboxItem


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
        # kept, and sealed at rest since 0010: the clear name comes back only through the model's column type
        assert conn.execute(text("SELECT applicant_name FROM applications WHERE id='a1'")).scalar().startswith("ow1:")
        assert conn.execute(select(Application.applicant_name).where(Application.id == "a1")).scalar() == "张𠮷"


def test_store_pragmas(terminal):
    with terminal.store.transaction() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_0007_fills_legacy_outbox_payloads_with_the_wire_documents(tmp_path):
    """Items queued by an older version are sent as documents after the upgrade, hash unchanged."""
    from kiosk.application_document import ApplicationDocument
    from kiosk.canonical import content_hash

    engine = make_engine(tmp_path / "m.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0006")
    content = {"service_item": "X1", "catalog_version": "v1",
               "applicant": {"name": "张𠮷", "id_type": "resident", "id_number": "11010519491231002X",
                             "phone": "13800138000"},
               "form": {"reason": "expired"}, "materials": {"id_card": ["a" * 64]}}
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO applications (id, receipt_no, service_item_code, catalog_version, status, channel, hall_code,"
            " device_no, applicant_name, applicant_id_type, applicant_id_number, applicant_phone, form, content_hash,"
            " created_at, submitted_at, updated_at) VALUES ('0b6f5c2e-1d2a-4c1e-9d5e-2f1a3b4c5d6e', '330106001-001-261120-"
            "00001-5', 'X1', 'v1', 'submitted', 'kiosk', '330106001', 1, '张𠮷', 'resident', '11010519491231002X',"
            " '13800138000', '{\"reason\": \"expired\"}', :h, '2026-11-20 01:00:00', '2026-11-20 01:00:00',"
            " '2026-11-20 01:00:00')"), {"h": content_hash(content)})
        conn.execute(text("INSERT INTO attachments (sha256, size, media_type, page_count, stored_at) VALUES"
                          " (:s, 1234, 'image/jpeg', 1, '2026-11-20 01:00:00')"), {"s": "a" * 64})
        conn.execute(text("INSERT INTO application_materials (id, application_id, material_code, name_zh, name_en,"
                          " required, position, review_state) VALUES (1, '0b6f5c2e-1d2a-4c1e-9d5e-2f1a3b4c5d6e',"
                          " 'id_card', '身份证', 'ID card', 1, 0, 'unchecked')"))
        conn.execute(text("INSERT INTO material_files (material_id, attachment_sha256, position, original_name)"
                          " VALUES (1, :s, 0, 'id.jpg')"), {"s": "a" * 64})
        conn.execute(text("INSERT INTO outbox (kind, ref_id, payload, state, attempts, created_at) VALUES"
                          " ('application', '0b6f5c2e-1d2a-4c1e-9d5e-2f1a3b4c5d6e', :p, 'pending', 0,"
                          " '2026-11-20 01:00:00')"), {"p": '{"content_hash": "%s"}' % content_hash(content)})
        conn.execute(text("INSERT INTO outbox (kind, ref_id, payload, state, attempts, created_at) VALUES"
                          " ('decision', '0b6f5c2e-1d2a-4c1e-9d5e-2f1a3b4c5d6e', '{\"decision_id\": \"d\"}',"
                          " 'pending', 0, '2026-11-20 01:00:00')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:  # the payloads are sealed since 0010; the model's column type opens them
        rows = {kind: payload for kind, payload in conn.execute(select(OutboxItem.kind, OutboxItem.payload))}
    doc = ApplicationDocument.model_validate(rows["application"])
    assert doc.problems() == [] and doc.content_hash == content_hash(content)
    assert doc.materials_detail[0].files[0].name == "id.jpg" and doc.submitted_at.tzinfo is not None
    assert rows["decision"] == {"decision_id": "d", "application_id": "0b6f5c2e-1d2a-4c1e-9d5e-2f1a3b4c5d6e"}
