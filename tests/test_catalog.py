import copy
import json

import pytest

from kiosk.catalog import CatalogInvalid, demo_catalog_path, parse_catalog, read_catalog_file


def demo_document():
    return json.loads(demo_catalog_path().read_text(encoding="utf-8"))


def test_demo_catalog_is_complete_and_broad():
    catalog = read_catalog_file(demo_catalog_path())
    assert len(catalog.items) >= 15
    assert len(catalog.departments()) >= 6
    for item in catalog.items:
        assert item.materials and item.form
        assert item.promised_limit_days <= item.legal_limit_days
        assert any(m.required for m in item.materials)
    kinds = {f.type for item in catalog.items for f in item.form}
    assert {"text", "id_number", "credit_code", "phone", "date", "choice", "address", "money"} <= kinds


def test_incomplete_catalog_lists_every_missing_field_of_every_item():
    doc = demo_document()
    broken = copy.deepcopy(doc)
    del broken["items"][0]["legal_basis"]
    del broken["items"][0]["fee"]
    del broken["items"][3]["materials"][0]["required"]
    del broken["items"][5]["promised_limit_days"]
    broken["items"][7]["form"][0]["type"] = "hologram"
    with pytest.raises(CatalogInvalid) as err:
        parse_catalog(broken)
    problems = err.value.problems
    code0, code3, code5, code7 = (doc["items"][i]["code"] for i in (0, 3, 5, 7))
    assert any(code0 in p and "legal_basis" in p for p in problems)
    assert any(code0 in p and "fee" in p for p in problems)
    assert any(code3 in p and "required" in p for p in problems)
    assert any(code5 in p and "promised_limit_days" in p for p in problems)
    assert any(code7 in p and "hologram" in p for p in problems)
    assert len(problems) >= 5
    assert "服务目录不完整" in err.value.message.zh


def test_promised_longer_than_legal_is_refused():
    doc = demo_document()
    doc["items"][0]["promised_limit_days"] = doc["items"][0]["legal_limit_days"] + 1
    with pytest.raises(CatalogInvalid) as err:
        parse_catalog(doc)
    assert any("promised_limit_days is longer" in p for p in err.value.problems)


def test_repeated_item_codes_and_not_json(tmp_path):
    doc = demo_document()
    doc["items"][1]["code"] = doc["items"][0]["code"]
    with pytest.raises(CatalogInvalid):
        parse_catalog(doc)
    bad = tmp_path / "c.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogInvalid):
        read_catalog_file(bad)
    with pytest.raises(CatalogInvalid):
        parse_catalog([1, 2, 3])


def test_catalog_is_stored_and_reused(terminal):
    first = terminal.catalog
    again = terminal.catalog
    assert first.etag == again.etag
    from sqlalchemy import select

    from kiosk.store.models import CatalogVersion, ServiceItem

    with terminal.store.transaction() as s:
        assert s.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True))).etag == first.etag
        assert len(list(s.scalars(select(ServiceItem)))) == len(first.items)


def test_catalog_can_be_read_inside_a_transaction(terminal):
    first = terminal.catalog
    with terminal.store.transaction():
        assert terminal.catalog is first  # no second transaction, so no lock wait


def test_installing_a_new_catalog_makes_it_current_once_reloaded(terminal):
    """The terminal keeps the catalog it loaded until told (sync reloads it after installing one)."""
    from kiosk.catalog_store import install_catalog

    old = terminal.catalog
    doc = demo_document()
    doc["version"] = "2026.12-test"
    new = parse_catalog(doc)
    with terminal.store.transaction() as s:
        install_catalog(s, new, source="test")
    assert terminal.catalog is old  # a screen in the middle of an application keeps what it shows
    assert terminal.reload_catalog().version == "2026.12-test" and terminal.catalog.etag != old.etag
