"""Bad input to the set-up gets a clear message, Chinese first, and changes nothing: no credential, the
settings file as it was, no results file, and the platform's code still unused where it was not spent."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.settings import load_settings
from sync.credentials import load_credential
from tests.setup.conftest import write_config
from tests.sync.servers import PlatformServer


def setup_cli(home: Path, *args: str) -> int:
    return main(["--home", str(home), "setup", "--yes", "--json", *args])


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_config(tmp_path / "etc" / "onewindow.toml", device_kind="counter", camera="none")
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(path))
    return path


def assert_nothing_changed(home: Path, config: Path, before: str) -> None:
    assert config.read_text(encoding="utf-8") == before
    assert load_credential(load_settings(home)) is None
    assert not (home / "setup-results.json").exists()


def zh_before_en(text: str, zh: str, en: str) -> None:
    assert zh in text and en in text, text
    assert text.index(zh) < text.index(en), text


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_malformed_values_are_all_named_and_nothing_is_sent(tmp_path: Path, config: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    code = setup_cli(tmp_path / "home", "--hall", "33-0106", "--platform", "ftp:/nowhere", "--code", "ABC0-1OI")
    assert code == 2
    err = capsys.readouterr().err
    zh_before_en(err, "大厅编码“33-0106”格式不对", 'The hall code "33-0106" is not valid')
    zh_before_en(err, "平台地址“ftp:/nowhere”格式不对", "The platform address")
    zh_before_en(err, "注册码格式不对", "The enrollment code is not valid")
    assert_nothing_changed(tmp_path / "home", config, before)


def test_an_unreachable_platform_changes_nothing(tmp_path: Path, config: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    code = setup_cli(tmp_path / "home", "--hall", "330106001", "--platform",
                     f"http://127.0.0.1:{closed_port()}/api/v1", "--code", "ABCD-EFGH-JKLM-NPQR")
    assert code == 2
    zh_before_en(capsys.readouterr().err, "无法连接平台", "Cannot reach the platform")
    assert_nothing_changed(tmp_path / "home", config, before)


def test_a_wrong_or_used_code_changes_nothing(tmp_path: Path, config: Path, platform: PlatformServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    home = tmp_path / "home"
    assert setup_cli(home, "--hall", "330106001", "--platform", platform.url(), "--code", "ABCD-EFGH-JKLM-NPQR") == 2
    zh_before_en(capsys.readouterr().err, "注册码无效、已使用或已过期", "The enrollment code is invalid, used or expired")
    assert_nothing_changed(home, config, before)

    used = platform.enroll_code("330106001", "kiosk-1")
    other_home = tmp_path / "other"
    assert setup_cli(other_home, "--hall", "330106001", "--platform", platform.url(), "--code", used) == 0
    capsys.readouterr()
    after_first = config.read_text(encoding="utf-8")
    assert setup_cli(home, "--hall", "330106001", "--platform", platform.url(), "--code", used) == 2
    zh_before_en(capsys.readouterr().err, "注册码无效、已使用或已过期", "invalid, used or expired")
    assert load_credential(load_settings(home)) is None and not (home / "setup-results.json").exists()
    assert config.read_text(encoding="utf-8") == after_first


def test_a_code_of_another_hall_is_refused_and_stays_usable(tmp_path: Path, config: Path, platform: PlatformServer,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    home = tmp_path / "home"
    code = platform.enroll_code("330106009", "kiosk-9", role="kiosk")
    assert setup_cli(home, "--hall", "330106001", "--platform", platform.url(), "--code", code) == 2
    err = capsys.readouterr().err
    zh_before_en(err, "此注册码属于大厅 330106009，而本终端设置的大厅编码为 330106001", "This enrollment code is for hall 330106009")
    assert "未被使用" in err and "was not used" in err
    assert_nothing_changed(home, config, before)
    # the technician corrects the hall code: the same code works
    assert setup_cli(home, "--hall", "330106009", "--platform", platform.url(), "--code", code) == 0
    assert load_credential(load_settings(home)).hall_code == "330106009"  # type: ignore[union-attr]
    assert 'hall_code = "330106009"' in config.read_text(encoding="utf-8")


def test_plain_http_to_another_machine_is_refused_before_anything_is_sent(tmp_path: Path, config: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = config.read_text(encoding="utf-8")
    code = setup_cli(tmp_path / "home", "--hall", "330106001", "--platform", "http://192.0.2.10/api/v1",
                     "--code", "ABCD-EFGH-JKLM-NPQR")
    assert code == 2
    zh_before_en(capsys.readouterr().err, "拒绝以未加密方式", "Refusing to enroll")
    assert_nothing_changed(tmp_path / "home", config, before)
