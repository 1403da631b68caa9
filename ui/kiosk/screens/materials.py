"""The materials checklist: photograph, scan or import each one; see, retake or delete its pages.

The rows and what they do are the shared `MaterialsPanel`; this screen adds
what only a kiosk has: the document camera as the way in (a large live
picture that takes the page by itself once it holds still, and a big
retake), files from a USB stick through the kiosk's own touch picker (never
the desktop's file dialog), and, where nothing can capture a material, the
plain offer to hand it in at the counter instead. It saves the citizen's
draft whenever a page comes or goes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import shiboken6
from PySide6.QtWidgets import QWidget

from kiosk.devices.camera import FrameSource
from kiosk.licences.model import NEEDS_LINK
from ui.i18n import lang, msg, translate
from ui.kiosk.camera_capture import CameraCapture
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.kiosk.usb_picker import UsbPicker
from ui.text import para
from ui.widgets.builders import label
from ui.widgets.materials_panel import MaterialsPanel


class MaterialsScreen(Screen):
    name = "materials"
    step = 3

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None and ctx.terminal is not None
        self.item = ctx.session.item
        devices = ctx.terminal.devices
        camera = devices.camera if isinstance(devices.camera, FrameSource) else None
        # no camera and no scanner: a stick may help, and otherwise the paper goes to the counter
        self.no_capture_device = devices.camera is None and devices.scanner is None
        self.picker: UsbPicker | None = None
        self.notice = label("subtitle", name="noDeviceNotice")
        self.notice.setVisible(self.no_capture_device)
        self.body.addWidget(self.notice)
        # the licence library could not be asked (需联网核验): said here too, where the paper is captured
        offers = ctx.session.licence_offers
        self.needs_link = label("error", name="needsLinkNotice")
        self.needs_link.setVisible(offers is not None and not offers.available)
        self.body.addWidget(self.needs_link)
        self.camera: CameraCapture | None = None
        if camera is not None:
            self.camera = CameraCapture(camera)
            self.camera.capture_requested.connect(self._photograph_now)
            self.camera.retake_requested.connect(self._retake)
            self.body.addWidget(self.camera)
        self.panel = MaterialsPanel(ctx.terminal, self.item, ctx.session.materials, job_prefix="kiosk",
                                    choose_file=self._choose_from_stick, at_counter=ctx.session.at_counter,
                                    can_hand_in=self.no_capture_device,
                                    on_photograph=self._aim_camera if self.camera is not None else None,
                                    licences=ctx.session.licences)
        self.panel.changed.connect(ctx.save_draft)
        self.panel.added.connect(self._added)
        self.panel.failed.connect(self._failed)
        self.rows = self.panel.rows
        self.body.addWidget(self.panel)
        self.body.addStretch(1)
        self._last_photo: tuple[str, int] | None = None  # (material, index) of the page the camera just took
        self._aim_next()
        self.retranslate()

    def missing(self) -> list[str]:
        return self.panel.missing()

    @property
    def busy(self) -> bool:
        return self.panel.busy

    # --- the document camera ------------------------------------------------------------------------
    def _name_of(self, code: str) -> Callable[[], str]:
        spec = self.item.material(code)
        return lambda: spec.name.get(lang()) if spec is not None else code

    def _aim_next(self) -> None:
        """Point the camera at the next material still to provide: required ones first."""
        if self.camera is None:
            return
        session = self.ctx.session
        wanted = sorted((s for s in self.item.materials
                         if not session.materials.get(s.code) and s.code not in session.at_counter),
                        key=lambda s: not s.required)
        code = wanted[0].code if wanted else None
        self.camera.set_target(code, self._name_of(code) if code else lambda: "")

    def _aim_camera(self, code: str) -> None:
        """A row's "Photograph": the next still page is for that material (another page of it, too)."""
        if self.camera is None:
            return
        self.camera.set_target(code, self._name_of(code))
        self.camera.show_captured(None)
        self.camera.rearm()
        self.scroll.ensureWidgetVisible(self.camera)

    def _photograph_now(self, code: str) -> None:
        self._last_photo = (code, len(self.ctx.session.materials.get(code, [])))
        self.panel.capture(code, "camera")

    def _added(self, code: str) -> None:
        if self.camera is None or self._last_photo is None or self._last_photo[0] != code:
            self._aim_next()
            return
        images = self.panel.images.get(code, [])
        index = self._last_photo[1]
        self.camera.set_busy(False)
        self.camera.show_captured(images[index] if index < len(images) else None)
        self._aim_next()

    def _failed(self, code: str) -> None:
        if self.camera is not None and self._last_photo is not None and self._last_photo[0] == code:
            self._last_photo = None
            self.camera.set_busy(False)
            # not retried by itself (a failing camera would fail again and again): the row says what went
            # wrong, and its "Photograph" button, or another page, tries again

    def _retake(self) -> None:
        """Drop the page just taken; the camera takes the page again once it is still."""
        if self.camera is None or self._last_photo is None or self.panel.busy:
            return
        code, index = self._last_photo
        self._last_photo = None
        if index < len(self.ctx.session.materials.get(code, [])):
            self.panel.delete_file(code, index)
        self.camera.show_captured(None)
        self.camera.set_target(code, self._name_of(code))
        self.camera.rearm()

    # --- files from a USB stick ---------------------------------------------------------------------
    def _choose_from_stick(self, parent: QWidget, done: Callable[[Path], None]) -> None:
        self._close_picker()
        self.picker = UsbPicker.pick(parent, self.ctx.terminal.settings.max_file_bytes if self.ctx.terminal else 0,
                                     done)

    def _close_picker(self) -> None:
        if self.picker is not None and shiboken6.isValid(self.picker) and self.picker.isVisible():
            self.picker.cancel()
        self.picker = None

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        """Leaving the step (or the session ending) closes the picker: it never lingers over the next screen."""
        self._close_picker()
        super().hideEvent(event)  # type: ignore[arg-type]

    # --- leaving ------------------------------------------------------------------------------------
    def on_next(self) -> None:
        if self.busy:
            return
        text = (lambda: translate("Kiosk", "This material is required. Please import it from a USB stick, or "
                                           "choose “Hand in at the counter”.")) if self.no_capture_device else \
            (lambda: translate("Kiosk", "This material is required. Please scan, photograph or import it."))
        first = self.panel.show_missing(text)
        if first is not None:
            self.scroll.ensureWidgetVisible(first)
            return
        self.ctx.save_draft()
        self.next_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        if self.camera is not None:
            subtitle = translate("Kiosk", "Lay each page under the document camera: it is photographed by itself "
                                          "once it holds still. Check the picture; you can retake or delete a page. "
                                          "You can also import a file from a USB stick.")
        elif self.no_capture_device:
            subtitle = translate("Kiosk", "Import each material from a USB stick, or hand it in at the counter.")
        else:
            subtitle = translate("Kiosk", "For each material, put it on the scanner or under the camera, or "
                                          "import a file. Check the pictures; you can retake or delete a page.")
        self.set_heading(translate("Kiosk", "Provide your materials"), subtitle)
        self.notice.setText(para(translate(
            "Kiosk", "This kiosk cannot photograph or scan papers right now. You can import files from a USB "
                     "stick, or choose “Hand in at the counter” for a material and bring the paper to the counter "
                     "after you submit: you can still finish your application here.")))
        offers = self.ctx.session.licence_offers
        self.needs_link.setText(para("⚠ " + msg(offers.note or NEEDS_LINK)) if offers is not None and not offers.available
                                else "")
        if self.camera is not None:
            self.camera.retranslate()
        self.panel.retranslate()
