"""The hub's lines from the catalog and its hall.toml; a broken hall.toml stops `hall serve` with a message."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import demo_catalog_path, read_catalog_file
from kiosk.errors import UserFacingError
from sync.hall.server.config import load_config


def test_lines_come_from_the_catalogs_departments_in_code_order(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    departments = sorted(d.code for d in read_catalog_file(demo_catalog_path()).departments())
    assert [c.departments for c in config.categories] == [(d,) for d in departments]
    assert config.codes == tuple("ABCDEFGHI"[:len(departments)])
    assert config.categories[0].name.zh and config.categories[0].name.en
    assert (config.fairness_minutes, config.priority_run, config.public_url) == (20.0, 3, None)


def test_hall_toml_overrides_a_line_adds_one_and_sets_the_rules(tmp_path: Path) -> None:
    (tmp_path / "hall.toml").write_text("""
public_url = "http://10.0.0.9:8770/"
[queue]
fairness_minutes = 12.5
priority_run = 4
[[categories]]
code = "A"
name = { zh = "农业", en = "Farming" }
minutes_per_ticket = 3
[[categories]]
code = "Z"
name = { zh = "综合", en = "General" }
departments = ["hrss", "taxation"]
[counters]
2 = ["A", "Z"]
""", encoding="utf-8")
    config = load_config(tmp_path)
    a, z = config.category("A"), config.category("Z")
    assert a is not None and (a.name.en, a.minutes_per_ticket, a.departments) == ("Farming", 3.0, ("agriculture",))
    assert z is not None and z.departments == ("hrss", "taxation") and z.minutes_per_ticket == 6.0
    assert config.counter_categories == {2: ("A", "Z")}
    assert (config.fairness_minutes, config.priority_run, config.public_url) == (12.5, 4, "http://10.0.0.9:8770")


def test_only_configured_lines_when_the_catalog_is_turned_off(tmp_path: Path) -> None:
    (tmp_path / "hall.toml").write_text("""
[queue]
categories_from_catalog = false
[[categories]]
code = "B"
name = { zh = "户籍", en = "Household" }
""", encoding="utf-8")
    assert load_config(tmp_path).codes == ("B",)


@pytest.mark.parametrize("text", [
    "[queue\n", "[queue]\npriority_run = 0\n", "[queue]\nfairness_minutes = 'soon'\n",
    "[[categories]]\ncode = 'a1'\nname = { zh = 'x', en = 'y' }\n", "[[categories]]\ncode = 'Q'\n",
    "[counters]\n3 = ['Q']\n", "public_url = 'ftp://x'\n",
    "[queue]\ncategories_from_catalog = false\n",
])
def test_a_broken_hall_toml_is_refused_with_a_bilingual_message(tmp_path: Path, text: str) -> None:
    (tmp_path / "hall.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UserFacingError) as info:
        load_config(tmp_path)
    assert "hall.toml" in info.value.message.zh and "hall.toml" in info.value.message.en


def test_hall_serve_with_a_broken_config_exits_2_and_says_why(tmp_path: Path) -> None:
    home = tmp_path / "hub"
    home.mkdir()
    (home / "hall.toml").write_text("[queue]\npriority_run = -1\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kiosk", "hall", "serve", "--home", str(home), "--port", "1"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "priority_run" in r.stderr and "叫号服务器" in r.stderr
