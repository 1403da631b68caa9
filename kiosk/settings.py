"""Terminal settings: declared once, typed, with defaults.

Values come from the defaults below, then a TOML file, then the settings the
centre (the platform) sent (`kiosk.centre_settings`, which says which keys it
may set and where it ranks against the file), then environment variables named
``ONEWINDOW_<FIELD>`` (upper case). A typo in the file or a
value of the wrong type stops start-up with a message naming it, because a
kiosk that silently ignores its hall code would file applications under the
wrong hall.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.errors import Message, UserFacingError

APP_NAME = "onewindow"


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    hall_code: str = "330106001"
    hall_name_zh: str = "西湖区政务服务中心"
    hall_name_en: str = "Xihu District Government Service Center"
    device_no: int = 0  # 0: not set; an enrolled terminal gets its number from the platform (kiosk.device_identity)
    device_kind: str = "kiosk"
    language: str = "zh"
    platform_url: str = "http://127.0.0.1:8765/api/v1"
    catalog_path: str = ""
    max_file_bytes: int = 30 * 1024 * 1024
    max_files_per_material: int = 20
    idle_timeout_seconds: int = 120
    printer: str = ""
    scanner: str = ""  # SANE device name (see `onewindow scan --list`); empty: no scanner at this terminal
    camera: str = ""  # document camera: "default", or part of its name; "none": none; empty: a kiosk's default
    # ID card reader: "" (none), "serial" (SAM protocol on id_reader_port, e.g. /dev/ttyUSB0), "vendor" (the C
    # library at id_reader_library; id_reader_port is its port number, 1-16 serial, 1001-1016 USB), or
    # "simulator" (a simulated reader with the demo card on it, for demonstrations)
    id_reader: str = ""
    id_reader_port: str = ""
    id_reader_baudrate: int = 115200
    id_reader_library: str = ""
    printer_profile: str = "default"
    document_printer: str = "cups:"  # A4 notices: cups: (default queue), cups:QUEUE, or file:/folder
    receipt_paper_mm: int = 80
    # a kiosk receipt that could not print while the citizen waited is printed later only within this many
    # minutes: after that nobody is at the tray, and a receipt with a citizen's data would lie there for the
    # next person; it waits for staff to reprint on request (0: no limit, for a staffed counter)
    receipt_print_window_minutes: int = 15
    large_text: bool = False
    retention_days: int = 30
    progress_url: str = "https://zwfw.example.gov.cn/progress?r="
    # the receipt's QR code and printed address: where a citizen looks up a case ({receipt_no} is filled in);
    # empty: the older progress_url followed by the receipt number
    status_url_template: str = "https://zwfw.example.gov.cn/status/{receipt_no}"
    # printed on receipts and notices: where the hall is and how to call it
    hall_address_zh: str = "杭州市西湖区文三路100号"
    hall_address_en: str = "100 Wensan Road, Xihu District, Hangzhou"
    hall_phone: str = "0571-87000000"
    # working days a citizen has to hand in what a supplement notice asks for (kiosk.workdays counts them)
    supplement_days: int = 5
    # where the keys that open the database's personal fields and the attachment files live (kiosk.data_key);
    # empty: the user's config dir (~/.config/onewindow/keys). Keep it outside the data dir.
    key_dir: str = ""
    # the hall hub (`onewindow hall serve`) on the hall's LAN, e.g. http://10.0.0.5:8770; empty: no queue here.
    # A terminal takes part once paired with it (`onewindow queue pair CODE`).
    hall_url: str = ""
    # the hall's target for the queue: the figures give the share of citizens served after a wait of at most this
    queue_target_wait_minutes: int = 30

    def status_url(self, receipt_no: str) -> str:
        """What the receipt's QR code holds for one receipt number."""
        if self.status_url_template:
            return self.status_url_template.replace("{receipt_no}", receipt_no)
        return self.progress_url + receipt_no

    @property
    def db_path(self) -> Path:
        return self.home / "onewindow.sqlite3"

    @property
    def attachments_dir(self) -> Path:
        return self.home / "attachments"

    @property
    def key_path(self) -> Path:
        """Where the attachment key lived before it moved out of the data dir (kiosk.data_key moves it)."""
        return self.home / "keys" / "device.key"

    def validate(self) -> None:
        problems: list[str] = []
        if not (self.hall_code.isdigit() and 6 <= len(self.hall_code) <= 12):
            problems.append("hall_code: 6 to 12 digits")
        if not (0 <= self.device_no <= 999):
            problems.append("device_no: 1 to 999 (0 or absent: assigned by the platform at enrollment)")
        if self.device_kind not in ("kiosk", "counter"):
            problems.append("device_kind: kiosk or counter")
        if self.language not in ("zh", "en"):
            problems.append("language: zh or en")
        if self.id_reader not in ("", "none", "serial", "vendor", "simulator"):
            problems.append("id_reader: none, serial, vendor or simulator")
        elif self.id_reader == "serial" and not self.id_reader_port:
            problems.append("id_reader_port: the serial port of the ID card reader, e.g. /dev/ttyUSB0")
        elif self.id_reader == "vendor" and not (self.id_reader_library and self.id_reader_port.isdigit()):
            problems.append("id_reader_library and id_reader_port (1-16 serial, 1001-1016 USB) for a vendor library")
        if self.receipt_paper_mm not in (58, 80):
            problems.append("receipt_paper_mm: 58 or 80")
        if self.status_url_template and "{receipt_no}" not in self.status_url_template:
            problems.append("status_url_template: must contain {receipt_no}")
        if not (1 <= self.supplement_days <= 90):
            problems.append("supplement_days: 1 to 90 working days")
        if not (1 <= self.queue_target_wait_minutes <= 480):
            problems.append("queue_target_wait_minutes: 1 to 480 minutes")
        if problems:
            raise UserFacingError(
                Message("配置有误：" + "；".join(problems), "Invalid settings: " + "; ".join(problems)),
                code="settings",
            )


