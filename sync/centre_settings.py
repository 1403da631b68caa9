"""The terminal's sync step for settings from the centre: report what became of earlier versions, pull the
signed document, and keep it as the trial for the next window start if everything about it holds.

Refused, reported (log, the pass report, and to the platform with the next pass), nothing changed:
- a signature that the platform's settings key (received at enrollment) does not verify, which is also
  what any change to a value on the way looks like;
- a document for another hall or another terminal;
- an older version than one this terminal already took (a rollback, e.g. a replayed answer);
- values the terminal would not take (`kiosk.centre_settings.check_values`), or that together with its
  local file and environment make settings that do not load.
The same version as the newest taken is simply "unchanged" (that includes one rolled back here: the
platform learns of it from the report, and a correction comes as a newer version).
"""
from __future__ import annotations

import base64
import json
import logging
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from kiosk import centre_settings as cs
from kiosk import centre_settings_trial as trial
from kiosk.errors import Message, UserFacingError
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import Offline, PlatformClient, Refused
from sync.credentials import load_credential
from sync.wire import Summary
from sync.wire_centre_settings import SettingsDocument, SettingsReports, SignedSettings

log = logging.getLogger("onewindow.sync.settings")


class DocumentRefused(Exception):
    def __init__(self, version: int, message: Message) -> None:
        super().__init__(message.en)
        self.version = version
        self.message = message


def verify_envelope(envelope: Any, public_key_b64: str, hall_code: str, device_id: int,
                    highest_version: int) -> SettingsDocument | None:
    """The document if it is signed by the platform, addressed to this terminal and newer than
    `highest_version`; None when it is the same version; `DocumentRefused` otherwise."""
    try:
        signed = SignedSettings.model_validate(envelope)
    except ValidationError:
        raise DocumentRefused(0, Message("平台发来的设置格式不对。", "The settings from the centre are malformed.")) from None
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signed.signature, validate=True), signed.document.encode("utf-8"))
    except (InvalidSignature, ValueError):
        raise DocumentRefused(0, Message("平台设置的签名无效（可能在传输中被篡改），未采用。",
                                         "The signature of the settings from the centre is not valid (they may "
                                         "have been altered on the way); not used.")) from None
    try:
        document = SettingsDocument.model_validate(json.loads(signed.document))
    except (ValueError, ValidationError):
        raise DocumentRefused(0, Message("平台发来的设置格式不对。", "The settings from the centre are malformed.")) from None
    if document.hall_code != hall_code or document.device_id != device_id:
        raise DocumentRefused(document.version, Message(
            f"平台设置是发给另一台终端的（大厅 {document.hall_code}，设备 {document.device_id}），未采用。",
            f"The settings from the centre are for another terminal (hall {document.hall_code}, device "
            f"{document.device_id}); not used."))
    if document.version == highest_version:
        return None
    if document.version < highest_version:
        raise DocumentRefused(document.version, Message(
            f"平台设置版本 {document.version} 比本机已有的版本 {highest_version} 旧（回滚），未采用。",
            f"The settings from the centre are version {document.version}, older than version {highest_version} "
            "this terminal already has (a rollback); not used."))
    return document


def _check_loadable(terminal: Terminal, values: dict[str, Any], version: int) -> None:
    """The values by the terminal's own rules, then with its local file and environment: a document that
    would stop start-up is refused now, not tried."""
    try:
        cs.check_values(values)
        load_settings(terminal.settings.home, centre=values)
    except UserFacingError as exc:
        raise DocumentRefused(version, Message("平台设置无效，未采用：" + exc.message.zh,
                                               "The settings from the centre are invalid; not used: " + exc.message.en))


def push_reports(terminal: Terminal, client: PlatformClient) -> int:
    """Outcomes noted since the last pass (applied, rolled back, refused), to the platform."""
    home = terminal.settings.home
    reports = trial.take_reports(home)
    if not reports:
        return 0
    body = SettingsReports.model_validate({"reports": reports}).model_dump(mode="json")
    client.json("POST", "settings/reports", json_body=body)
    trial.forget_reports(home, reports)
    return len(reports)


def pull_centre_settings(terminal: Terminal, client: PlatformClient,
                         announced: Summary | None = None) -> dict[str, Any]:
    """One step of the sync pass; returns what happened for the pass report (`result`: none, unchanged,
    staged, refused, no_key). `announced`: the summary the feed's last page carried this pass; when it names
    the version of this terminal's document (a platform that knows to), the document is asked for only if
    it is newer than any this terminal took in. Asking every pass cost the platform a signature and a
    request per terminal per minute for a document that changes a few times a year."""
    home = terminal.settings.home
    sent = push_reports(terminal, client)
    if announced is not None and "settings_version" in announced.model_fields_set:
        if announced.settings_version is None:
            return {"result": "none", "reports_sent": sent}
        highest = trial.read_state(home).highest_version
        if announced.settings_version <= highest:
            return {"result": "unchanged", "version": highest, "reports_sent": sent}
    resp = client.request("GET", "settings", expected=(200, 204))
    if resp.status_code == 204:
        return {"result": "none", "reports_sent": sent}
    credential = load_credential(terminal.settings)
    if credential is None:
        return {"result": "none", "reports_sent": sent}
    if credential.settings_key is None:
        return {"result": "no_key", "reports_sent": sent,
                "reason": {"zh": "本终端注册时平台未提供设置签名公钥，请重新注册后才能接收平台设置。",
                           "en": "This terminal received no settings key at enrollment; enroll it again to take "
                                 "settings from the centre."}}
    try:
        envelope = resp.json()
    except ValueError:
        raise Offline("the platform's answer was not complete JSON") from None
    state = trial.read_state(home)
    try:
        document = verify_envelope(envelope, credential.settings_key, credential.hall_code, credential.device_id,
                                   state.highest_version)
        if document is None:
            return {"result": "unchanged", "version": state.highest_version, "reports_sent": sent}
        _check_loadable(terminal, document.values, document.version)
    except DocumentRefused as exc:
        trial.refuse(home, exc.version, exc.message)
        return {"result": "refused", "version": exc.version, "reports_sent": sent,
                "reason": {"zh": exc.message.zh, "en": exc.message.en}}
    try:
        trial.stage(home, trial.Document(version=document.version, values=document.values, signed=dict(envelope)))
    except ValueError:  # another sync on this data dir (the window's worker, a `onewindow sync`) took it first
        return {"result": "unchanged", "version": document.version, "reports_sent": sent}
    return {"result": "staged", "version": document.version, "reports_sent": sent}


__all__ = ["DocumentRefused", "Offline", "Refused", "pull_centre_settings", "push_reports", "verify_envelope"]
