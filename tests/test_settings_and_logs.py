import logging

import pytest

from kiosk.errors import UserFacingError
from kiosk.logs import configure_logging, mask_text
from kiosk.settings import load_settings


def test_defaults_file_and_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")  # set for every test by conftest; this one reads the file
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(tmp_path / "absent.toml"))
    assert load_settings(tmp_path / "h").device_no == 0  # not set: the platform assigns it at enrollment
    cfg = tmp_path / "c.toml"
    cfg.write_text('hall_code = "110105002"\ndevice_no = 3\nlarge_text = true\n', encoding="utf-8")
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(cfg))
    s = load_settings(tmp_path / "h")
    assert (s.hall_code, s.device_no, s.large_text) == ("110105002", 3, True)
    monkeypatch.setenv("ONEWINDOW_DEVICE_NO", "9")
    assert load_settings(tmp_path / "h").device_no == 9
    assert load_settings(tmp_path / "h").home == (tmp_path / "h").resolve()


@pytest.mark.parametrize("content", ['hal_code = "1"\n', 'device_no = "abc"\n', 'device_no = 5000\n',
                                     "not toml at all [", 'language = "fr"\n'])
def test_bad_settings_are_named(tmp_path, monkeypatch, content):
    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")  # set for every test by conftest; this one reads the file
    cfg = tmp_path / "c.toml"
    cfg.write_text(content, encoding="utf-8")
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(cfg))
    with pytest.raises(UserFacingError) as err:
        load_settings(tmp_path / "h")
    assert "配置" in err.value.message.zh


def test_log_masks_id_numbers_and_phones(tmp_path):
    assert mask_text("id 11010519491231002X phone 13800138000") == "id 1101**********002X phone 138****8000"
    assert mask_text("sha 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b") \
        == "sha 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
    path = configure_logging(tmp_path)
    logging.getLogger("t").warning("applicant %s called", "11010519491231002X")
    try:
        raise ValueError("bad 11010519491231002X")
    except ValueError:
        logging.getLogger("t").exception("failed")
    for h in logging.getLogger().handlers:
        h.flush()
    content = path.read_text(encoding="utf-8")
    assert "1101**********002X" in content
    assert "11010519491231002X" not in content