def config_path(home: Path | None) -> Path:
    explicit = os.environ.get("ONEWINDOW_CONFIG")
    if explicit:
        return Path(explicit)
    if home is not None:
        return home / "onewindow.toml"
    return Path(platformdirs.user_config_dir(APP_NAME)) / "onewindow.toml"


def _convert(name: str, kind: Any, raw: Any) -> Any:
    try:
        if kind in (bool, "bool"):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind in (int, "int"):
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if kind in (Path, "Path"):
            return Path(str(raw)).expanduser()
        if not isinstance(raw, (str, int, float)):
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise UserFacingError(
            Message(f"配置项 {name} 的值无效：{raw!r}", f"Setting {name} has an invalid value: {raw!r}"),
            code="settings",
        ) from None


def load_settings(home: Path | str | None = None, *, centre: bool | dict[str, Any] = True,
                  **overrides: Any) -> Settings:
    """Build the settings for this process.

    ``home`` (from ``--home``) beats ``ONEWINDOW_HOME``, which beats the
    platform default; ``overrides`` are for tests and embedding. ``centre=False``
    leaves out the centre's settings: a window reads them only after it has
    counted its start against a trial (`kiosk.centre_settings.begin_window_start`);
    a dict stands for them (the sync step checks a new document with it).
    """
    if home is None and os.environ.get("ONEWINDOW_HOME"):
        home = os.environ["ONEWINDOW_HOME"]
    home_path = Path(home).expanduser().resolve() if home is not None else None
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}

    path = config_path(home_path)
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserFacingError(
                Message(f"配置文件 {path} 格式错误：{exc}", f"Settings file {path} is malformed: {exc}"),
                code="settings",
            ) from None
        unknown = sorted(set(data) - set(types))
        if unknown:
            raise UserFacingError(
                Message(f"配置文件 {path} 含有未知项：{', '.join(unknown)}",
                        f"Settings file {path} has unknown keys: {', '.join(unknown)}"),
                code="settings",
            )
        for key, raw in data.items():
            values[key] = _convert(key, types[key], raw)

    if isinstance(centre, dict):
        from kiosk.centre_settings import layer

        values = layer(values, centre)
    elif centre:
        from kiosk.centre_settings import layer
        from kiosk.centre_settings_trial import active_values

        centre_home = home_path if home_path is not None else Settings().home
        values = layer(values, active_values(centre_home))

    for key, kind in types.items():
        env = os.environ.get(f"ONEWINDOW_{key.upper()}")
        if env is not None and key != "home":
            values[key] = _convert(key, kind, env)

    if home_path is not None:
        values["home"] = home_path
    for key, raw in overrides.items():
        if key not in types:
            raise TypeError(f"unknown setting {key}")
        values[key] = raw
    settings = dataclasses.replace(Settings(), **values)
    settings.validate()
    return settings
