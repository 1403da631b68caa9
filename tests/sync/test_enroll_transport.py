"""Clear words for the operator: enrollment never sends its token in clear to another machine unasked, and a
missing CA file is named, in Chinese first with English."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.nginx_layout import self_signed
from tests.sync.slow_clients import ServedPlatform


def onewindow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], capture_output=True, text=True,
                          timeout=120)


def non_loopback_address() -> str:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        address = s.getsockname()[0]
    assert not address.startswith("127."), address
    return address


def zh_before_en(text: str, zh: str, en: str) -> None:
    assert zh in text and en in text, text
    assert text.index(zh) < text.index(en), text


def test_plain_http_to_another_machine_is_refused_and_nothing_is_sent(tmp_path: Path) -> None:
    # a listener on this machine's own non-loopback address: it would see the code if anything were sent
    address = non_loopback_address()
    with socket.socket() as listener:
        listener.bind((address, 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        result = onewindow(tmp_path / "t", "enroll", "--platform", f"http://{address}:{port}/api/v1", "--code", "SECRET")
        assert result.returncode == 2, result.stderr
        zh_before_en(result.stderr, "拒绝以未加密方式", "Refusing to enroll")
        assert "--insecure" in result.stderr
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing connected
    assert not (tmp_path / "t" / "sync" / "credential.json").exists()


def test_insecure_allows_a_lab_with_a_warning(tmp_path: Path) -> None:
    address = non_loopback_address()
    platform = ServedPlatform(tmp_path / "platform", host=address)
    try:
        result = onewindow(tmp_path / "t", "enroll", "--platform", platform.url("/api/v1"), "--code",
                           platform.enroll_code(), "--insecure")
    finally:
        platform.stop()
    assert result.returncode == 0, result.stderr
    zh_before_en(result.stderr, "警告：正在以未加密方式", "Warning: enrolling with")
    assert json.loads(result.stdout)["device_no"] == 1


def test_loopback_http_stays_allowed_without_a_word(tmp_path: Path) -> None:
    platform = ServedPlatform(tmp_path / "platform")
    try:
        result = onewindow(tmp_path / "t", "enroll", "--platform", platform.url("/api/v1"), "--code",
                           platform.enroll_code())
    finally:
        platform.stop()
    assert result.returncode == 0, result.stderr
    assert "http" not in result.stderr


@pytest.fixture
def tls_platform(tmp_path: Path) -> Iterator[tuple[ServedPlatform, Path]]:
    (tmp_path / "tls").mkdir()
    cert, key = self_signed(tmp_path / "tls")
    platform = ServedPlatform(tmp_path / "platform", "--tls-cert", str(cert), "--tls-key", str(key), ca=cert)
    yield platform, cert
    platform.stop()


def test_a_missing_ca_file_is_named_at_enroll_and_at_sync(tmp_path: Path,
                                                          tls_platform: tuple[ServedPlatform, Path]) -> None:
    platform, cert = tls_platform
    home = tmp_path / "t"
    missing = tmp_path / "nowhere" / "ca.pem"
    result = onewindow(home, "enroll", "--platform", platform.url("/api/v1"), "--code", platform.enroll_code(),
                       "--ca", str(missing))
    assert result.returncode == 2
    zh_before_en(result.stderr, f"找不到平台证书文件 {missing}", f"CA certificate file {missing}")
    # enrolled with a CA file that is then deleted: sync names it instead of failing vaguely
    ca = tmp_path / "ca.pem"
    ca.write_bytes(cert.read_bytes())
    result = onewindow(home, "enroll", "--platform", platform.url("/api/v1"), "--code", platform.enroll_code(),
                       "--ca", str(ca))
    assert result.returncode == 0, result.stderr
    assert onewindow(home, "sync", "--once").returncode == 0
    ca.unlink()
    result = onewindow(home, "sync", "--once")
    assert result.returncode == 2, (result.returncode, result.stderr)
    zh_before_en(result.stderr, f"找不到平台证书文件 {ca}", f"The platform's CA certificate file {ca}")


def test_an_unreadable_ca_file_is_named(tmp_path: Path) -> None:
    directory = tmp_path / "a-directory.pem"
    directory.mkdir()
    result = onewindow(tmp_path / "t", "enroll", "--platform", "https://127.0.0.1:9/api/v1", "--code", "X",
                       "--ca", str(directory))
    assert result.returncode == 2
    zh_before_en(result.stderr, f"无法读取平台证书文件 {directory}", f"CA certificate file {directory} cannot be read")
