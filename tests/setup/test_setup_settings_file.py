"""The installed layout links each role's settings in the data dir to its conffile in /etc/onewindow."""
from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk.setup.settings_file import set_values


def test_a_linked_settings_file_is_written_through_the_link(tmp_path: Path) -> None:
    conffile = tmp_path / "etc" / "onewindow" / "kiosk.toml"
    conffile.parent.mkdir(parents=True)
    conffile.write_text('# the package\'s settings\nprinter = "tcp://10.0.8.21:9100"\n', encoding="utf-8")
    link = tmp_path / "var" / "kiosk" / "onewindow.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to(conffile)

    set_values(link, {"hall_code": "330106001", "platform_url": "https://zwfw.example.gov.cn/api/v1"})

    assert link.is_symlink() and link.resolve() == conffile
    values = tomllib.loads(conffile.read_text(encoding="utf-8"))
    assert values == {"printer": "tcp://10.0.8.21:9100", "hall_code": "330106001",
                      "platform_url": "https://zwfw.example.gov.cn/api/v1"}
    assert conffile.read_text(encoding="utf-8").startswith("# the package's settings")
