"""The enrollment `onewindow setup` makes (`kiosk.usecases.setup` reaches it through the
``onewindow.enrollment`` entry point): `onewindow enroll`'s rules, plus the hall code the technician typed.

The platform refuses a code of another hall without using it up, so a wrong hall code changes nothing on
either side; an unreachable platform or a used code stores nothing here.
"""
from __future__ import annotations

from typing import Any

from kiosk.errors import Message, UserFacingError
from kiosk.terminal import Terminal
from sync.cli import _check_transport
from sync.client import Offline, PlatformClient, Refused, Timeouts
from sync.credentials import check_ca_file, credential_from_enrollment, save_enrollment


def enroll_for_setup(terminal: Terminal, *, platform_url: str, code: str, hall_code: str, ca_file: str | None,
                     insecure: bool) -> dict[str, Any]:
    url = platform_url.rstrip("/")
    _check_transport(url, insecure)
    if ca_file:
        check_ca_file(ca_file)
    client = PlatformClient(url, verify=ca_file or True, timeouts=Timeouts(connect=5.0, read=20.0))
    try:
        answer = client.json("POST", "enroll", json_body={"code": code, "hall_code": hall_code})
    except Refused as exc:
        raise UserFacingError(exc.message, code=exc.code or "enrollment_refused") from None
    except Offline as exc:
        raise UserFacingError(Message(f"无法连接平台 {url}：{exc}。请检查平台地址和网络连接；未做任何更改。",
                                      f"Cannot reach the platform at {url}: {exc}. Check the address and the "
                                      "network; nothing was changed."), code="offline") from None
    credential = credential_from_enrollment(answer, url, ca_file)
    if credential.hall_code != hall_code:  # an older platform that ignores the hall code in the request
        raise UserFacingError(Message(
            f"平台把本终端注册到了大厅 {credential.hall_code}，而不是 {hall_code}；本机未保存注册。请向平台管理员说明。",
            f"The platform enrolled this terminal for hall {credential.hall_code}, not {hall_code}; nothing was "
            "stored here. Tell the platform's administrator."), code="enrollment_hall")
    path = save_enrollment(terminal.store, credential)
    update_root = _pin_update_root(terminal, credential)
    return {"device_id": credential.device_id, "device_no": credential.device_no, "hall_code": credential.hall_code,
            "device_name": credential.device_name, "role": credential.role, "platform_url": url,
            "credential_file": str(path), "update_root": update_root}


def _pin_update_root(terminal: Terminal, credential: Any) -> str:
    """As `onewindow enroll` does: trust in updates starts over the link the technician just authenticated.
    Failing to pin does not undo the enrollment; the terminal then does not update itself until
    `onewindow update pin` succeeds, which the result says."""
    from tuf.api import exceptions

    from sync.updates import pin_root

    try:
        pin_root(terminal.settings, credential.platform_url, credential.token, verify=credential.verify)
    except (exceptions.DownloadError, exceptions.RepositoryError, ValueError) as exc:
        return f"not pinned: {exc}; run `onewindow update pin`"
    return "pinned"
