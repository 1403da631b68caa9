"""The heartbeat on the wire: a terminal's reports (`kiosk.heartbeat`) and the platform's answer.

Unknown fields are ignored rather than refused: a terminal upgraded before its platform still gets its
reports through. Known fields are checked hard (types, ranges, lengths): a report that does not fit is
refused whole with 422 and nothing of the batch is stored.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from sync.wire import ChangesPage, PushResponse, Reason, Uuid, Wire

Text = Annotated[str, Field(max_length=300)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Seconds = Annotated[float, Field(ge=0, le=10 * 365 * 86400)]
MAX_REPORTS = 100


class Incoming(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DeviceState(Incoming):
    configured: bool
    state: Literal["ok", "attention", "absent", "unknown"]
    detail: Annotated[str, Field(max_length=200)] = ""
    # a call to the device never returned: only a restart of the terminal's program frees it (kiosk.device_states)
    stuck: bool = False


class PrinterState(DeviceState):
    online: bool | None = None
    paper: Literal["ok", "out", "unknown"] = "unknown"


class Devices(Incoming):
    printer: PrinterState
    scanner: DeviceState
    camera: DeviceState
    card_reader: DeviceState


class LastError(Incoming):
    source: Annotated[str, Field(max_length=32)]
    at: AwareDatetime
    text: Text


class HallName(Incoming):
    zh: Annotated[str, Field(max_length=100)]
    en: Annotated[str, Field(max_length=100)] = ""


class Report(Incoming):
    id: Uuid
    made_at: AwareDatetime
    version: Annotated[str, Field(min_length=1, max_length=64)]
    device_kind: Annotated[str, Field(max_length=16)]
    hall_name: HallName | None = None  # as the terminal's settings name its hall
    uptime_seconds: Seconds | None = None
    boot_uptime_seconds: Seconds | None = None
    disk_free_bytes: Annotated[int, Field(ge=-1)]
    disk_total_bytes: Annotated[int, Field(ge=-1)]
    outbox_backlog: Count
    decisions_backlog: Count = 0
    print_backlog: Count
    print_needs_staff: Count = 0
    devices: Devices
    last_error: LastError | None = None
    clock_offset_seconds: Annotated[float, Field(ge=-10 * 365 * 86400, le=10 * 365 * 86400)] | None = None
    clock_measured_at: AwareDatetime | None = None


class HeartbeatPush(Incoming):
    reports: Annotated[list[Report], Field(max_length=MAX_REPORTS, description="none: only the platform's clock "
                                                                         "is asked, for a terminal's first report")]

    @field_validator("reports")
    @classmethod
    def _distinct(cls, reports: list[Report]) -> list[Report]:
        if len({r.id for r in reports}) != len(reports):
            raise ValueError("each report id may appear once in a batch")
        return reports


class HeartbeatResult(Wire):
    id: str
    result: Literal["stored", "duplicate"]


class HeartbeatAnswer(Wire):
    results: list[HeartbeatResult]
    server_time: AwareDatetime = Field(description="the platform's clock when it answered; the terminal measures "
                                                   "its own clock's offset against it")


class ChangesWithHeartbeat(ChangesPage):
    """`POST /changes`: a feed page, and the answer to the heartbeat reports the request carried.

    An idle kiosk's pass is a feed read and a heartbeat, every minute: carried together they are one request
    instead of two, which at a province's scale is most of what its terminals ask of the platform.
    """

    heartbeat: HeartbeatAnswer


class HeartbeatOnPush(Wire):
    """The answer to the heartbeat reports a push carried (`PushRequest.heartbeat`): taken as `POST /heartbeat`
    takes them, or `invalid` (nothing of the batch stored) without failing the applications."""

    result: Literal["taken", "invalid"]
    results: list[HeartbeatResult] = Field(default_factory=list)
    server_time: AwareDatetime | None = None
    reason: Reason | None = None


class PushWithHeartbeat(PushResponse):
    """`POST /applications`' answer, with the answer to the heartbeat reports it carried (absent when it carried
    none, and from platforms from before)."""

    heartbeat: HeartbeatOnPush | None = None
