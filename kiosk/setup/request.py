"""What the technician types: the hall code, the platform's address and the one-time enrollment code.

Checked here, before anything is sent or written, so a typo gets a message naming the field and changes
nothing. The platform checks the code itself; this only refuses what cannot be one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from kiosk.errors import Message, Problem

HALL_CODE = re.compile(r"\d{6,12}")
#: the platform's alphabet (no 0/O, 1/I), 16 characters, typed with or without dashes or spaces
CODE_CHARS = re.compile(r"[A-HJ-NP-Z2-9]{16}")
EXAMPLE_CODE = "ABCD-EFGH-JKLM-NPQR"


@dataclass(frozen=True)
class SetupRequest:
    hall_code: str
    platform_url: str
    code: str
    ca_file: str | None = None
    insecure: bool = False

    def normalised(self) -> "SetupRequest":
        return SetupRequest(self.hall_code.strip(), self.platform_url.strip().rstrip("/"), self.code.strip(),
                            self.ca_file, self.insecure)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def request_problems(request: SetupRequest) -> list[Problem]:
    """Every problem of the typed values at once (the form shows them all), empty when they may be sent."""
    problems: list[Problem] = []
    if not HALL_CODE.fullmatch(request.hall_code):
        problems.append(Problem("hall_code", Message(
            f"大厅编码“{request.hall_code}”格式不对：应为6到12位数字，如 330106001。",
            f"The hall code \"{request.hall_code}\" is not valid: it is 6 to 12 digits, such as 330106001.")))
    parts = urlsplit(request.platform_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(Problem("platform_url", Message(
            f"平台地址“{request.platform_url}”格式不对：应为 https://平台域名/api/v1 的形式。",
            f"The platform address \"{request.platform_url}\" is not valid: it looks like "
            "https://platform.example/api/v1.")))
    if not CODE_CHARS.fullmatch(normalise_code(request.code)):
        problems.append(Problem("code", Message(
            f"注册码格式不对：应为16个字母和数字（四组，每组四个，如 {EXAMPLE_CODE}），不含0、O、1、I。",
            f"The enrollment code is not valid: it is 16 letters and digits in four groups of four (such as "
            f"{EXAMPLE_CODE}), without 0, O, 1 or I.")))
    return problems
