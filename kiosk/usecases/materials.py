"""Getting a citizen's materials in: files, scans, document-camera photos, the ID card.

Device I/O runs on the device thread (the drivers return futures); these
functions wait for it with a bound, so a scanner that never answers costs
the citizen a clear message, never a frozen screen.
"""
from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from pathlib import Path

from kiosk import device_states
from kiosk.catalog import MaterialSpec
from kiosk.devices.base import ScanSettings
from kiosk.devices.id_card_reader import IdCardData, IdCardError
from kiosk.errors import Message, UserFacingError
from kiosk.materials.intake import IntakeLimits, MaterialFile
from kiosk.materials.pages import CapturedPage
from kiosk.materials.pipeline import material_file_from_pages, prepare_material_files
from kiosk.store.models import utcnow
from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.materials")

NO_SCANNER = Message("本机没有可用的扫描仪或高拍仪，请选择“导入文件”或联系工作人员。",
                     "No scanner or document camera is available here; choose 'Import a file' or ask the staff.")
NO_PAGES = Message("没有扫描到页面，请放好材料后重试。", "No page was captured; place the document and try again.")
NOT_RESPONDING = Message("扫描仪没有响应。请改用高拍仪拍照，或请工作人员帮助。",
                         "The scanner is not responding. Photograph the page with the document camera instead, or "
                         "ask the staff for help.")
NOT_RESPONDING_NO_CAMERA = Message("扫描仪没有响应，请工作人员帮助。",
                                   "The scanner is not responding; please ask the staff for help.")
CAMERA_NOT_RESPONDING = Message("高拍仪没有响应，请工作人员帮助。",
                                "The document camera is not responding; please ask the staff for help.")


def import_files(t: Terminal, paths: list[Path], spec: MaterialSpec) -> list[MaterialFile]:
    return prepare_material_files(paths, spec, t.intake_limits)


def scan_pages(t: Terminal, spec: MaterialSpec, source: str, timeout: float = 120.0) -> list[CapturedPage]:
    """The device's part: scan (flatbed/feeder) or photograph (document camera) the pages of one material."""
    device = t.devices.scanner if source == "scanner" else t.devices.camera
    if device is None:
        raise UserFacingError(NO_SCANNER, code="no_scanner")
    colour = "colour" if spec.colour == "colour" else "grayscale"
    if source != "scanner":
        stuck = UserFacingError(CAMERA_NOT_RESPONDING, code="camera_not_responding")
    else:
        stuck = UserFacingError(NOT_RESPONDING if t.devices.camera is not None else NOT_RESPONDING_NO_CAMERA,
                                code="scanner_not_responding")
    busy = device.busy_for()
    if busy > timeout:  # a call that never returned holds its thread: no second wait behind it
        _note_stuck(t, source, device.name, busy)
        raise stuck
    try:
        pages = device.scan(ScanSettings(colour=colour)).result(timeout)
    except FutureTimeout:
        log.error("%s gave no pages within %.0f s; its driver may be stuck", device.name, timeout)
        _note_stuck(t, source, device.name, device.busy_for())
        raise stuck from None
    _answered(t, source)
    if not pages:
        raise UserFacingError(NO_PAGES, code="no_pages")
    return pages


def _kind(source: str) -> str:
    return "scanner" if source == "scanner" else "camera"


def _note_stuck(t: Terminal, source: str, name: str, busy: float) -> None:
    """For the heartbeat and `doctor` (`kiosk.device_states`): staff at the province see a kiosk whose scanner
    needs its program restarted, rather than hearing it from the citizens it turned away."""
    try:
        with t.store.transaction() as session:
            device_states.note_stuck(session, _kind(source), name, since=utcnow() - timedelta(seconds=busy))
    except Exception:  # noqa: BLE001 - the citizen's answer comes first; a note that could not be kept is logged
        log.exception("could not note that %s is stuck", name)


def _answered(t: Terminal, source: str) -> None:
    """The device answered: a note from an earlier call that had not (a slow driver's) is over."""
    try:
        with t.store.read() as session:
            noted = device_states.stuck_noted(session, _kind(source))
        if noted:
            with t.store.transaction() as session:
                device_states.clear_stuck(session, _kind(source))
    except Exception:  # noqa: BLE001 - the pages come first; the note then stays until the program ends
        log.exception("could not clear the note that the %s was stuck", _kind(source))


def pages_to_material(pages: list[CapturedPage], spec: MaterialSpec) -> MaterialFile:
    """The CPU's part (straighten, clean, compress): module-level and picklable, for the process pool."""
    return material_file_from_pages(pages, spec.colour, spec.code)


def import_in_process(paths: list[Path], spec: MaterialSpec, limits: IntakeLimits) -> list[MaterialFile]:
    """`import_files` without a terminal, for the process pool (a refusal crosses the boundary whole)."""
    return prepare_material_files(paths, spec, limits)


def capture_material(t: Terminal, spec: MaterialSpec, source: str, timeout: float = 120.0) -> MaterialFile:
    """Scan or photograph one material into one file, both parts in this thread (the CLI, tests)."""
    return pages_to_material(scan_pages(t, spec, source, timeout), spec)


def read_id_card(t: Terminal, timeout: float = 30.0) -> IdCardData:
    if t.devices.id_reader is None:
        raise IdCardError("no_device")
    return t.devices.id_reader.read().result(timeout)
