"""The keys sealed by the machine: systemd-creds with the TPM2 or the host key where this user may use them,
else a 0600 file outside the data dir; `onewindow doctor` says which, in both languages."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.data_key import CREDENTIAL_NAME, SECRET_BYTES
from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.terminal import Terminal


def machine_can_seal(tmp_path: Path) -> bool:
    """Whether systemd-creds can seal with the host key for this user (root, or a readable host key)."""
    tool = shutil.which("systemd-creds")
    if tool is None:
        return False
    probe = tmp_path / "probe.cred"
    done = subprocess.run([tool, "encrypt", "--name=probe", "--with-key=host", "-", str(probe)], input=b"x",
                          capture_output=True, timeout=60)
    return done.returncode == 0 and probe.is_file()


@pytest.fixture
def sealing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEWINDOW_KEY_SEALING", "auto")  # conftest uses plain files to keep the suite fast


def test_the_keys_are_sealed_by_the_machine_where_it_can(sealing, home, tmp_path, capsys):
    terminal = Terminal.open(load_settings(home), parts=False)
    keys = terminal.store.keys
    assert not keys.location.is_relative_to(home)
    raw = keys.location.read_bytes()
    assert keys.attachments not in raw and keys.database not in raw
    if machine_can_seal(tmp_path):
        assert keys.protection in ("host", "tpm2") and keys.location.name.endswith(".cred")
        opened = subprocess.run(["systemd-creds", "decrypt", f"--name={CREDENTIAL_NAME}", str(keys.location), "-"],
                                capture_output=True, timeout=60).stdout
        assert len(opened) == SECRET_BYTES and opened == keys.attachments + keys.database
    else:  # an ordinary user without the host key: a private file, which the doctor reports as such
        assert keys.protection == "key_file" and raw == keys.attachments + keys.database
    sha = terminal.attachments.put(b"a page")
    close_all()

    # The next start unseals the same keys.
    again = Terminal.open(load_settings(home), parts=False)
    assert again.store.keys.database == keys.database and again.attachments.get(sha) == b"a page"

    assert main(["--home", str(home), "doctor", "--json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    check = next(c for c in report["checks"] if c["name"] == "data_key")
    assert check["data"]["protection"] == keys.protection and check["data"]["path"] == str(keys.location)
    if keys.protection == "host":
        assert check["status"] == "ok" and "主机密钥" in check["detail"] and "host key" in check["detail"]
    elif keys.protection == "tpm2":
        assert check["status"] == "ok" and "可信平台模块" in check["detail"] and "TPM2" in check["detail"]
    else:
        assert check["status"] == "ok" and "数据目录之外" in check["detail"] and "outside the data dir" in check["detail"]
    modes = next(c for c in report["checks"] if c["name"] == "file_modes")
    assert modes["status"] == "ok"


def test_a_sealed_key_that_does_not_unseal_is_a_clear_error(sealing, home, tmp_path):
    terminal = Terminal.open(load_settings(home), parts=False)
    location, protection = terminal.store.keys.location, terminal.store.keys.protection
    close_all()
    from kiosk import data_key

    data_key._cache.clear()
    damaged = bytearray(location.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    location.write_bytes(bytes(damaged))
    from kiosk.errors import UserFacingError

    with pytest.raises(UserFacingError) as info:
        Terminal.open(load_settings(home), parts=False)
    if protection == "key_file":  # a plain file opens, to a wrong key: the store's key check refuses it
        assert info.value.code == "data_key_mismatch" and "another key" in info.value.message.en
    else:  # a sealed credential no longer unseals: systemd-creds says why
        assert info.value.code == "data_key_missing" and "could not be unsealed" in info.value.message.en
        assert "无法打开本机数据" in info.value.message.zh
